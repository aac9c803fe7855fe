"""Print the given labs, the costliest first (the seconds their solutions took, as `course build` recorded them).

`make demo` grades the examples of several labs at a time: starting the longest first leaves no long lab running
alone at the end while a core idles (the rule `run_tasks` follows for students).

    .venv/bin/python scripts/labs_by_cost.py lab01 lab02 ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course.build import STAMP  # noqa: E402  # what `course build` records in an executed solution


def seconds(lab: str) -> float:
    total = 0.0
    for path in (ROOT / "solutions" / lab).glob("*.ipynb"):
        stamp = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get(STAMP, {})
        total += float(stamp.get("seconds") or 0)
    return total


if __name__ == "__main__":
    print("\n".join(sorted(sys.argv[1:], key=seconds, reverse=True)))
