"""Author or review nbgrader source notebooks as plain text (an optional aid; the .ipynb stays the source).

    python tools/nbtext.py to-text  source/lab01/1_1_linear_regression.ipynb  > /tmp/nb.txt
    python tools/nbtext.py to-ipynb /tmp/nb.txt source/lab01/1_1_linear_regression.ipynb

Each cell starts with a header line:

    #%% md                                   markdown
    #%% code                                 code
    #%% code solution id=NAME                autograded answer
    #%% code test id=NAME points=N            autograder tests (locked)
    #%% code manual id=NAME points=N          manually graded code answer
    #%% md manual id=NAME points=N            manually graded written answer
    #%% md task id=NAME points=N              manually graded task
    #%% code readonly id=NAME                 locked cell
"""

from __future__ import annotations

import re
import sys

import nbformat

HEADER = re.compile(r"^#%% (md|code)((?: [a-z_]+(?:=[^ ]+)?)*)\s*$")
KINDS = {
    "solution": dict(solution=True, grade=False, locked=False),
    "test": dict(solution=False, grade=True, locked=True),
    "manual": dict(solution=True, grade=True, locked=False),
    "task": dict(solution=False, grade=False, locked=True, task=True),
    "readonly": dict(solution=False, grade=False, locked=True),
}


def parse(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    cells: list = []
    current = None
    for line in text.splitlines():
        m = HEADER.match(line)
        if m:
            current = {"type": m.group(1), "opts": m.group(2).split(), "lines": []}
            cells.append(current)
        elif current is not None:
            current["lines"].append(line)
    for n, spec in enumerate(cells):
        src = "\n".join(spec["lines"]).strip("\n")
        cell = nbformat.v4.new_markdown_cell(src) if spec["type"] == "md" else nbformat.v4.new_code_cell(src)
        opts = dict(o.split("=", 1) if "=" in o else (o, True) for o in spec["opts"])
        kind = next((k for k in KINDS if k in opts), None)
        cell.id = opts.get("id", f"c{n:03d}").replace("_", "-") if kind else f"c{n:03d}"
        if kind:
            meta = {"grade": False, "solution": False, "locked": False, "task": False}
            meta.update(KINDS[kind])
            meta["grade_id"] = opts["id"]
            if meta["grade"] or meta.get("task"):
                meta["points"] = float(opts["points"]) if "." in opts["points"] else int(opts["points"])
            meta["schema_version"] = 3
            cell.metadata["nbgrader"] = meta
        cells[n] = cell
    nb.cells = cells
    nbformat.validate(nb)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    out = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        head = "#%% " + ("md" if cell.cell_type == "markdown" else "code")
        if meta.get("grade_id"):
            for kind, flags in KINDS.items():
                if all(meta.get(k, False) == v for k, v in flags.items()):
                    head += f" {kind} id={meta['grade_id']}"
                    if "points" in meta and (meta.get("grade") or meta.get("task")):
                        head += f" points={meta['points']}"
                    break
        out.append(head + "\n" + cell.source + "\n")
    return "\n".join(out)


def main(argv: list[str]) -> None:
    if len(argv) >= 2 and argv[0] == "to-text":
        sys.stdout.write(render(nbformat.read(argv[1], as_version=4)))
    elif len(argv) == 3 and argv[0] == "to-ipynb":
        with open(argv[1]) as fh:
            nb = parse(fh.read())
        nbformat.write(nb, argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
