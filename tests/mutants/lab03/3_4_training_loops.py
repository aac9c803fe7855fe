"""Mutant bank for source/lab03/3_4_training_loops.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.
"""

_MC_HEAD = "# Build a feed-forward network with a log-softmax output, and the matching loss\n"
_MC_TAIL = """

# Get our data
images, labels = next(iter(trainloader))
# Flatten images
images = images.view(images.shape[0], -1)

# Forward pass, get our log-probabilities
logps = model(images)
# Calculate the loss with the log-probabilities and the labels
loss = criterion(logps, labels)
print(loss)"""


def _mc(layers, criterion="nn.NLLLoss()"):
    body = "model = nn.Sequential(\n" + "".join(f"    {m},\n" for m in layers) + ")\n"
    return _MC_HEAD + body + f"criterion = {criterion}" + _MC_TAIL


_L = ["nn.Linear(784, 128)", "nn.ReLU()", "nn.Linear(128, 64)", "nn.ReLU()", "nn.Linear(64, 10)"]

_TE_HEAD = '''def train_epoch(model, loader, criterion, optimizer):
    """One pass over loader with one optimisation step per batch; returns the mean batch loss (a float)."""
    device = next(model.parameters()).device
    model.train()
    running_loss = 0.0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
'''


def _te(
    zero="        optimizer.zero_grad()\n",
    forward="        output = model(inputs)\n        loss = criterion(output, targets)\n",
    backward="        loss.backward()\n",
    step="        optimizer.step()\n",
    record="        running_loss += loss.item()\n",
    ret="    return running_loss / len(loader)",
):
    return _TE_HEAD + zero + forward + backward + step + record + ret


_FIT_HEAD = '''def fit(model, loader, criterion, optimizer, epochs, scheduler=None):
    """Train for `epochs` epochs; returns the per-epoch mean losses and the learning rate used in each epoch."""
    losses, lrs = [], []
'''


def _fit(body, ret="    return losses, lrs"):
    return _FIT_HEAD + body + ret


_FIT_OK = (
    '    for _ in course.progress(range(epochs), desc="epochs"):\n'
    '        lrs.append(optimizer.param_groups[0]["lr"])\n'
    "        losses.append(train_epoch(model, loader, criterion, optimizer))\n"
    "        if scheduler is not None:\n"
    "            scheduler.step()\n"
)

MUTANTS = [
    # ------------------------------------------------------------------ Exercise 1: model and criterion
    {
        "cell": "model_criterion",
        "tests": ["test_model_criterion"],
        "kind": "wrong",
        "name": "softmax_not_log",
        "source": _mc([*_L, "nn.Softmax(dim=1)"]),
    },
    {
        "cell": "model_criterion",
        "tests": ["test_model_criterion"],
        "kind": "wrong",
        "name": "logsoftmax_dim0",
        "source": _mc([*_L, "nn.LogSoftmax(dim=0)"]),
    },
    {
        "cell": "model_criterion",
        "tests": ["test_model_criterion"],
        "kind": "wrong",
        "name": "no_output_activation",
        "source": _mc(_L),
    },
    {
        "cell": "model_criterion",
        "tests": ["test_model_criterion"],
        "kind": "wrong",
        "name": "cross_entropy_criterion",
        "source": _mc([*_L, "nn.LogSoftmax(dim=1)"], "nn.CrossEntropyLoss()"),
    },
    {
        "cell": "model_criterion",
        "tests": ["test_model_criterion"],
        "kind": "wrong",
        "name": "missing_relu",
        "source": _mc(
            ["nn.Linear(784, 128)", "nn.ReLU()", "nn.Linear(128, 64)", "nn.Linear(64, 10)", "nn.LogSoftmax(dim=1)"]
        ),
    },
    {
        "cell": "model_criterion",
        "tests": ["test_model_criterion"],
        "kind": "wrong",
        "name": "wrong_sizes",
        "source": _mc(
            [
                "nn.Linear(784, 256)",
                "nn.ReLU()",
                "nn.Linear(256, 64)",
                "nn.ReLU()",
                "nn.Linear(64, 10)",
                "nn.LogSoftmax(dim=1)",
            ]
        ),
    },
    {
        "cell": "model_criterion",
        "tests": ["test_model_criterion"],
        "kind": "wrong",
        "name": "sum_reduction",
        "source": _mc([*_L, "nn.LogSoftmax(dim=1)"], "nn.NLLLoss(reduction='sum')"),
    },
    {
        "cell": "model_criterion",
        "tests": ["test_model_criterion"],
        "kind": "correct",
        "name": "module_class",
        "source": _MC_HEAD + "class LogNet(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc1 = nn.Linear(784, 128)\n        self.fc2 = nn.Linear(128, 64)\n"
        "        self.fc3 = nn.Linear(64, 10)\n\n    def forward(self, x):\n"
        "        x = F.relu(self.fc1(x))\n        x = F.relu(self.fc2(x))\n"
        "        return F.log_softmax(self.fc3(x), dim=-1)\n\n\nmodel = LogNet()\ncriterion = torch.nn.NLLLoss()"
        + _MC_TAIL,
    },
    {
        "cell": "model_criterion",
        "tests": ["test_model_criterion"],
        "kind": "correct",
        "name": "with_flatten",
        "source": _mc(["nn.Flatten()", *_L, "nn.LogSoftmax(dim=1)"]),
    },
    # ------------------------------------------------------------------ Exercise 2: train_epoch
    {
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "wrong",
        "name": "no_zero_grad",
        "source": _te(zero=""),
    },
    {
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "wrong",
        "name": "no_backward",
        "source": _te(backward=""),
    },
    {"cell": "train_epoch", "tests": ["test_train_epoch"], "kind": "wrong", "name": "no_step", "source": _te(step="")},
    {
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "wrong",
        "name": "zero_grad_before_step",
        "source": _te(zero="", backward="        loss.backward()\n        optimizer.zero_grad()\n"),
    },
    {
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "wrong",
        "name": "returns_last_loss",
        "source": _te(ret="    return loss.item()"),
    },
    {
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "wrong",
        "name": "divides_by_dataset_size",
        "source": _te(ret="    return running_loss / len(loader.dataset)"),
    },
    {
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "wrong",
        "name": "fixed_cross_entropy",
        "source": _te(forward="        output = model(inputs)\n        loss = F.cross_entropy(output, targets)\n"),
    },
    {
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "wrong",
        "name": "loss_after_step",
        "source": _te(record="        running_loss += criterion(model(inputs), targets).item()\n"),
    },
    {
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "correct",
        "name": "model_zero_grad_weighted_mean",
        "source": _TE_HEAD
        + "        model.zero_grad()\n        loss = criterion(model(inputs), targets)\n        loss.backward()\n"
        "        optimizer.step()\n        running_loss += loss.item() * len(inputs)\n"
        "    return running_loss / len(loader.dataset)",
    },
    {
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "correct",
        "name": "zero_grad_after_step",
        "source": _TE_HEAD.replace("    running_loss = 0.0\n", "    running_loss = 0.0\n    optimizer.zero_grad()\n")
        + "        loss = criterion(model(inputs), targets)\n        loss.backward()\n        optimizer.step()\n"
        "        optimizer.zero_grad()\n        running_loss += float(loss)\n    return running_loss / len(loader)",
    },
    {
        # zero_grad only after each step: the first step of a fresh model has no stale gradient either
        "cell": "train_epoch",
        "tests": ["test_train_epoch"],
        "kind": "correct",
        "name": "zero_grad_only_after_step",
        "source": _TE_HEAD
        + "        loss = criterion(model(inputs), targets)\n        loss.backward()\n        optimizer.step()\n"
        "        optimizer.zero_grad()\n        running_loss += loss.item()\n    return running_loss / len(loader)",
    },
    # ------------------------------------------------------------------ Exercise 3: fit
    {
        "cell": "fit",
        "tests": ["test_fit"],
        "kind": "wrong",
        "name": "never_steps_scheduler",
        "source": _fit(_FIT_OK.replace("        if scheduler is not None:\n            scheduler.step()\n", "")),
    },
    {
        "cell": "fit",
        "tests": ["test_fit"],
        "kind": "wrong",
        "name": "steps_before_epoch",
        "source": _fit(
            "    for _ in range(epochs):\n        if scheduler is not None:\n            scheduler.step()\n"
            '        lrs.append(optimizer.param_groups[0]["lr"])\n'
            "        losses.append(train_epoch(model, loader, criterion, optimizer))\n"
        ),
    },
    {
        "cell": "fit",
        "tests": ["test_fit"],
        "kind": "wrong",
        "name": "records_lr_after_step",
        "source": _fit(
            "    for _ in range(epochs):\n        losses.append(train_epoch(model, loader, criterion, optimizer))\n"
            "        if scheduler is not None:\n            scheduler.step()\n"
            '        lrs.append(optimizer.param_groups[0]["lr"])\n'
        ),
    },
    {
        "cell": "fit",
        "tests": ["test_fit"],
        "kind": "wrong",
        "name": "crashes_without_scheduler",
        "source": _fit(
            "    for _ in range(epochs):\n        lrs.append(scheduler.get_last_lr()[0])\n"
            "        losses.append(train_epoch(model, loader, criterion, optimizer))\n        scheduler.step()\n"
        ),
    },
    {
        "cell": "fit",
        "tests": ["test_fit"],
        "kind": "wrong",
        "name": "off_by_one_epochs",
        "source": _fit(_FIT_OK.replace("range(epochs)", "range(1, epochs)")),
    },
    {
        "cell": "fit",
        "tests": ["test_fit"],
        "kind": "wrong",
        "name": "returns_swapped",
        "source": _fit(_FIT_OK, ret="    return lrs, losses"),
    },
    {
        "cell": "fit",
        "tests": ["test_fit"],
        "kind": "wrong",
        "name": "new_optimizer_each_epoch",
        "source": _fit(
            _FIT_OK.replace(
                "        losses.append(train_epoch(model, loader, criterion, optimizer))\n",
                "        opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
                "        losses.append(train_epoch(model, loader, criterion, opt))\n",
            )
        ),
    },
    {
        "cell": "fit",
        "tests": ["test_fit"],
        "kind": "correct",
        "name": "get_last_lr_and_own_loop",
        "source": _fit(
            "    for epoch in range(epochs):\n"
            "        lrs.append(scheduler.get_last_lr()[0] if scheduler else optimizer.param_groups[0]['lr'])\n"
            "        total = 0.0\n        for xb, yb in loader:\n            optimizer.zero_grad()\n"
            "            loss = criterion(model(xb), yb)\n            loss.backward()\n            optimizer.step()\n"
            "            total += loss.item()\n        losses.append(total / len(loader))\n"
            "        if scheduler:\n            scheduler.step()\n"
        ),
    },
]
