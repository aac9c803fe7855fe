"""Intake: turn what an LMS exports into one submission per student, keyed by the LMS's student id.

Recognised layouts (the top level of the folder or zip, after unwrapping a single enclosing folder):

  Canvas "Download Submissions"  flat files ``login_userid_submissionid_file.ext``; a late one reads
                                 ``login_LATE_userid_submissionid_file.ext``; a resubmitted file gets ``-1`` before
                                 its extension.  Student id: Canvas's user id.
  Moodle "Download all submissions", folders ``Full Name_123456_assignsubmission_file_/file.ext`` or flat
                                 ``Full Name_123456_assignsubmission_file_file.ext``.  Student id: the participant id
                                 (the grading worksheet's ``Participant 123456``).  ``onlinetext`` parts are skipped.
  Blackboard                     ``Assignment_username_attempt_YYYY-MM-DD-HH-MM-SS_file.ext`` plus the attempt's
                                 receipt ``..._attempt_YYYY-MM-DD-HH-MM-SS.txt`` (name, date submitted).  Student id:
                                 the username; only the latest attempt counts.
  GitHub Classroom               one cloned repository per student, ``assignment-username/`` (a ``.git`` inside).
                                 Student id: the user name; the time: the last commit's.
  plain                          anything else: one file or folder (or zip) per student, named after the student.

Submission times: Blackboard's receipt or file name, the last commit of a Classroom repository, or a times CSV
(``read_times``) such as the Moodle grading worksheet (``Last modified (submission)``).  Canvas's zip carries no time
but marks late files: without a time, a ``_LATE_`` file counts as one day late (see ``late.py``).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo


class ExportKind(StrEnum):
    CANVAS = "canvas"
    MOODLE_FOLDERS = "moodle-folders"
    MOODLE_FLAT = "moodle-flat"
    BLACKBOARD = "blackboard"
    GITHUB_CLASSROOM = "github-classroom"
    PLAIN = "plain"


@dataclass
class Submission:
    student: str  # the LMS's id: the nbgrader student id
    files: list[Path]
    kind: ExportKind = ExportKind.PLAIN
    name: str = ""  # as the export spells it (Moodle's full name, Blackboard's receipt, Canvas's login)
    login: str = ""  # Canvas's sortable login, Blackboard's username
    submitted_at: datetime | None = None
    marked_late: bool = False  # the LMS itself said late (Canvas's _LATE_)
    notes: list[str] = field(default_factory=list)


@dataclass
class Intake:
    kind: ExportKind
    submissions: dict[str, Submission]
    notes: list[str] = field(default_factory=list)


CANVAS = re.compile(r"^(?P<login>[a-z0-9]+?)_(?:(?P<late>LATE)_)?(?P<uid>\d+)_(?P<sub>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_(?P<file>.*)$")
BLACKBOARD = re.compile(
    r"^(?P<assignment>.+)_(?P<user>[^_]+)_attempt_(?P<stamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)"
    r"(?:(?P<receipt>\.txt)|_(?P<file>.+))$"
)


def _skip(path: Path) -> bool:
    return any(part.startswith(".") or part in ("__MACOSX", "__pycache__") for part in path.parts)


def top_entries(path: Path, work: Path) -> list[Path]:
    """The export's top-level entries: a zip is unpacked safely first; one enclosing folder is looked through."""
    from ..grader.intake import safe_extract

    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        root = work / "extracted"
        root.mkdir(parents=True, exist_ok=True)
        safe_extract(path, root)
    elif path.is_dir():
        root = path
    else:
        raise SystemExit(f"{path}: not a folder or a zip file")
    entries = sorted(p for p in root.iterdir() if not _skip(p.relative_to(root)))
    # an LMS zip often wraps everything in one folder (a folder given as the class is taken as it is)
    if root is not path and len(entries) == 1 and entries[0].is_dir() and not _looks_like_student(entries[0]):
        entries = sorted(p for p in entries[0].iterdir() if not _skip(p.relative_to(entries[0])))
    return entries


def _looks_like_student(entry: Path) -> bool:
    return bool(MOODLE.match(entry.name) or (entry / ".git").exists())


def detect(entries: list[Path]) -> ExportKind:
    """The layout most of the top-level entries follow (PLAIN when none is followed by half of them)."""
    if not entries:
        return ExportKind.PLAIN
    votes = {
        ExportKind.CANVAS: sum(1 for e in entries if e.is_file() and CANVAS.match(e.name)),
        ExportKind.MOODLE_FOLDERS: sum(1 for e in entries if e.is_dir() and MOODLE.match(e.name)),
        ExportKind.MOODLE_FLAT: sum(1 for e in entries if e.is_file() and MOODLE.match(e.name)),
        ExportKind.BLACKBOARD: sum(1 for e in entries if e.is_file() and BLACKBOARD.match(e.name)),
        ExportKind.GITHUB_CLASSROOM: sum(1 for e in entries if e.is_dir() and (e / ".git").exists()),
    }
    kind, n = max(votes.items(), key=lambda kv: kv[1])
    return kind if n and 2 * n >= len(entries) else ExportKind.PLAIN


def read_export(path: Path, work: Path) -> Intake:
    """Every student's files (copied under ``work/intake/<id>/`` with the names the student gave them)."""
    entries = top_entries(path, work)
    kind = detect(entries)
    intake = Intake(kind, {})
    if kind is ExportKind.PLAIN:
        intake.submissions = _plain(entries, work)
        return intake
    reader = {
        ExportKind.CANVAS: _canvas,
        ExportKind.MOODLE_FOLDERS: _moodle,
        ExportKind.MOODLE_FLAT: _moodle,
        ExportKind.BLACKBOARD: _blackboard,
        ExportKind.GITHUB_CLASSROOM: _classroom,
    }[kind]
    others = reader(entries, intake, work)
    if others:  # entries that do not follow the layout: each one a student of its own, as plain folders are
        intake.notes.append(f"{len(others)} entr(y/ies) not in the {kind.value} layout, taken as plain submissions")
        for sid, sub in _plain(others, work).items():
            while sid in intake.submissions:
                sid += "_"
            sub.student = sid
            intake.submissions[sid] = sub
    for sub in intake.submissions.values():
        _unpack_zips(sub, work)
    return intake


def _plain(entries: list[Path], work: Path) -> dict[str, Submission]:
    """Today's behaviour: one top-level entry per student, named after the student (``grader.intake.collect``)."""
    from ..grader.intake import collect_entries

    return {sid: Submission(sid, files) for sid, files in collect_entries(entries, work).items()}


def _place(sub: Submission, source: Path, filename: str, work: Path) -> None:
    """Copy ``source`` to ``work/intake/<student>/<filename>`` (a second file of the same name gets a prefix)."""
    folder = work / "intake" / sub.student
    folder.mkdir(parents=True, exist_ok=True)
    dest, n = folder / filename, 1
    while dest.exists():
        dest, n = folder / f"{n}_{filename}", n + 1
    shutil.copy2(source, dest)
    sub.files.append(dest)


def _unpack_zips(sub: Submission, work: Path) -> None:
    from ..grader.intake import safe_extract

    files = []
    for f in sub.files:
        if f.suffix.lower() == ".zip" and zipfile.is_zipfile(f):
            target = work / "unzipped" / sub.student / f.stem
            target.mkdir(parents=True, exist_ok=True)
            try:
                safe_extract(f, target)
                files += sorted(p for p in target.rglob("*") if p.is_file() and not _skip(p.relative_to(target)))
                continue
            except (ValueError, zipfile.BadZipFile, OSError):
                pass
        files.append(f)
    sub.files = files


def _canvas(entries: list[Path], intake: Intake, work: Path) -> list[Path]:
    others = []
    for entry in entries:
        m = CANVAS.match(entry.name) if entry.is_file() else None
        if not m:
            others.append(entry)
            continue
        sid = m["uid"]
        sub = intake.submissions.setdefault(sid, Submission(sid, [], ExportKind.CANVAS, login=m["login"]))
        sub.marked_late |= bool(m["late"])
        filename = re.sub(r"-\d+(\.[A-Za-z0-9]+)$", r"\1", m["file"])  # Canvas's resubmission suffix
        _place(sub, entry, filename, work)
    return others


def _moodle(entries: list[Path], intake: Intake, work: Path) -> list[Path]:
    others = []
    for entry in entries:
        m = MOODLE.match(entry.name)
        if not m:
            others.append(entry)
            continue
        sid = m["pid"]
        folders = intake.kind is ExportKind.MOODLE_FOLDERS
        sub = intake.submissions.setdefault(sid, Submission(sid, [], intake.kind, name=m["name"]))
        if m["plugin"] != "file":  # online text, comments: nothing to grade
            continue
        if entry.is_dir():
            for f in sorted(p for p in entry.rglob("*") if p.is_file() and not _skip(p.relative_to(entry))):
                _place(sub, f, f.name, work)
        elif not folders or m["file"]:
            _place(sub, entry, m["file"] or entry.name, work)
    return others


def _blackboard(entries: list[Path], intake: Intake, work: Path) -> list[Path]:
    others, attempts = [], {}  # user -> stamp -> (receipt, [(entry, filename)])
    for entry in entries:
        m = BLACKBOARD.match(entry.name) if entry.is_file() else None
        if not m:
            others.append(entry)
            continue
        attempt = attempts.setdefault(m["user"], {}).setdefault(m["stamp"], [None, []])
        if m["receipt"]:
            attempt[0] = entry
        else:
            attempt[1].append((entry, m["file"]))
    for user, by_stamp in attempts.items():
        latest = max(by_stamp)
        receipt, files = by_stamp[latest]
        sub = Submission(user, [], ExportKind.BLACKBOARD, login=user)
        sub.submitted_at = datetime.strptime(latest, "%Y-%m-%d-%H-%M-%S")
        if len(by_stamp) > 1:
            sub.notes.append(f"{len(by_stamp)} attempts: the latest ({latest}) is graded")
        if receipt is not None:
            text = receipt.read_text(errors="replace")
            name = re.search(r"^Name:\s*(.+?)\s*(?:\(.*\))?\s*$", text, re.M)
            sub.name = name[1] if name else ""
            when = re.search(r"^Date Submitted:\s*(.+?)\s*$", text, re.M)
            if when:
                sub.submitted_at = parse_time(when[1]) or sub.submitted_at
        intake.submissions[user] = sub
        for entry, filename in files:
            _place(sub, entry, filename, work)
    return others


def _classroom(entries: list[Path], intake: Intake, work: Path) -> list[Path]:
    repos = [e for e in entries if e.is_dir() and (e / ".git").exists()]
    names = [e.name for e in repos]
    prefix = ""
    if len(names) > 1:  # the assignment's prefix, up to its last hyphen: "lab01-" of lab01-octocat
        common = re.sub(r"[^-]*$", "", _common_prefix(names))
        prefix = common
    for entry in repos:
        sid = entry.name[len(prefix) :] or entry.name
        sub = intake.submissions.setdefault(sid, Submission(sid, [], ExportKind.GITHUB_CLASSROOM, login=sid))
        for f in sorted(p for p in entry.rglob("*") if p.is_file() and not _skip(p.relative_to(entry))):
            _place(sub, f, f.name, work)
        sub.submitted_at = _last_commit(entry)
    return [e for e in entries if e not in repos]


def _common_prefix(names: list[str]) -> str:
    first, last = min(names), max(names)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _last_commit(repo: Path) -> datetime | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "log", "-1", "--format=%cI"], capture_output=True, text=True, timeout=20
        )  # fmt: skip
        return datetime.fromisoformat(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


# Times -----------------------------------------------------------------------------------------------------------
TIME_FORMATS = [
    "%A, %d %B %Y, %I:%M %p",  # Moodle: Friday, 5 February 2027, 5:03 PM
    "%A, %B %d, %Y %I:%M:%S %p %Z",  # Blackboard: Friday, February 5, 2027 5:03:12 PM GMT
    "%A, %B %d, %Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
]


def parse_time(text: str) -> datetime | None:
    """An export's time: ISO 8601 or one of the LMSs' own spellings (None when none fits)."""
    text = text.strip()
    if not text or text.lower() in ("-", "never", "n/a"):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in TIME_FORMATS:
        try:
            when = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if fmt.endswith("%Z") and text.endswith(("GMT", "UTC")):
            when = when.replace(tzinfo=UTC)
        return when
    return None


def aware(when: datetime | None, tz: str = "UTC") -> datetime | None:
    """A naive time (an export's local time) read in the course's time zone ([late] timezone, default UTC)."""
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=ZoneInfo(tz))


ID_COLUMNS = ("student", "id", "identifier", "username", "user", "student id", "participant")
TIME_COLUMNS = ("submitted_at", "timestamp", "submitted", "last modified (submission)", "date submitted", "time")


def student_key(value: str) -> str:
    """A student id as the exports write it: Moodle's ``Participant 123456`` is ``123456``."""
    return re.sub(r"^participant\s+", "", value.strip(), flags=re.I)


def read_times(path: Path) -> dict[str, datetime]:
    """Student id -> submission time, from a CSV with an id and a time column (Moodle's grading worksheet works)."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return {}
    cols = {c.strip().lower(): c for c in rows[0]}
    id_col = next((cols[c] for c in ID_COLUMNS if c in cols), None)
    time_col = next((cols[c] for c in TIME_COLUMNS if c in cols), None)
    if id_col is None or time_col is None:
        raise SystemExit(f"{path}: needs a student id column ({', '.join(ID_COLUMNS)}) and a time column "
                         f"({', '.join(TIME_COLUMNS)})")  # fmt: skip
    times = {}
    for row in rows:
        when = parse_time(row.get(time_col) or "")
        if when is not None and (row.get(id_col) or "").strip():
            times[student_key(row[id_col])] = when
    return times
