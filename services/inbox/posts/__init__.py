"""Posts: the composer, the calendar, approvals, the posting queue and recurring posts (issue 6).

Pure parts: ``compose`` (what a person composed, checked with ``chorus.networks.media``), ``queue``,
``recurrence``, ``timing``, ``states``, ``handlers``. Read model: ``projection`` and ``views``. The inbox's
own tables: ``store``. Adapters: ``media_store`` (the ``chorus_media`` Object Store), ``link_preview``.
Component: ``recurring`` (appends occurrences of series ahead of time).
"""
