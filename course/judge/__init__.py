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
    student's code trains comes back with its new weights and modes, an optimiser with its state;
  * functions and lambdas that the *visible* part of a test cell defines (the release holds their source anyway),
    unless they read the test's own variables: those run here, as callbacks;
  * ``Stub(returns=...)`` stand-ins, and the answer cell re-run with other data (``rerun_cell``);
  * the probes of ``course/probes.py`` (``Probe``, ``Moved``, ``TrialHook``): library-style objects that report to
    a function of the test how the student's code uses them;
  * library attributes a test assigns through ``torch`` (``torch.cuda.is_available = ...``, and back): assigned in
    the kernel too; ``make_in_kernel(path, ...)`` builds a library object there and returns its handle;
  * functions of the *hidden* part -- a reference implementation swapped in for the student's
    (``hinge_loss = _reference``: assigning a student's name that the test has read assigns it in the kernel too), an
    objective to minimise, a ``LambdaLR``'s lambda -- as callbacks: the student's code calls a stand-in that asks the
    judge (``channel.py``), the function runs here, and autograd crosses both ways (a reference training step run
    here on the student's model, a handle, trains it in the kernel); a callback runs with the kernel's random state.

The same object of the kernel is always the same handle (``a.dataset is trainset`` holds as it does there), and
``type(x)``, ``copy.deepcopy(x)`` and ``next(x)`` of a handle answer as they would there.  A module sent by value
stays one module in two places for the rest of the test cell: after every call of the student's code the judge's
copy takes the kernel's weights and modes (a model given to ``build_trial`` is trained by ``trial.run()``), and when
it is sent again, what the test changed is pushed to the kernel's copy, which the student's code gets back (so that
an early-stopping rule that keeps a reference instead of a copy is seen to).

What does not cross, by design: the source of anything the hidden part defines.  A factory that must build a
library object around the kernel's tensors (``lambda params: SGD(params, lr=0.1)``) is written as
``functools.partial(SGD, lr=0.1)`` (a library object, pickled); a callback building it here would wrap copies.  The
judge runs with the grader's rights, so a judged test never runs files the student wrote (scripts, pickles): that
belongs in the kernel: the modules that reach files and processes (``os``, ``pathlib``, ``shutil``, ``tempfile``,
``subprocess``... ``wire.KERNEL_SIDE``) are the kernel's in a judged test, reached through handles, so that
``subprocess.run(["python", "main.py", ...])`` runs the student's script in the student's sandbox, and
``kit.kernel_call("torch.load", path, weights_only=True)`` reads a file the student's code wrote, there.
"""
