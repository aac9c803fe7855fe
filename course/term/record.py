"""What `course grade` learnt about each student of a lab: the output folder's ``students.json``.

One record per student, whether they submitted (intake), are on the roster, or both: their LMS ids, name, the
submission time, lateness and grading time.  ``marks``, ``export`` and ``report`` read it back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .roster import Person

FILE = "students.json"


@dataclass
class StudentRecord(Person):
    """A roster entry (``roster.Person``) with what grading learnt about the student's submission."""

    login: str = ""
    kind: str = ""  # the export it came from (intake.ExportKind), "" for a roster entry with no submission
    submitted: bool = False
    submitted_at: str = ""  # ISO 8601
    due: str = ""
    seconds_late: float = 0.0
    late_percent: float = 0.0
    late_note: str = ""
    grading_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def load(out: Path) -> dict[str, StudentRecord]:
    path = Path(out) / FILE
    if not path.exists():
        return {}
    names = {f.name for f in fields(StudentRecord)}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {sid: StudentRecord(**{k: v for k, v in rec.items() if k in names}) for sid, rec in raw.items()}


def save(out: Path, records: dict[str, StudentRecord]) -> None:
    data = {sid: asdict(records[sid]) for sid in sorted(records)}
    (Path(out) / FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
