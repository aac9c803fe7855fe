"""The Colab badge and set-up cell as an nbgrader preprocessor.

nbgrader_config.py appends ``ColabCells`` to ``GenerateAssignment.preprocessors``, so the release written by a plain
``nbgrader generate_assignment LAB --force`` (or formgrader's *Generate* button) from the repository root carries the
same badge and set-up cell, and the same record of its inputs, as the one ``course build`` writes (``course build``
runs nbgrader with the same config).
"""

from __future__ import annotations

from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


class ColabCells(Preprocessor):
    """Insert the Open-in-Colab badge and the set-up cell (``course.build.add_colab_cells``) into a release, and record
    the hash of the release's inputs (``course.build.release_inputs``)."""

    enabled = Bool(True, help="nbconvert skips preprocessors that are not enabled").tag(config=True)

    def preprocess(self, nb, resources):
        from .build import add_colab_cells, release_inputs, stamp_release
        from .config import Course

        info = resources.get("nbgrader", {})
        lab_id, name = info.get("assignment"), info.get("notebook")
        if not lab_id or not name:
            return nb, resources
        course = Course.load(Path.cwd())
        labs = {lab.id: lab for lab in course.labs()}
        notebook = f"{name}.ipynb"
        gpu = labs[lab_id].wants_gpu(notebook) if lab_id in labs else False
        add_colab_cells(nb, course, f"release/{lab_id}/{notebook}", gpu=gpu)
        if lab_id in labs:
            stamp_release(nb, release_inputs(course, labs[lab_id]))
        return nb, resources
