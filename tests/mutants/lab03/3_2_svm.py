"""Mutant bank for source/lab03/3_2_svm.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.
"""

_HINGE = '''def hinge_loss(y_pred, y_true):
    """Mean hinge loss of the scores y_pred (shape (N,)) for the labels y_true in {-1, +1} (shape (N,))."""
'''

_TRAIN_HEAD = '''def train_svm(X, y, epochs=50, lr=0.1, weight_decay=0.01, batch_size=32, seed=0):
    """Train the linear SVM on (X, y) with mini-batch SGD; return w, b and the list of per-epoch mean losses."""
    torch.manual_seed(seed)
    w = torch.randn(1, 2, requires_grad=True)
    b = torch.randn(1, requires_grad=True)
    losses = []
'''


def _train(
    loader="DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)",
    optimiser="torch.optim.SGD([w, b], lr=lr, weight_decay=weight_decay)",
    epochs="epochs",
    zero_grad="            optimiser.zero_grad()\n",
    backward="            loss.backward()\n",
    step="            optimiser.step()\n",
    record="        losses.append(sum(epoch_losses) / len(epoch_losses))\n",
):
    return (
        _TRAIN_HEAD
        + f"    trainloader = {loader}\n"
        + f"    optimiser = {optimiser}\n"
        + f"    for _ in range({epochs}):\n"
        + "        epoch_losses = []\n"
        + "        for xb, yb in trainloader:\n"
        + zero_grad
        + "            loss = hinge_loss(svm(xb, w, b), yb)\n"
        + backward
        + step
        + "            epoch_losses.append(loss.item())\n"
        + record
        + "    return w, b, losses"
    )


_SCHED_HEAD = (
    "def train_svm_scheduled(X, y, make_scheduler, epochs=50, lr=0.1, weight_decay=0.01, batch_size=32, seed=0):\n"
    '''    """Like train_svm, with a learning-rate scheduler make_scheduler(optimiser) stepped once per epoch."""
    torch.manual_seed(seed)
    w = torch.randn(1, 2, requires_grad=True)
    b = torch.randn(1, requires_grad=True)
    losses, lrs = [], []
'''
)


def _sched(
    scheduler="    scheduler = make_scheduler(optimiser)\n",
    record_lr='        lrs.append(optimiser.param_groups[0]["lr"])\n',
    step_in_batch="",
    step_at_start="",
    step_at_end="        scheduler.step()\n",
    record_after="",
    optimiser="torch.optim.SGD([w, b], lr=lr, weight_decay=weight_decay)",
):
    return (
        _SCHED_HEAD
        + "    trainloader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)\n"
        + f"    optimiser = {optimiser}\n"
        + scheduler
        + "    for _ in range(epochs):\n"
        + step_at_start
        + record_lr
        + "        epoch_losses = []\n"
        + "        for xb, yb in trainloader:\n"
        + "            optimiser.zero_grad()\n"
        + "            loss = hinge_loss(svm(xb, w, b), yb)\n"
        + "            loss.backward()\n"
        + "            optimiser.step()\n"
        + step_in_batch
        + "            epoch_losses.append(loss.item())\n"
        + "        losses.append(sum(epoch_losses) / len(epoch_losses))\n"
        + step_at_end
        + record_after
        + "    return w, b, losses, lrs"
    )


MUTANTS = [
    # ------------------------------------------------------------------ Exercise 1: hinge_loss
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "wrong",
        "name": "sum_not_mean",
        "source": _HINGE + "    return torch.clamp(1 - y_pred * y_true, min=0).sum()",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "wrong",
        "name": "missing_clamp",
        "source": _HINGE + "    return (1 - y_pred * y_true).mean()",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "wrong",
        "name": "sign_error",
        "source": _HINGE + "    return torch.clamp(1 + y_pred * y_true, min=0).mean()",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "wrong",
        "name": "clamp_max",
        "source": _HINGE + "    return torch.clamp(1 - y_pred * y_true, max=0).mean()",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "wrong",
        "name": "python_float",
        "source": _HINGE + "    return torch.clamp(1 - y_pred * y_true, min=0).mean().item()",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "wrong",
        "name": "clamp_mean_order",
        "source": _HINGE + "    return torch.clamp(1 - (y_pred * y_true).mean(), min=0)",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "wrong",
        "name": "hard_coded_visible",
        "source": _HINGE + "    return torch.tensor(0.875, requires_grad=True)",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "wrong",
        "name": "in_place_clamp",
        "source": _HINGE + "    y_pred.mul_(y_true)\n    return torch.clamp(1 - y_pred, min=0).mean()",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "wrong",
        "name": "squared_hinge",
        "source": _HINGE + "    return (torch.clamp(1 - y_pred * y_true, min=0) ** 2).mean()",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "correct",
        "name": "relu",
        "source": _HINGE + "    return torch.relu(1 - y_true * y_pred).mean()",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "correct",
        "name": "max_with_zeros",
        "source": _HINGE + "    margins = 1 - y_pred * y_true\n"
        "    return torch.mean(torch.max(torch.zeros_like(margins), margins))",
    },
    {
        "cell": "hinge_loss",
        "tests": ["test_hinge_loss"],
        "kind": "correct",
        "name": "sum_over_len",
        "source": _HINGE + "    return torch.nn.functional.relu(1 - y_pred * y_true).sum() / len(y_true)",
    },
    # ------------------------------------------------------------------ Exercise 2: train_svm
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "wrong",
        "name": "no_zero_grad",
        "source": _train(zero_grad=""),
    },
    {"cell": "train_svm", "tests": ["test_train_svm"], "kind": "wrong", "name": "no_step", "source": _train(step="")},
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "wrong",
        "name": "no_backward",
        "source": _train(backward=""),
    },
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "wrong",
        "name": "no_weight_decay",
        "source": _train(optimiser="torch.optim.SGD([w, b], lr=lr)"),
    },
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "wrong",
        "name": "hard_coded_lr",
        "source": _train(optimiser="torch.optim.SGD([w, b], lr=0.1, weight_decay=weight_decay)"),
    },
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "wrong",
        "name": "hard_coded_batch_size",
        "source": _train(loader="DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)"),
    },
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "wrong",
        "name": "fixed_50_epochs",
        "source": _train(epochs="50"),
    },
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "wrong",
        "name": "records_every_batch",
        "source": _train(record="        losses.extend(epoch_losses)\n"),
    },
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "wrong",
        "name": "global_data",
        "source": _train(
            loader="DataLoader(TensorDataset(globals()['X'], globals()['y']), batch_size=batch_size, shuffle=True)"
        ),
    },
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "correct",
        "name": "weighted_epoch_mean",
        "source": _TRAIN_HEAD + "    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)\n"
        "    opt = torch.optim.SGD([w, b], lr=lr, weight_decay=weight_decay)\n"
        "    for epoch in range(epochs):\n        total, count = 0.0, 0\n"
        "        for batch in loader:\n            opt.zero_grad()\n"
        "            loss = hinge_loss(svm(batch[0], w, b), batch[1])\n"
        "            loss.backward()\n            opt.step()\n"
        "            total += loss.item() * len(batch[0])\n            count += len(batch[0])\n"
        "        losses.append(total / count)\n    return w, b, losses",
    },
    {
        "cell": "train_svm",
        "tests": ["test_train_svm"],
        "kind": "correct",
        "name": "tensor_losses_and_manual_decay",
        "source": _TRAIN_HEAD + "    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)\n"
        "    opt = torch.optim.SGD([w, b], lr=lr)\n"
        "    for epoch in range(epochs):\n        batch_losses = []\n"
        "        for xb, yb in loader:\n            opt.zero_grad()\n"
        "            loss = hinge_loss(svm(xb, w, b), yb)\n"
        "            reg = weight_decay / 2 * (w.pow(2).sum() + b.pow(2).sum())\n"
        "            (loss + reg).backward()\n            opt.step()\n"
        "            batch_losses.append(loss.detach())\n"
        "        losses.append(torch.stack(batch_losses).mean())\n    return w, b, losses",
    },
    # ------------------------------------------------------------------ Exercise 3: train_svm_scheduled
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "wrong",
        "name": "never_steps",
        "source": _sched(step_at_end=""),
    },
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "wrong",
        "name": "steps_per_batch",
        "source": _sched(step_at_end="", step_in_batch="            scheduler.step()\n"),
    },
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "wrong",
        "name": "records_after_step",
        "source": _sched(record_lr="", record_after='        lrs.append(optimiser.param_groups[0]["lr"])\n'),
    },
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "wrong",
        "name": "records_initial_lr",
        "source": _sched(record_lr="        lrs.append(lr)\n"),
    },
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "wrong",
        "name": "scheduler_on_other_optimiser",
        "source": _sched(
            scheduler="    scheduler = make_scheduler(torch.optim.SGD([w, b], lr=lr))\n",
            record_lr='        lrs.append(scheduler.optimizer.param_groups[0]["lr"])\n',
        ),
    },
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "wrong",
        "name": "own_step_lr_ignores_argument",
        "source": _sched(
            scheduler="    scheduler = torch.optim.lr_scheduler.StepLR(optimiser, step_size=2, gamma=0.5)\n"
        ),
    },
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "wrong",
        "name": "no_weight_decay",
        "source": _sched(optimiser="torch.optim.SGD([w, b], lr=lr)"),
    },
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "wrong",
        "name": "global_data",
        "source": _sched().replace("TensorDataset(X, y)", "TensorDataset(globals()['X'], globals()['y'])"),
    },
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "correct",
        "name": "get_last_lr",
        "source": _sched(record_lr="        lrs.append(scheduler.get_last_lr()[0])\n"),
    },
    {
        "cell": "train_svm_scheduled",
        "tests": ["test_train_svm_scheduled"],
        "kind": "correct",
        "name": "reuses_inner_loop_with_tensor_lr",
        "source": _SCHED_HEAD + "    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)\n"
        "    optimizer = torch.optim.SGD([w, b], lr=lr, weight_decay=weight_decay)\n"
        "    sched = make_scheduler(optimizer)\n"
        "    for epoch in range(epochs):\n"
        "        lrs.append(torch.tensor(optimizer.param_groups[0]['lr']))\n"
        "        total = 0.0\n"
        "        for xb, yb in loader:\n            optimizer.zero_grad()\n"
        "            loss = hinge_loss(svm(xb, w, b), yb)\n            loss.backward()\n"
        "            optimizer.step()\n            total += loss.item() * len(xb)\n"
        "        losses.append(total / len(X))\n        sched.step()\n"
        "    return w, b, losses, lrs",
    },
]
