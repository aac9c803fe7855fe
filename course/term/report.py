"""The class report: ``course report LAB`` writes OUT/report.html, one page that reads offline.

What the class got: the distribution of lab totals and of each notebook's score; every test cell's mean and how many
students lost points on it; the tests most students failed with their most common failure messages (read from the
graded notebooks' error outputs); the students the integrity scan flagged; time-outs and dead kernels; grading time
per student.  Plots are PNG images embedded in the page (matplotlib, base64).
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .. import nbtools
from ..config import Course, Lab
from . import gradebook, record


@dataclass
class TestStats:
    notebook: str
    test: str
    max_score: float
    scores: list[float] = field(default_factory=list)
    messages: Counter = field(default_factory=Counter)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.scores if s < self.max_score)

    @property
    def mean(self) -> float:
        return sum(self.scores) / len(self.scores) if self.scores else 0.0


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def failure_message(cell) -> str:
    """The first line of a test cell's error (``AssertionError: ...``), without ANSI colours."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            value = re.sub(r"\x1b\[[0-9;]*m", "", str(out.get("evalue", ""))).strip().splitlines()
            return f"{out.get('ename', 'Error')}: {value[0] if value else ''}"[:200]
    return "no error shown (printed output or partial score)"


def gather(lab: Lab, out: Path):
    from ..grader.reports import read_rows

    rows = read_rows(out)
    tests: dict[tuple[str, str], TestStats] = {}
    per_notebook: dict[str, list[float]] = {}
    for row in rows:
        if not row.cells:
            continue
        per_notebook.setdefault(row.notebook, []).append(row.score)
        graded = out / "autograded" / row.student / lab.id / row.notebook
        cells = {}
        if graded.exists():
            cells = {nbtools.nbgrader_meta(c).get("grade_id"): c for c in nbtools.read(graded).cells}
        for gid, cell in row.cells.items():
            if cell.get("auto_score") is None and cell.get("needs_manual_grade"):
                continue  # marked by hand: not a test
            stats = tests.setdefault((row.notebook, gid), TestStats(row.notebook, gid, cell["max_score"]))
            stats.scores.append(cell["score"])
            if cell["score"] < cell["max_score"] and gid in cells:
                stats.messages[failure_message(cells[gid])] += 1
    return rows, tests, per_notebook


def build(course: Course, lab: Lab, out: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, tests, per_notebook = gather(lab, out)
    records = record.load(out)
    totals = gradebook.totals(course, lab, out) if (out / gradebook.DB).exists() else {}
    e = html.escape
    parts = [f"<h1>{e(course.title)}: {e(lab.id)} class report</h1>"]
    submitted = [t for t in totals.values() if t.submitted]
    parts.append(f"<p>{len(totals)} student(s), {len(submitted)} with a submission. Scores are points; lab totals "
                 "are after the late penalty.</p>")  # fmt: skip

    if submitted:
        fig, ax = plt.subplots(figsize=(6, 2.6))
        ax.hist([t.total for t in submitted], bins=10, range=(0, submitted[0].max_score), edgecolor="black",
                hatch="//", fill=False)  # fmt: skip
        ax.set_xlabel("lab total (points)")
        ax.set_ylabel("students")
        parts.append("<h2>Lab totals</h2>" + _png(fig))
        mean = sum(t.total for t in submitted) / len(submitted)
        parts.append(
            f"<p>Mean {mean:.1f} of {submitted[0].max_score:g}; "
            f"{sum(t.needs_manual for t in submitted)} student(s) still have answers to mark by hand.</p>"
        )

    if per_notebook:
        names = sorted(per_notebook)
        fig, axes = plt.subplots(1, len(names), figsize=(2.6 * len(names), 2.4), squeeze=False)
        maxima = {r.notebook: r.max_score for r in rows}
        for ax, name in zip(axes[0], names, strict=True):
            ax.hist(per_notebook[name], bins=5, range=(0, maxima[name] or 1), edgecolor="black", fill=False)
            ax.set_title(name.removesuffix(".ipynb"), fontsize=8)
            ax.set_xlabel("points")
        axes[0][0].set_ylabel("students")
        # the same figures as text, for readers who cannot see the plot
        table = "".join(
            f"<tr><td>{e(name)}</td><td>{len(per_notebook[name])}</td>"
            f"<td>{sum(per_notebook[name]) / len(per_notebook[name]):.1f}</td><td>{maxima[name]:g}</td></tr>"
            for name in names
        )
        parts.append(
            "<h2>Score per notebook</h2><p>Students who handed the notebook in.</p>"
            + _png(fig)
            + f"<table><tr><th>notebook</th><th>students</th><th>mean</th><th>max</th></tr>{table}</table>"
        )

    if tests:
        ordered = sorted(tests.values(), key=lambda t: (t.notebook, t.test))
        fig, ax = plt.subplots(figsize=(7, 0.3 * len(ordered) + 1))
        ax.barh([f"{t.notebook.removesuffix('.ipynb')}/{t.test}" for t in ordered],
                [100 * t.mean / t.max_score if t.max_score else 0 for t in ordered], color="white",
                edgecolor="black", hatch="..")  # fmt: skip
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("mean score (% of the test's points)")
        ax.tick_params(axis="y", labelsize=7)
        parts.append("<h2>Score per test cell</h2>" + _png(fig))
        worst = sorted((t for t in tests.values() if t.failed), key=lambda t: (-t.failed, t.notebook, t.test))[:15]
        body = "".join(
            f"<tr><td>{e(t.notebook)}</td><td>{e(t.test)}</td><td>{t.failed} of {len(t.scores)}</td>"
            f"<td>{'<br>'.join(f'{n}× <code>{e(m)}</code>' for m, n in t.messages.most_common(3))}</td></tr>"
            for t in worst
        )
        parts.append(
            "<h2>The tests most students failed</h2><table><tr><th>notebook</th><th>test</th>"
            f"<th>lost points</th><th>most common failure messages</th></tr>{body}</table>"
            if worst
            else "<h2>The tests most students failed</h2><p>None: every test passed.</p>"
        )

    flagged = [r for r in rows if r.integrity or r.status.startswith("tampered")]
    body = "".join(f"<tr><td>{e(r.student)}</td><td>{e(r.notebook)}</td><td>{e(r.status)}</td>"
                   f"<td>{e(r.integrity)}</td></tr>" for r in flagged)  # fmt: skip
    parts.append("<h2>Flagged by the integrity scan</h2>" + (
        f"<table><tr><th>student</th><th>notebook</th><th>status</th><th>notes</th></tr>{body}</table>"
        if flagged else "<p>No notebook was flagged.</p>"))  # fmt: skip

    broken = [r for r in rows if r.status.startswith(("error", "corrupt"))
              or any(n.startswith(("kernel died", "time limit")) for n in r.notes)]  # fmt: skip
    body = "".join(f"<tr><td>{e(r.student)}</td><td>{e(r.notebook)}</td><td>{e(r.status)}</td></tr>" for r in broken)
    parts.append(
        "<h2>Time-outs, dead kernels and unreadable files</h2>"
        + (
            f"<table><tr><th>student</th><th>notebook</th><th>status</th></tr>{body}</table>"
            if broken
            else "<p>None.</p>"
        )
    )

    timed = sorted((r for r in records.values() if r.grading_seconds), key=lambda r: -r.grading_seconds)
    if timed:
        fig, ax = plt.subplots(figsize=(6, 0.3 * len(timed) + 1))
        ax.barh([r.id for r in timed], [r.grading_seconds for r in timed], color="white", edgecolor="black")
        ax.invert_yaxis()
        ax.set_xlabel("grading time (s)")
        total = sum(r.grading_seconds for r in timed)
        parts.append(
            f"<h2>Grading time per student</h2><p>{total:.0f} s in all, {total / len(timed):.1f} s per "
            "student (each student's whole grading: kernel start, tests, feedback).</p>" + _png(fig)
        )

    late = [r for r in records.values() if r.seconds_late]
    if late:
        body = "".join(f"<tr><td>{e(r.id)}</td><td>{e(r.name)}</td><td>{r.seconds_late / 3600:.1f} h</td>"
                       f"<td>{r.late_percent:g}%</td><td>{e(r.late_note)}</td></tr>" for r in late)  # fmt: skip
        parts.append(
            "<h2>Late submissions</h2><table><tr><th>student</th><th>name</th><th>late by</th>"
            f"<th>penalty</th><th>note</th></tr>{body}</table>"
        )
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}img{max-width:100%}"
    )
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(lab.id)} class report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")  # fmt: skip


def main(course: Course, lab: Lab, out: Path) -> int:
    out = Path(out).resolve()
    if not (out / "scores.json").exists():
        print(f"course report: nothing graded in {out} (run `course grade {lab.id} ... -o {out}` first)")
        return 2
    page = out / "report.html"
    page.write_text(build(course, lab, out), encoding="utf-8")
    print(f"wrote {page}")
    return 0
