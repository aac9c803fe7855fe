"""Intake: the files a student handed in, matched to the lab's notebooks and read.

The LMS layouts (Canvas, Moodle, Blackboard, GitHub Classroom) are read by ``course.term.intake.read_export``, which
yields one list of files per student; here each file is matched to a notebook of the lab by name (``Copy of
X.ipynb``, ``X (1).ipynb`` and ``alice_X.ipynb`` mean ``X.ipynb``) or, failing that, by content, and read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .records import Kind, Row, Status

MAX_UNZIPPED = 2 * 1024**3  # refuse zip bombs
MAX_NOTEBOOK = 200 * 1024**2


def student_id(name: str) -> str:
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name)
    sid = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._-")
    return sid or "student"


def _skip(path: Path) -> bool:
    return any(part.startswith(".") or part in ("__MACOSX", "__pycache__") for part in path.parts)


def safe_extract(archive: Path, dest: Path) -> None:
    """Extract a zip without letting it write outside ``dest`` or explode in size."""
    with zipfile.ZipFile(archive) as zf:
        total = 0
        for info in zf.infolist():
            total += info.file_size
            if total > MAX_UNZIPPED:
                raise ValueError(f"{archive.name}: archive unpacks to more than {MAX_UNZIPPED >> 20} MiB")
            target = (dest / info.filename).resolve()
            if not str(target).startswith(str(dest.resolve()) + os.sep) or info.is_dir():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def normalise_name(filename: str) -> str:
    """``Copy of X (1).ipynb`` -> ``x``: the stem a renamed copy stands for (lower case)."""
    stem = re.sub(r"\.ipynb$", "", filename.strip(), flags=re.I)
    while True:
        new = re.sub(r"^(copy of|kopie von|copie de|copia de)\s+", "", stem, flags=re.I)
        new = re.sub(r"\s*\(\d+\)$", "", new)
        new = re.sub(r"[-_ ]?(checkpoint|copy\d*)$", "", new, flags=re.I)
        if new == stem:
            break
        stem = new
    return stem.strip().lower()


def match_notebook(path: Path, names: list[str], grade_ids: dict[str, set[str]]) -> tuple[str | None, str]:
    """Which of the lab's notebooks ``path`` is; returns (name or None, how it was matched)."""
    norm = normalise_name(path.name)
    stems = {n[: -len(".ipynb")].lower(): n for n in names}
    if norm in stems:
        return stems[norm], "name"
    # a prefix or suffix such as a student id: longest stem contained in the name wins
    for stem in sorted(stems, key=len, reverse=True):
        if stem in norm.replace(" ", "_"):
            return stems[stem], "name"
    if path.suffix.lower() != ".ipynb":
        return None, "not a notebook"
    try:
        nb = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        ids = {
            c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            for c in nb.get("cells", [])
            if isinstance(c, dict)
        }
    except (json.JSONDecodeError, AttributeError, TypeError, ValueError):
        return None, "unreadable"
    best = max(names, key=lambda n: len(ids & grade_ids[n]))
    if ids & grade_ids[best]:
        return best, "content"
    if len(names) == 1:
        return names[0], "only notebook"
    return None, "no cell of the lab's notebooks found"


def collect(path: Path, work: Path) -> dict[str, list[Path]]:
    """student id -> the files they handed in, one top-level entry per student (plain folders and zips; the LMS
    layouts are read by ``course.term.intake.read_export``)."""
    from ..term.intake import top_entries

    return collect_entries(top_entries(path, work), work)


def collect_entries(entries: list[Path], work: Path) -> dict[str, list[Path]]:
    """One student per entry: a folder's files, a zip's contents, or the file itself."""
    students: dict[str, list[Path]] = {}
    for entry in entries:
        sid = student_id(entry.name)
        while sid in students:
            sid += "_"
        if entry.is_dir():
            files = sorted(p for p in entry.rglob("*") if p.is_file() and not _skip(p.relative_to(entry)))
        elif entry.suffix.lower() == ".zip" and zipfile.is_zipfile(entry):
            unpacked = work / "unzipped" / sid
            unpacked.mkdir(parents=True, exist_ok=True)
            try:
                safe_extract(entry, unpacked)
                files = sorted(p for p in unpacked.rglob("*") if p.is_file() and not _skip(p.relative_to(unpacked)))
            except (ValueError, zipfile.BadZipFile, OSError):
                files = [entry]
        else:
            files = [entry]
        students[sid] = files
    return students


def load_submission(path: Path, report=None):
    """Read a submitted notebook, upgrading old formats; raises ValueError with a readable reason."""
    if path.stat().st_size > MAX_NOTEBOOK:
        raise ValueError(f"file is larger than {MAX_NOTEBOOK >> 20} MiB")
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise ValueError("JSON but not a Jupyter notebook")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises a zoo of exceptions
        raise ValueError(f"not a readable notebook ({type(exc).__name__}: {exc})") from None
    if report is not None and raw.get("nbformat", 4) < 4:
        report.notes.append(f"old notebook format {raw.get('nbformat')} upgraded to 4")
    if report is not None and path.stat().st_size > 5 * 1024**2:
        report.notes.append(f"large file ({path.stat().st_size >> 20} MiB of outputs): outputs cleared")
    for cell in nb.cells:  # Colab-era cells may lack ids or carry execution metadata
        cell.metadata.pop("execution", None)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError:
        nb = nbformat.validator.normalize(nb)[1] if hasattr(nbformat.validator, "normalize") else nb
    return nb


def corrupt_reason(path: Path) -> str:
    try:
        load_submission(path)
    except (ValueError, OSError) as exc:
        return str(exc)
    return "unreadable"


@dataclass
class Chosen:
    """The file graded as one of the lab's notebooks, and how it was matched (``match_notebook``)."""

    path: Path
    how: str


def choose(sid: str, files: list[Path], grade_ids: dict[str, set[str]]) -> tuple[dict[str, Chosen], list[Row]]:
    """Which file is graded as which notebook (the exact name first, then the newer file); rows for the others."""
    names = sorted(grade_ids)
    chosen: dict[str, Chosen] = {}
    rows: list[Row] = []
    for f in files:
        name, how = match_notebook(f, names, grade_ids)
        if name is None and how == "unreadable" and len(names) == 1:
            name = names[0]
        if name is None:
            if how == "unreadable":
                status = Status(Kind.CORRUPT, corrupt_reason(f))
            else:
                status = Status(Kind.IGNORED, "not a notebook" if f.suffix.lower() != ".ipynb" else how)
            rows.append(Row(sid, f.name, status=status))
            continue
        if name in chosen:
            old = chosen[name]
            keep_new = (f.name == name) or (old.path.name != name and f.stat().st_mtime > old.path.stat().st_mtime)
            other = old.path if keep_new else f
            if keep_new:
                chosen[name] = Chosen(f, how)
            rows.append(Row(sid, other.name, status=Status(Kind.IGNORED, f"a second file for {name}")))
        else:
            chosen[name] = Chosen(f, how)
    return chosen, rows
