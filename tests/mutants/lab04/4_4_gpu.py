"""Mutant bank of lab 4.4 (using a GPU).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The hidden tests run on a CPU-only
machine: they pretend that CUDA is (or is not) available, use the meta device, and record synchronisation calls.
Each test calls only the answer it grades (test_train_epoch also uses to_device, through the source's own
train_epoch, which the train_epoch mutants replace), so the wrong answers are packed, except those of to_device,
whose failure would also break train_epoch's correct answer in the same run.
"""

_CHOOSE = '''def choose_device():
    """torch.device('cuda') if a CUDA GPU is available, else torch.device('cpu')."""
{body}


device = choose_device()
print("device:", device)
'''
_CHOOSE_WRONG = {
    "always_cpu": '    return torch.device("cpu")',
    # the function object is always truthy
    "missing_call": '    return torch.device("cuda" if torch.cuda.is_available else "cpu")',
    "inverted": '    return torch.device("cpu" if torch.cuda.is_available() else "cuda")',
    # whether PyTorch was built with CUDA, not whether a GPU is there
    "built_not_available": '    return torch.device("cuda" if torch.backends.cuda.is_built() else "cpu")',
    "string_not_device": '    return "cuda:0" if torch.cuda.is_available() else "cpu"',
}
_CHOOSE_CORRECT = {
    "cuda_0": '    return torch.device("cuda:0") if torch.cuda.is_available() else torch.device("cpu")',
    "with_mps": """    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")""",
    "device_count": '    return torch.device("cuda" if torch.cuda.device_count() > 0 else "cpu")',
    "course_helper": "    return course.get_device(verbose=False)",
}

_TO = '''def to_device(batch, device):
    """The tensors of `batch` (a tuple or list) moved to `device`, as a tuple."""
{body}
'''
_TO_WRONG = {
    # .to returns a new tensor; the result is thrown away
    "result_discarded": """    for t in batch:
        t.to(device)
    return tuple(batch)""",
    "inputs_only": """    inputs, *rest = batch
    return (inputs.to(device), *rest)""",
    "cuda_hard_coded": "    return tuple(t.cuda() for t in batch)",
    "generator_not_tuple": "    return (t.to(device) for t in batch)",
    "first_two_only": "    return (batch[0].to(device), batch[1].to(device))",
    "list_not_tuple": "    return [t.to(device) for t in batch]",
}
_TO_CORRECT = {
    "map": "    return tuple(map(lambda t: t.to(device), batch))",
    "loop_non_blocking": """    moved = []
    for t in batch:
        moved.append(t.to(device=device, non_blocking=True))
    return tuple(moved)""",
}

_TRAIN = '''def train_epoch(model, loader, optimiser, loss_fn, device):
    """One training epoch on `device`; returns the mean of the batch losses (a float)."""
{body}
'''


def _train(train="    model.train()\n", move="        inputs, labels = to_device(batch, device)\n",
           zero="        optimiser.zero_grad()\n", ret="    return total / batches"):  # fmt: skip
    return (
        train
        + "    total, batches = 0.0, 0\n    for batch in loader:\n"
        + move
        + zero
        + "        loss = loss_fn(model(inputs), labels)\n        loss.backward()\n        optimiser.step()\n"
        + "        total += loss.item()\n        batches += 1\n"
        + ret
    )


_TRAIN_WRONG = {
    "forgets_train_mode": _train(train=""),
    "batches_not_moved": _train(move="        inputs, labels = batch\n"),
    # gradients accumulate over the batches
    "forgets_zero_grad": _train(zero=""),
    "returns_last_loss": _train(ret="    return loss.item()"),
    "model_eval": _train(train="    model.eval()\n"),
    "sum_not_mean": _train(ret="    return total"),
}
_TRAIN_CORRECT = {
    "explicit_to": """    model.train()
    losses = []
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimiser.zero_grad()
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)""",
    "zero_grad_after_step_tensor_mean": """    model.train(True)
    model.to(device)
    losses = []
    optimiser.zero_grad()
    for batch in loader:
        x, y = to_device(batch, device)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        losses.append(loss.detach())
    return float(torch.stack(losses).mean())""",
}

_TIME = '''def time_it(fn, device, repeats=10):
    """Mean seconds per call of fn() on `device`, after one warm-up call, synchronising CUDA around the timing."""
{body}
'''
_TIME_WRONG = {
    "no_synchronise": """    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats""",
    "synchronise_only_before": """    cuda = torch.device(device).type == "cuda"
    fn()
    if cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats""",
    # crashes on a CPU-only machine
    "always_synchronise": """    fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats""",
    "no_warm_up": """    cuda = torch.device(device).type == "cuda"
    if cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    if cuda:
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats""",
    "total_not_mean": """    cuda = torch.device(device).type == "cuda"
    fn()
    if cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    if cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - start""",
    # asks whether the machine has a GPU instead of whether `device` is one
    "checks_is_available": """    fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats""",
}
_TIME_CORRECT = {
    "sync_every_call": """    is_cuda = str(device).startswith("cuda")
    fn()
    times = []
    for _ in range(repeats):
        if is_cuda:
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        fn()
        if is_cuda:
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - t0)
    return sum(times) / len(times)""",
}


def _entries(cell, tests, template, wrong, correct, pack=True):
    out = [
        {"cell": cell, "tests": tests, "kind": "wrong", "name": k, "source": template.format(body=v), "pack": pack}
        for k, v in wrong.items()
    ]
    out += [
        {"cell": cell, "tests": tests, "kind": "correct", "name": k, "source": template.format(body=v)}
        for k, v in correct.items()
    ]
    return out


MUTANTS = (
    _entries("choose_device", ["test_choose_device"], _CHOOSE, _CHOOSE_WRONG, _CHOOSE_CORRECT)
    + _entries("to_device", ["test_to_device"], _TO, _TO_WRONG, _TO_CORRECT, pack=False)
    + _entries("train_epoch", ["test_train_epoch"], _TRAIN, _TRAIN_WRONG, _TRAIN_CORRECT)
    + _entries("time_it", ["test_time_it"], _TIME, _TIME_WRONG, _TIME_CORRECT)
)
