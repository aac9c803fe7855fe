"""Mutant bank of lab 4.7 (how wide must an MLP be to overfit?).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The hidden tests of every cell check the
answer on their own inputs: `make_mlp` on other sizes, `train_and_measure` against a reference run with the same
seed, data and arguments on small random problems, `smallest_fitting_width` on random results.  So each wrong answer
fails by itself and the wrong answers are packed.
"""

_MLP = '''def make_mlp(width, input_size=784, num_classes=10):
    """input_size -> width (ReLU) -> num_classes logits."""
{body}


def count_parameters(model):
    """The number of trainable numbers (weights and biases) of a model."""
    return sum(p.numel() for p in model.parameters())
'''
_MLP_WRONG = {
    "hard_coded_width_100": """    return nn.Sequential(
        nn.Linear(input_size, 100), nn.ReLU(), nn.Linear(100, num_classes)
    )""",
    # no layers at all: constant logits of the right shape
    "hard_coded_zero_module": """    class _Net(nn.Module):
        def forward(self, x):
            return torch.zeros(x.shape[0], 10)

    return _Net()""",
    "hard_coded_input_784": "    return nn.Sequential(nn.Linear(784, width), nn.ReLU(), nn.Linear(width, num_classes))",
    "no_relu": "    return nn.Sequential(nn.Linear(input_size, width), nn.Linear(width, num_classes))",
    "softmax_output": """    return nn.Sequential(
        nn.Linear(input_size, width), nn.ReLU(), nn.Linear(width, num_classes), nn.Softmax(dim=1)
    )""",
    "two_hidden_layers": """    return nn.Sequential(
        nn.Linear(input_size, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, num_classes)
    )""",
    "no_bias": """    return nn.Sequential(
        nn.Linear(input_size, width, bias=False), nn.ReLU(), nn.Linear(width, num_classes, bias=False)
    )""",
}
_MLP_CORRECT = {
    "module_class": """    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(input_size, width)
            self.out = nn.Linear(width, num_classes)

        def forward(self, x):
            return self.out(torch.relu(self.hidden(x.flatten(1))))

    return MLP()""",
    "flatten_first": """    layers = [nn.Flatten(), nn.Linear(input_size, width), nn.ReLU(inplace=True)]
    layers.append(nn.Linear(width, num_classes))
    return nn.Sequential(*layers)""",
}

_TRAIN = '''def train_and_measure(width, train, test, steps, lr=0.01, seed=0):
    """Train make_mlp(width) with full-batch Adam; its final training and test loss and accuracy (floats)."""
{body}


start = time.perf_counter()
example = train_and_measure(32, train_data, test_data, steps=course.scale(full=100, fast=30))
print(example, f"({{time.perf_counter() - start:.1f}} s)")
'''


def _train(seed="    torch.manual_seed(seed)\n", build="make_mlp(width, input_size=x_train.shape[1])",
           opt="torch.optim.Adam(model.parameters(), lr=lr)", loop="range(steps)",
           loss="F.cross_entropy(model(x_train), y_train)", evaluate="    model.eval()\n",
           test="x_test, y_test", acc="(z.argmax(1) == y).float().mean().item()",
           lossval="F.cross_entropy(z, y).item()", ret=None):  # fmt: skip
    body = (
        "    x_train, y_train = train\n    x_test, y_test = test\n"
        + seed
        + f"    model = {build}\n    optimiser = {opt}\n    model.train()\n"
        + f"    for _ in {loop}:\n        optimiser.zero_grad()\n        loss = {loss}\n"
        + "        loss.backward()\n        optimiser.step()\n"
        + evaluate
        + "    out = {}\n    with torch.no_grad():\n"
        + f'        for split, (x, y) in (("train", (x_train, y_train)), ("test", ({test}))):\n'
        + "            z = model(x)\n"
        + f'            out[split + "_loss"] = {lossval}\n            out[split + "_acc"] = {acc}\n'
    )
    return body + (ret or "    return out")


_TRAIN_WRONG = {
    "hard_coded_results": """    return {"train_loss": 0.005, "train_acc": 1.0, "test_loss": 0.7, "test_acc": 0.86}""",
    "always_equal_values": """    class _Any(float):
        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

        def __lt__(self, other):
            return True

        def __le__(self, other):
            return True

        def __gt__(self, other):
            return True

        def __ge__(self, other):
            return True

        __hash__ = float.__hash__

    return {"train_loss": _Any(0.0), "train_acc": _Any(1.0), "test_loss": _Any(0.5), "test_acc": _Any(0.9)}""",
    "ignores_width": _train(build="make_mlp(32, input_size=x_train.shape[1])"),
    "ignores_seed": _train(seed=""),
    "ignores_steps": _train(loop="range(100)"),
    "ignores_lr": _train(opt="torch.optim.Adam(model.parameters())"),
    "seeds_after_building": _train(
        seed="", build="make_mlp(width, input_size=x_train.shape[1])\n    torch.manual_seed(seed)"
    ),
    "sgd_not_adam": _train(opt="torch.optim.SGD(model.parameters(), lr=lr)"),
    "test_metrics_on_training_data": _train(test="x_train, y_train"),
    "accuracy_in_percent": _train(acc="100 * (z.argmax(1) == y).float().mean().item()"),
    "summed_loss": _train(lossval="F.cross_entropy(z, y, reduction='sum').item()"),
    "tensor_values": _train(acc="(z.argmax(1) == y).float().mean()", lossval="F.cross_entropy(z, y)"),
    "one_step_too_many": _train(loop="range(steps + 1)"),
}
_TRAIN_CORRECT = {
    "module_loss_and_sum_over_len": """    x_train, y_train = train
    x_test, y_test = test
    torch.manual_seed(seed)
    model = make_mlp(width, x_train.size(1), 10)
    criterion = nn.CrossEntropyLoss()
    optimiser = torch.optim.Adam(model.parameters(), lr)
    for step in range(steps):
        logits = model(x_train)
        loss = criterion(logits, y_train)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()

    def measure(x, y):
        model.eval()
        with torch.no_grad():
            z = model(x)
            return float(criterion(z, y)), (z.argmax(dim=1) == y).sum().item() / len(y)

    train_loss, train_acc = measure(x_train, y_train)
    test_loss, test_acc = measure(x_test, y_test)
    return dict(train_loss=train_loss, train_acc=train_acc, test_loss=test_loss, test_acc=test_acc)""",
    "inference_mode_numpy_mean": """    torch.manual_seed(seed)
    model = make_mlp(width, input_size=train[0].shape[-1])
    opt = torch.optim.Adam(params=model.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(train[0]), train[1]).backward()
        opt.step()
    model.eval()
    result = {}
    with torch.inference_mode():
        for name, (x, y) in {"train": train, "test": test}.items():
            z = model(x)
            result[f"{name}_loss"] = float(F.cross_entropy(z, y))
            result[f"{name}_acc"] = float((z.argmax(1) == y).numpy().mean())
    return result""",
}

_SMALLEST = '''def smallest_fitting_width(results, threshold=1.0):
    """The smallest width whose training accuracy is >= threshold, or None."""
{body}


fits_at = smallest_fitting_width(results)
print("smallest width that fits every training image:", fits_at)
'''
_SMALLEST_WRONG = {
    "hard_coded_16": "    return 16",
    "always_equal_object": """    class _Any(int):
        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

        __hash__ = int.__hash__

    return _Any(16)""",
    "first_in_dict_order": """    for width, r in results.items():
        if r["train_acc"] >= threshold:
            return width
    return None""",
    "uses_test_accuracy": """    fitting = [w for w, r in results.items() if r["test_acc"] >= threshold]
    return min(fitting) if fitting else None""",
    "largest_width": """    fitting = [w for w, r in results.items() if r["train_acc"] >= threshold]
    return max(fitting) if fitting else None""",
    "strictly_greater": """    fitting = [w for w, r in results.items() if r["train_acc"] > threshold]
    return min(fitting) if fitting else None""",
    "ignores_threshold": """    fitting = [w for w, r in results.items() if r["train_acc"] >= 1.0]
    return min(fitting) if fitting else None""",
    "zero_instead_of_none": """    fitting = [w for w, r in results.items() if r["train_acc"] >= threshold]
    return min(fitting, default=0)""",
}
_SMALLEST_CORRECT = {
    "sorted_loop": """    for width in sorted(results):
        if results[width]["train_acc"] >= threshold:
            return width
    return None""",
    "min_default_none": """    fits = (w for w in results if results[w]["train_acc"] >= threshold)
    return min(fits, default=None)""",
}


def _entries(cell, tests, wrong, correct, render):
    out = [
        {"cell": cell, "tests": tests, "kind": "wrong", "name": k, "source": render(v), "pack": True}
        for k, v in wrong.items()
    ]
    out += [
        {"cell": cell, "tests": tests, "kind": "correct", "name": k, "source": render(v)} for k, v in correct.items()
    ]
    return out


MUTANTS = (
    _entries("make_mlp", ["test_make_mlp"], _MLP_WRONG, _MLP_CORRECT, lambda v: _MLP.format(body=v))
    + _entries(
        "train_and_measure",
        ["test_train_and_measure"],
        _TRAIN_WRONG,
        _TRAIN_CORRECT,
        lambda v: _TRAIN.format(body=v),
    )
    + _entries(
        "smallest_fitting_width",
        ["test_smallest_fitting_width"],
        _SMALLEST_WRONG,
        _SMALLEST_CORRECT,
        lambda v: _SMALLEST.format(body=v),
    )
)
