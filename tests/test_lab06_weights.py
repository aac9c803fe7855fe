"""Lab 6 grades the same with and without cached ImageNet weights.

The regular grading tests (test_grading.py) run where no pretrained weights can be had: lab 6's notebooks then warn
and go on with a randomly initialised ResNet-18.  An instructor who pre-caches the real weights must get the same
marks, so here the lab is graded again with a stand-in checkpoint -- a randomly initialised ResNet-18 saved under the
exact file name of torchvision's weights URL in a temporary ``$TORCH_HOME/hub/checkpoints`` -- which torchvision loads
exactly as it would load the real file.  The source notebooks must score full marks, the untouched release zero, and
the notebooks must report that they used the cached weights.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course import nbtools
from course.build import build_release
from course.grade import grade_class
from tests.conftest import COURSE, LABS
from tests.test_grading import autograded_tests

LAB = next((lab for lab in LABS if lab.id == "lab06"), None)


def _outputs(nb) -> str:
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append(out.get("text", ""))
    return "".join(texts)


@pytest.mark.slow
@pytest.mark.skipif(LAB is None, reason="lab06 is not in source/")
def test_lab06_grades_the_same_with_cached_weights(tmp_path, monkeypatch):
    import torch
    from torchvision.models import ResNet18_Weights, resnet18

    home = tmp_path / "torch_home"
    checkpoint = home / "hub" / "checkpoints" / Path(ResNet18_Weights.IMAGENET1K_V1.url).name
    checkpoint.parent.mkdir(parents=True)
    torch.manual_seed(1234)
    torch.save(resnet18(weights=None).state_dict(), checkpoint)
    monkeypatch.setenv("TORCH_HOME", str(home))  # inherited by nbgrader and its kernels

    # The class: the source notebooks themselves and the untouched release, built from the current source.
    build_release(COURSE, LAB, tmp_path / "built", tmp_path / "work")
    release = tmp_path / "built" / "release" / LAB.id
    for path in LAB.notebooks:
        nbtools.write(nbtools.read(path), tmp_path / "class" / "source" / path.name)
        nbtools.write(nbtools.read(release / path.name), tmp_path / "class" / "release" / path.name)
    rows = grade_class(COURSE, LAB, tmp_path / "class", tmp_path / "out", quiet=True, feedback=False)
    by_case = {(row.student, row.notebook): row for row in rows}

    for path in LAB.notebooks:
        solved, blank = by_case[("source", path.name)], by_case[("release", path.name)]
        assert solved.status == "ok", solved.status
        assert blank.status == "ok", blank.status
        tests = autograded_tests(path)
        assert tests
        for grade_id, points in tests.items():
            assert solved.cells[grade_id]["score"] == points, f"{path.name}/{grade_id}: {solved.cells[grade_id]}"
            assert blank.cells[grade_id]["score"] == 0, f"{path.name}/{grade_id} passes on the untouched release"
        graded = nbtools.read(tmp_path / "out" / "autograded" / "source" / "lab06" / path.name)
        text = _outputs(graded)
        assert "Loaded ResNet-18 with its ImageNet weights" in text, f"{path.name} did not load the cached weights"
        assert "NO PRETRAINED WEIGHTS" not in text
