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

Writing a judged test (``judge = true`` in the lab's ``lab.toml``) -- what crosses to the student's kernel:

  * data (tensors, numbers, strings, lists, tuples, dicts), sent by value; a tensor the student's function changes
    in place, or whose ``.grad`` it fills, is changed in the judge too, and a tensor it returns keeps its autograd
    link: ``f(x).backward()`` in the judge fills ``x.grad`` through the kernel;
  * the student's own objects, as handles (``Remote``): attributes, calls, indexing, iteration, operators and
    ``isinstance(x, StudentClass)`` are requests; ``isinstance(model, nn.Module)`` holds for their models;
  * library objects the test builds (a ``DataLoader`` over tensors, ``nn`` layers, an optimiser and its scheduler,
    ``functools.partial(torch.optim.SGD, lr=0.1)``), as one pickle per call, so sharing is kept; a module the
    student's code trains comes back with its new weights and modes;
  * functions and lambdas that the *visible* part of a test cell defines (the release holds their source anyway);
  * ``Stub(returns=...)`` stand-ins, and the answer cell re-run with other data (``rerun_cell``);
  * functions of the *hidden* part -- a reference implementation swapped in for the student's
    (``hinge_loss = _reference``: assigning a student's name that the test has read assigns it in the kernel too), an
    objective to minimise, a ``LambdaLR``'s lambda -- as callbacks: the student's code calls a stand-in that asks the
    judge (``channel.py``), the function runs here, and autograd crosses both ways (a reference training step run
    here on the student's model, a handle, trains it in the kernel).

What does not cross, by design: the source of anything the hidden part defines.  A factory that must build a
library object around the kernel's tensors (``lambda params: SGD(params, lr=0.1)``) is written as
``functools.partial(SGD, lr=0.1)`` (a library object, pickled); a callback building it here would wrap copies.  The
judge runs with the grader's rights, so a judged test never runs files the student wrote (scripts, pickles): that
belongs in the kernel.  Labs 4-6 still hold such tests and run in the kernel until they are converted.
"""
