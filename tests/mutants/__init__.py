"""Banks of wrong (and alternative correct) answers, one module per notebook: tests/mutants/<lab>/<stem>.py.

Each module defines ``MUTANTS``: a list of dicts with
  cell    the grade_id of the solution cell the answer replaces (its whole source),
  tests   the grade_ids of the test cells that must lose points (kind "wrong") or keep full marks ("correct"),
  kind    "wrong" or "correct",
  name    a short name,
  source  the cell as a student would hand it in.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).parent


LIMITS: dict[tuple[str, str], int] = {}  # (lab, notebook) -> the bank's PER_TEST, where a bank sets one


def load(lab_id: str) -> dict[str, list[dict]]:
    """notebook file name -> its mutants.  A bank may set ``PER_TEST = N``: the suite then grades N wrong answers per
    test cell of that notebook by default (see tests/conftest.py), not the whole bank."""
    banks: dict[str, list[dict]] = {}
    for path in sorted((HERE / lab_id).glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"mutants_{lab_id}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        banks[f"{path.stem}.ipynb"] = list(module.MUTANTS)
        if hasattr(module, "PER_TEST"):
            LIMITS[(lab_id, f"{path.stem}.ipynb")] = int(module.PER_TEST)
    return banks
