"""The class's results as files: grades.csv, scores.json, and the summary table ``course grade`` prints."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .records import Row

CSV_FIELDS = ["student", "notebook", "score", "max_score", "status", "needs_manual_grade", "integrity"]


def write_reports(rows: list[Row], out: Path) -> None:
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row.csv())
    report: dict[str, dict] = {}
    for row in rows:
        report.setdefault(row.student, {})[row.notebook] = {
            "score": row.score,
            "max_score": row.max_score,
            "status": str(row.status),
            "needs_manual_grade": row.needs_manual_grade,
            "notes": row.notes,
            "cells": row.cells,
            "integrity": row.integrity,
        }
    (out / "scores.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_rows(out: Path) -> list[Row]:
    """The rows an earlier run wrote to ``out/scores.json``."""
    path = Path(out) / "scores.json"
    if not path.exists():
        return []
    rows = []
    for sid, notebooks in json.loads(path.read_text(encoding="utf-8")).items():
        for name, d in notebooks.items():
            rows.append(Row(sid, name, d["score"], d["max_score"], d["status"], d["needs_manual_grade"],
                            d.get("notes", []), d.get("cells", {}), d.get("integrity", "")))  # fmt: skip
    return rows


def summary(rows: list[Row]) -> str:
    header = ("student", "notebook", "score", "status")
    table = [header] + [
        (r.student, r.notebook, f"{r.score:g}/{r.max_score:g}" + (" +manual" if r.needs_manual_grade else ""),
         r.status)
        for r in rows
    ]  # fmt: skip
    widths = [min(48, max(len(str(t[i])) for t in table)) for i in range(len(header))]
    lines = []
    for n, t in enumerate(table):
        lines.append("  ".join(str(v)[:48].ljust(w) for v, w in zip(t, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
