"""Mutant bank of lab 4.5 (classifying Fashion-MNIST).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The hidden tests of every cell first check
the answer on their own inputs (fresh data sets, small synthetic problems, their own models), so each wrong answer
fails by itself.  The visible checks of `fit` and `predict_proba` read the model trained in the notebook (which uses
the other answers), so their wrong answers are graded alone; the others are packed.
"""

_SIZE = '''DATASETS = {{"mnist": MNIST, "fashionmnist": FashionMNIST, "cifar10": CIFAR10}}


def input_size_of(name):
    """Number of values in one flattened image of the data set `name`."""
{body}
'''
_SIZE_WRONG = {
    # forgets the 3 colour channels of CIFAR-10
    "cifar_one_channel": """    sizes = {"mnist": 784, "fashionmnist": 784, "cifar10": 32 * 32}
    if name not in sizes:
        raise ValueError(name)
    return sizes[name]""",
    "always_784": "    return 784",
    "no_error_for_unknown": """    return 3 * 32 * 32 if name == "cifar10" else 28 * 28""",
    "image_shape_not_size": """    shapes = {"mnist": (1, 28, 28), "fashionmnist": (1, 28, 28), "cifar10": (3, 32, 32)}
    if name not in shapes:
        raise ValueError(name)
    return shapes[name]""",
    "float_from_sqrt": """    sizes = {"mnist": 28.0**2, "fashionmnist": 28.0**2, "cifar10": 3 * 32.0**2}
    if name not in sizes:
        raise ValueError(name)
    return sizes[name]""",
}
_SIZE_CORRECT = {
    "if_chain": """    if name in ("mnist", "fashionmnist"):
        return 28 * 28
    elif name == "cifar10":
        return 3 * 32 * 32
    else:
        raise ValueError(f"unknown data set: {name}")""",
    "math_prod_keyerror": """    shapes = {"mnist": (1, 28, 28), "fashionmnist": (1, 28, 28), "cifar10": (3, 32, 32)}
    return math.prod(shapes[name])""",
}

_GET = '''def get_dataset(name, train):
    """The data set `name` (train or test split) with items (flattened image normalised to [-1, 1], label)."""
{body}


# The data set to explore: "mnist", "fashionmnist" or "cifar10" (the notebook is graded on "fashionmnist")
dataset = {dataset}
'''


def _get(normalize="transforms.Normalize((0.5,) * channels, (0.5,) * channels),\n",
         flatten="transforms.Lambda(torch.flatten),\n", call="DATASETS[name]", train="train",
         check="    if name not in DATASETS:\n        raise ValueError(name)\n"):  # fmt: skip
    return (
        check
        + '    channels = 3 if name == "cifar10" else 1\n'
        + "    transform = transforms.Compose(\n        [\n            transforms.ToTensor(),\n"
        + (f"            {normalize}" if normalize else "")
        + (f"            {flatten}" if flatten else "")
        + "        ]\n    )\n"
        + f"    return {call}(course.data.root(), train={train}, download=True, transform=transform)"
    )


_GET_WRONG = {
    "not_normalised": _get(normalize=""),
    "not_flattened": _get(flatten=""),
    "always_training_set": _get(train="True"),
    "mnist_statistics": _get(normalize="transforms.Normalize((0.1307,) * channels, (0.3081,) * channels),\n"),
    "always_mnist": _get(call="MNIST"),
    # .get returns None for an unknown name: a TypeError, not a ValueError
    "get_returns_none": _get(call="DATASETS.get(name)", check=""),
    "flattens_batch_dim_wrong": _get(flatten="transforms.Lambda(lambda x: x.view(1, -1)),\n"),
}
_GET_CORRECT = {
    "one_value_normalize_view": """    if name not in DATASETS:
        raise ValueError("unknown data set")
    transform = transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,)), transforms.Lambda(lambda x: x.view(-1))]
    )
    return DATASETS[name](root=course.data.root(), train=train, download=True, transform=transform)""",
    "plain_function_keyerror": """    cls = DATASETS[name]

    def transform(img):
        return ((transforms.functional.to_tensor(img) - 0.5) / 0.5).reshape(-1)

    return cls(course.data.root(), train=bool(train), download=True, transform=transform)""",
}
# handed in while exploring CIFAR-10: grading still uses Fashion-MNIST (offline, no CIFAR-10), so no marks are lost
_GET_CIFAR = _get()

_NET = """class Classifier(nn.Module):
    def __init__(self, input_size, num_classes):
        super().__init__()
{init}

    def forward(self, x):
{forward}
"""
_GOOD_INIT = """        self.fc1 = nn.Linear(input_size, 256)
        self.fc2 = nn.Linear(256, num_classes)"""
_NET_WRONG = {
    "no_hidden_layer": ("        self.fc = nn.Linear(input_size, num_classes)", "        return self.fc(x.flatten(1))"),
    "softmax_output": (_GOOD_INIT, "        return F.softmax(self.fc2(F.relu(self.fc1(x.flatten(1)))), dim=1)"),
    # F.dropout defaults to training=True: dropout stays on in evaluation mode
    "functional_dropout_always_on": (
        _GOOD_INIT,
        "        return self.fc2(F.dropout(F.relu(self.fc1(x.flatten(1))), 0.2))",
    ),
    "hard_coded_784": (
        "        self.fc1 = nn.Linear(784, 256)\n        self.fc2 = nn.Linear(256, num_classes)",
        "        return self.fc2(F.relu(self.fc1(x.flatten(1))))",
    ),
    "no_flatten": (_GOOD_INIT, "        return self.fc2(F.relu(self.fc1(x)))"),
    "no_activation": (_GOOD_INIT, "        return self.fc2(self.fc1(x.flatten(1)))"),
    "hard_coded_10_classes": (
        "        self.fc1 = nn.Linear(input_size, 256)\n        self.fc2 = nn.Linear(256, 10)",
        "        return self.fc2(F.relu(self.fc1(x.flatten(1))))",
    ),
    "view_with_batch_of_one": (_GOOD_INIT, "        return self.fc2(F.relu(self.fc1(x.view(1, -1))))"),
}
_NET_CORRECT = {
    "sequential_log_softmax": (
        """        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(input_size, 128),
            nn.ReLU(),
            nn.Linear(128, 64),
            nn.ReLU(),
            nn.Linear(64, num_classes),
            nn.LogSoftmax(dim=1),
        )""",
        "        return self.net(x)",
    ),
    "dropout_module_and_view": (
        """        self.hidden = nn.Linear(input_size, 300)
        self.out = nn.Linear(300, num_classes)
        self.drop = nn.Dropout(0.5)""",
        "        x = x.view(x.shape[0], -1)\n        return self.out(self.drop(torch.relu(self.hidden(x))))",
    ),
    "functional_dropout_training_flag": (
        _GOOD_INIT,
        "        h = F.relu(self.fc1(torch.flatten(x, 1)))\n"
        "        return self.fc2(F.dropout(h, 0.3, training=self.training))",
    ),
}

_FIT = '''def fit(model, loader, epochs, lr=1e-3):
    """Train `model` on `loader` for `epochs` epochs; returns the list of mean training losses, one per epoch."""
{body}
'''


def _fit(opt="torch.optim.Adam(model.parameters(), lr=lr)", loss="nn.CrossEntropyLoss()",
         train="        model.train()\n", step="            optimiser.step()\n",
         record="        losses.append(total / len(loader))\n", ret="    return losses"):  # fmt: skip
    return (
        f"    criterion = {loss}\n    optimiser = {opt}\n    losses = []\n    for epoch in range(epochs):\n"
        + train
        + "        total = 0.0\n        for images, labels in loader:\n            optimiser.zero_grad()\n"
        + "            loss = criterion(model(images), labels)\n            loss.backward()\n"
        + step
        + "            total += loss.item()\n"
        + record
        + ret
    )


_FIT_WRONG = {
    "forgets_step": _fit(step=""),
    "nll_loss_on_logits": _fit(loss="nn.NLLLoss()"),
    "summed_batch_losses": _fit(record="        losses.append(total)\n"),
    # the model is handed over in evaluation mode
    "forgets_train_mode": _fit(train=""),
    "returns_last_loss": _fit(ret="    return losses[-1]"),
    "one_epoch_only": _fit(ret="    return losses[:1]"),
    "tensor_losses": _fit(record="        losses.append(torch.tensor(total / len(loader)))\n"),
}
_FIT_CORRECT = {
    "sgd_momentum": _fit(opt="torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)"),
    "adam_weighted_by_batch": """    optimiser = torch.optim.Adam(model.parameters(), lr)
    model.train()
    losses = []
    for _ in range(epochs):
        total, n = 0.0, 0
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(y)
            n += len(y)
        losses.append(total / n)
    return losses""",
    "plain_sgd": _fit(opt="torch.optim.SGD(model.parameters(), lr=lr)"),
    "log_softmax_nll": _fit(loss="lambda z, y: F.nll_loss(F.log_softmax(z, dim=1), y)"),
}

_PROBA = '''def predict_proba(model, images):
    """Class probabilities (B x K, rows sum to 1) of a batch of images, in evaluation mode and without gradients."""
{body}
'''
_PROBA_WRONG = {
    "softmax_over_batch": """    model.eval()
    with torch.no_grad():
        return torch.softmax(model(images), dim=0)""",
    "forgets_eval": """    with torch.no_grad():
        return torch.softmax(model(images), dim=1)""",
    "returns_logits": """    model.eval()
    with torch.no_grad():
        return model(images)""",
    "log_probabilities": """    model.eval()
    with torch.no_grad():
        return F.log_softmax(model(images), dim=1)""",
    "keeps_gradients": """    model.eval()
    return torch.softmax(model(images), dim=1)""",
    "unnormalised_exp": """    model.eval()
    with torch.no_grad():
        return torch.exp(model(images))""",
}
_PROBA_CORRECT = {
    "inference_mode_last_dim": """    model.train(False)
    with torch.inference_mode():
        logits = model(images)
    return F.softmax(logits, dim=-1)""",
    "exp_log_softmax_detach": """    model.eval()
    return torch.exp(F.log_softmax(model(images), dim=1)).detach()""",
}


def _entries(cell, tests, wrong, correct, render, pack=True):
    out = [
        {"cell": cell, "tests": tests, "kind": "wrong", "name": k, "source": render(v), "pack": pack}
        for k, v in wrong.items()
    ]
    out += [
        {"cell": cell, "tests": tests, "kind": "correct", "name": k, "source": render(v)} for k, v in correct.items()
    ]
    return out


MUTANTS = (
    _entries("input_size_of", ["test_input_size_of"], _SIZE_WRONG, _SIZE_CORRECT, lambda v: _SIZE.format(body=v))
    + _entries(
        "get_dataset",
        ["test_get_dataset"],
        _GET_WRONG,
        _GET_CORRECT,
        lambda v: _GET.format(body=v, dataset='"fashionmnist"'),
    )
    + [
        {
            "cell": "get_dataset",
            "tests": ["test_input_size_of", "test_get_dataset", "test_classifier", "test_fit", "test_predict_proba"],
            "kind": "correct",
            "name": "explored_cifar10_when_handed_in",
            "source": _GET.format(body=_GET_CIFAR, dataset='"cifar10"'),
        }
    ]
    + _entries(
        "classifier", ["test_classifier"], _NET_WRONG, _NET_CORRECT, lambda v: _NET.format(init=v[0], forward=v[1])
    )
    + _entries("fit", ["test_fit"], _FIT_WRONG, _FIT_CORRECT, lambda v: _FIT.format(body=v), pack=False)
    + _entries(
        "predict_proba",
        ["test_predict_proba"],
        _PROBA_WRONG,
        _PROBA_CORRECT,
        lambda v: _PROBA.format(body=v),
        pack=False,
    )
)
