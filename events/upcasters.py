"""Every upcaster of every event type, in one place (see ``upcasting.py`` for the mechanism)."""
