"""What ``chorus replay`` can rebuild for the publisher: ``chorus replay publisher`` rebuilds the schedule."""
from __future__ import annotations

from chorus.publisher.schedule import ScheduleProjection

REPLAYS = {"publisher": [ScheduleProjection]}
