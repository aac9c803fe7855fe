"""The judge: hidden tests run in a grader's process, never in the student's kernel.

While nbgrader executes a submission (``course.nbgrader_ext.SafeExecute``), the student's cells run in the student's
kernel as usual, but an autograded test cell is not sent there.  The judge (``judge.py``) runs the test cell's code
itself, in a namespace where the student's names are fetched from the kernel on first use (``remote.py``): a tensor,
number, string or container of them arrives as a copy; anything else (a function, a model) stays in the kernel and is
reached through a handle, so that calling it runs the student's code where it belongs and returns data again.  What
crosses from the kernel is data only (``wire.py``: JSON, tensors as raw bytes; reading it cannot run code), and the
check functions, the references and the verdicts all live in the judge.  A kernel that lies can only lie with
correct answers.

``kit.py`` holds the helpers a hidden test uses where it must see the student's process (re-run an answer cell with
other data, count calls of a library function, count the Python lines a function runs, stand in for a function the
answer calls); those in-kernel checks are evidence the kernel could forge, so a test states them inside
``in_kernel()`` and they cost only a small share of the cell's points (``SafeExecute.in_kernel_share``).
``kernel_side.py`` is the kernel's half of the protocol.
"""
