"""Late work: due dates, extensions and the late policy, in one place.

course.toml::

    [labs.lab01]
    due = 2027-02-05T17:00:00Z     # a TOML date-time; one without an offset is read in [late] timezone
    weight = 1.0
    [late]
    policy = "per_day"             # "per_day" | "nbgrader" | "none"
    percent_per_day = 10           # per_day: each started day late costs this much of the lab's score ...
    cap_percent = 50               # ... up to this much
    grace_minutes = 15             # submissions within this many minutes of the due date are on time
    penalty_method = "zero"        # nbgrader: its LateSubmissionPlugin's method ("zero": a late lab scores 0)
    timezone = "UTC"               # for times an export gives without a zone (Blackboard, Moodle)

Extensions: a CSV ``student,lab,due`` (a new due date) or ``student,lab,days`` / ``hours`` (added to the lab's); a
row without ``lab`` applies to every lab.  A Canvas ``_LATE_`` file with no known time counts as one day late.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path

from .intake import aware, parse_time, student_key


class Method(StrEnum):
    PER_DAY = "per_day"
    NBGRADER = "nbgrader"
    NONE = "none"


@dataclass(frozen=True)
class Policy:
    method: Method = Method.NONE
    percent_per_day: float = 10.0
    cap_percent: float = 100.0
    grace_minutes: float = 0.0
    penalty_method: str = "zero"
    timezone: str = "UTC"

    @classmethod
    def from_settings(cls, settings: dict) -> Policy:
        late = settings.get("late", {})
        return cls(
            method=Method(late.get("policy", "none")),
            percent_per_day=float(late.get("percent_per_day", 10)),
            cap_percent=float(late.get("cap_percent", 100)),
            grace_minutes=float(late.get("grace_minutes", 0)),
            penalty_method=str(late.get("penalty_method", "zero")),
            timezone=str(late.get("timezone", "UTC")),
        )

    def percent(self, student: str, seconds_late: float) -> float:
        """The share of the lab's score (0-100) a submission this late loses."""
        if seconds_late <= self.grace_minutes * 60 or self.method is Method.NONE:
            return 0.0
        if self.method is Method.PER_DAY:
            days = math.ceil(seconds_late / 86400)
            return min(self.cap_percent, days * self.percent_per_day)
        from nbgrader.plugins import LateSubmissionPlugin

        penalty = LateSubmissionPlugin(penalty_method=self.penalty_method).late_submission_penalty(
            student, 100.0, seconds_late
        )
        return float(penalty or 0.0)


@dataclass
class Lateness:
    due: datetime | None
    submitted_at: datetime | None
    seconds_late: float = 0.0
    percent: float = 0.0
    note: str = ""

    @property
    def label(self) -> str:
        if not self.seconds_late:
            return "on time" if self.due and self.submitted_at else ""
        hours = self.seconds_late / 3600
        late = f"{hours:.1f} h late" if hours < 48 else f"{hours / 24:.1f} days late"
        return f"{late}, -{self.percent:g}%"


def due_date(settings: dict, lab_id: str, tz: str = "UTC") -> datetime | None:
    value = settings.get("labs", {}).get(lab_id, {}).get("due")
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):  # a bare date: the end of that day
        value = datetime.combine(value, time(23, 59, 59))
    if isinstance(value, str):
        value = parse_time(value)
    return aware(value, tz)


def read_extensions(path: Path | None) -> dict[tuple[str, str], object]:
    """(student, lab or "") -> a new due date (datetime) or extra time (timedelta)."""
    if path is None:
        return {}
    out: dict[tuple[str, str], object] = {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            sid = student_key(row.get("student") or row.get("id") or "")
            if not sid:
                continue
            key = (sid, row.get("lab", ""))
            if row.get("due"):
                out[key] = parse_time(row["due"])
            elif row.get("days") or row.get("hours"):
                out[key] = timedelta(days=float(row.get("days") or 0), hours=float(row.get("hours") or 0))
    return out


def assess(
    policy: Policy,
    due: datetime | None,
    student: str,
    lab_id: str,
    submitted_at: datetime | None,
    marked_late: bool = False,
    extensions: dict | None = None,
) -> Lateness:
    """How late ``student``'s submission is and what it costs (extensions applied)."""
    ext = (extensions or {}).get((student, lab_id), (extensions or {}).get((student, "")))
    note = ""
    if due is not None and ext is not None:
        due = aware(ext, policy.timezone) if isinstance(ext, datetime) else due + ext
        note = f"extension to {due.isoformat()}"
    submitted_at = aware(submitted_at, policy.timezone)
    if due is None:
        return Lateness(None, submitted_at, note=note)
    if submitted_at is None:
        if not marked_late or ext is not None:
            return Lateness(due, None, note=note)
        seconds = 86400.0  # the LMS says late but not when: one day
        note = "; ".join(x for x in (note, "marked late by the LMS, no time given: counted as one day") if x)
    else:
        seconds = max(0.0, (submitted_at - due).total_seconds())
    return Lateness(due, submitted_at, seconds, policy.percent(student, seconds), note)
