"""nbgrader configuration of the course (nbgrader 0.9.6).

`course build` and `course grade` load this file for every nbgrader step; an instructor can also run plain
`nbgrader ...` commands from the repository root with it.  The course root is the current directory.
"""

import pathlib
import tomllib

c = get_config()  # noqa: F821 - injected by traitlets

_here = pathlib.Path(__file__).resolve().parent
_course = tomllib.loads((_here / "course.toml").read_text())["course"] if (_here / "course.toml").exists() else {}

c.CourseDirectory.course_id = _course.get("id", "dl_labs")
# Lab pages and editor files in source/<lab>/ are not copied into releases or autograded folders.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "lab.toml", ".DS_Store"]

# What students see where the solution was.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearSolutions.enforce_metadata = True

# Every notebook runs on the standard kernel (Colab's too), whatever kernelspec a submission carries.
c.ExecutePreprocessor.kernel_name = "python3"
# Per-cell limit.  Grading mode (NBGRADER_EXECUTION) keeps every cell of every lab far below it.
c.ExecutePreprocessor.timeout = 180
c.ExecutePreprocessor.interrupt_on_timeout = True
c.Execute.execute_retries = 0

# stderr zeroes a test cell in nbgrader; drop stderr that is known to be benign: library warnings and progress bars.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(Warning|warnings\.warn|NNPACK|it/s\]|s/it\]|\d+%\||building the font cache)"

# The course's Execute: survives dead kernels (points earned before are kept), a whole-notebook time budget,
# capped outputs, and the kernel in a bubblewrap sandbox when `course grade` asks for one (course/nbgrader_ext.py).
try:
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    from course.nbgrader_ext import SafeExecute

    # Kernels forked from a warm parent that imported the labs' libraries (course/warm_kernels.py), instead of a cold
    # start for every notebook; `COURSE_WARM_KERNELS=off` starts them cold.  `course grade` sets this per student.
    c.SandboxKernelManager.warm = True

    c.Autograde.autograde_preprocessors = [
        SafeExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
except ImportError:  # the course package is not installed: plain nbgrader behaviour
    pass

# Releases get the Open-in-Colab badge and the set-up cell from nbgrader itself, so a plain
# `nbgrader generate_assignment LAB --force` (or formgrader's Generate button) run from the repository root writes the
# same release/ as `course build` (which runs nbgrader with this file): course/colab.py.
try:
    from nbgrader.converters import GenerateAssignment

    from course.colab import ColabCells

    c.GenerateAssignment.preprocessors = [*GenerateAssignment.class_traits()["preprocessors"].default(), ColabCells]
except ImportError:  # the course package is not installed: plain nbgrader releases, without the Colab cells
    pass

# Put back test cells that a student deleted (nbgrader PR #1770); `course grade` re-attaches lost metadata first.
c.OverwriteCells.add_missing_cells = True

# Huge outputs (a print in a loop) are cut instead of bloating feedback.
c.LimitOutput.max_lines = 500
c.LimitOutput.max_traceback = 60
