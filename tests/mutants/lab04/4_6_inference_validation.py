"""Mutant bank of lab 4.6 (inference and validation).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The hidden tests use their own small
models and data (with probes that record the training and gradient modes of every forward pass), so each wrong answer
fails by itself.  The wrong answers of train_with_validation are not packed: its tests call the notebook's
`validate`, which a packed wrong `validate` would break, and the visible checks of `mc_dropout_predict` read the
model trained with the notebook's other answers.
"""

_VAL = '''def validate(model, loader, criterion):
    """(mean loss per example, accuracy) of `model` on `loader`, in evaluation mode, without gradients."""
    was_training = model.training
{body}
'''


def _val(eval_="    model.eval()\n", grad="    with torch.no_grad():\n", restore="    model.train(was_training)\n",
         acc="correct / n", loss="total_loss / n", pred="logits.argmax(dim=1)"):  # fmt: skip
    inner = "        " if grad else "    "
    return (
        eval_
        + "    total_loss, correct, n = 0.0, 0, 0\n"
        + grad
        + f"{inner}for images, labels in loader:\n"
        + f"{inner}    logits = model(images)\n"
        + f"{inner}    total_loss += criterion(logits, labels).item() * len(labels)\n"
        + f"{inner}    correct += ({pred} == labels).sum().item()\n"
        + f"{inner}    n += len(labels)\n"
        + restore
        + f"    return {loss}, {acc}"
    )


_VAL_WRONG = {
    "forgets_eval": _val(eval_=""),
    "forgets_no_grad": _val(grad=""),
    "does_not_restore_mode": _val(restore=""),
    # always switches back to training mode, even when the model was in eval mode
    "always_back_to_train": _val(restore="    model.train()\n"),
    "percentage": _val(acc="100 * correct / n"),
    "summed_loss": _val(loss="total_loss"),
    "argmax_over_batch": _val(pred="logits.argmax(dim=0)"),
}
_VAL_CORRECT = {
    "dtu_style_batch_means": """    model.eval()
    test_loss, accuracy, batches = 0.0, 0.0, 0
    with torch.no_grad():
        for images, labels in loader:
            log_ps = model(images)
            test_loss += criterion(log_ps, labels).item()
            top_p, top_class = torch.exp(log_ps).topk(1, dim=1)
            equals = top_class == labels.view(*top_class.shape)
            accuracy += torch.mean(equals.float()).item()
            batches += 1
    if was_training:
        model.train()
    return test_loss / batches, accuracy / batches""",
    "inference_mode_tensors": """    model.eval()
    losses, hits = [], []
    with torch.inference_mode():
        for x, y in loader:
            z = model(x)
            losses.append(criterion(z, y) * len(y))
            hits.append(z.argmax(1) == y)
    model.train(mode=was_training)
    hits = torch.cat(hits)
    return float(sum(losses) / len(hits)), float(hits.float().mean())""",
}

_TRAIN = '''def train_with_validation(model, trainloader, valloader, epochs, lr=0.003):
    """Train with Adam, validating after each epoch; returns a dict of lists: train_loss, val_loss, val_acc."""
{body}
'''


def _train(opt="torch.optim.Adam(model.parameters(), lr=lr)", val="validate(model, valloader, criterion)",
           train="        model.train()\n", record="running_loss / len(trainloader)",
           keys=("val_loss", "val_acc")):  # fmt: skip
    return (
        f"    criterion = nn.CrossEntropyLoss()\n    optimiser = {opt}\n"
        f'    history = {{"train_loss": [], "{keys[0]}": [], "{keys[1]}": []}}\n'
        "    for _ in range(epochs):\n"
        + train
        + "        running_loss = 0.0\n        for images, labels in trainloader:\n"
        "            optimiser.zero_grad()\n            loss = criterion(model(images), labels)\n"
        "            loss.backward()\n            optimiser.step()\n            running_loss += loss.item()\n"
        f"        val_loss, val_acc = {val}\n"
        f'        history["train_loss"].append({record})\n'
        f'        history["{keys[0]}"].append(val_loss)\n        history["{keys[1]}"].append(val_acc)\n'
        "    return history"
    )


# validation written inline, leaving the model in evaluation mode for the next epochs
_INLINE_EVAL = """    criterion = nn.CrossEntropyLoss()
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    model.train()
    for _ in range(epochs):
        running_loss = 0.0
        for images, labels in trainloader:
            optimiser.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimiser.step()
            running_loss += loss.item()
        model.eval()
        total, correct, n = 0.0, 0, 0
        with torch.no_grad():
            for images, labels in valloader:
                z = model(images)
                total += criterion(z, labels).item() * len(labels)
                correct += (z.argmax(1) == labels).sum().item()
                n += len(labels)
        history["train_loss"].append(running_loss / len(trainloader))
        history["val_loss"].append(total / n)
        history["val_acc"].append(correct / n)
    return history"""

_TRAIN_WRONG = {
    "sgd_not_adam": _train(opt="torch.optim.SGD(model.parameters(), lr=lr)"),
    "validates_on_training_data": _train(val="validate(model, trainloader, criterion)"),
    "forgets_train_mode": _train(train=""),
    "inline_validation_stays_in_eval": _INLINE_EVAL,
    "summed_training_loss": _train(record="running_loss"),
    "other_key_names": _train(keys=("valid_loss", "valid_acc")),
    # the last batch's loss instead of the epoch mean
    "last_batch_loss": _train(record="loss.item()"),
}
_TRAIN_CORRECT = {
    "weighted_mean_equal_batches": """    criterion = nn.CrossEntropyLoss()
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    train_losses, val_losses, val_accs = [], [], []
    for _ in range(epochs):
        model.train()
        batch_losses = []
        for x, y in trainloader:
            loss = criterion(model(x), y)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            batch_losses.append(loss.item())
        train_losses.append(sum(batch_losses) / len(batch_losses))
        vl, va = validate(model, valloader, criterion)
        val_losses.append(float(vl))
        val_accs.append(float(va))
    return dict(train_loss=train_losses, val_loss=val_losses, val_acc=val_accs)""",
}

_DROP = '''class ClassifierWithDropout(nn.Module):
    """784 -> 256 -> 128 -> 64 -> 10 with ReLU and dropout (probability p) after each hidden layer; logits out."""

    def __init__(self, p=0.2):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 64)
        self.fc4 = nn.Linear(64, 10)
{init}

    def forward(self, x):
        x = x.flatten(1)
{forward}
'''
_GOOD_FORWARD = """        x = self.dropout(F.relu(self.fc1(x)))
        x = self.dropout(F.relu(self.fc2(x)))
        x = self.dropout(F.relu(self.fc3(x)))
        return self.fc4(x)"""
_DROP_WRONG = {
    # the original bug: F.dropout is on even in evaluation mode
    "functional_dropout_always_on": (
        "        self.p = p",
        """        x = F.dropout(F.relu(self.fc1(x)), self.p)
        x = F.dropout(F.relu(self.fc2(x)), self.p)
        x = F.dropout(F.relu(self.fc3(x)), self.p)
        return self.fc4(x)""",
    ),
    "fixed_p": ("        self.dropout = nn.Dropout(p=0.2)", _GOOD_FORWARD),
    "softmax_output": (
        "        self.dropout = nn.Dropout(p=p)",
        _GOOD_FORWARD.replace("return self.fc4(x)", "return F.softmax(self.fc4(x), dim=1)"),
    ),
    "no_dropout_applied": (
        "        self.dropout = nn.Dropout(p=p)",
        "        return self.fc4(F.relu(self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))))",
    ),
    # dropout on the input only, not on the hidden layers
    "dropout_on_input": (
        "        self.dropout = nn.Dropout(p=p)",
        "        x = self.dropout(x)\n        return self.fc4(F.relu(self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))))",
    ),
    "keep_probability_confusion": ("        self.dropout = nn.Dropout(p=1 - p)", _GOOD_FORWARD),
    "missing_relu": (
        "        self.dropout = nn.Dropout(p=p)",
        """        x = self.dropout(self.fc1(x))
        x = self.dropout(self.fc2(x))
        x = self.dropout(self.fc3(x))
        return self.fc4(x)""",
    ),
}
_DROP_CORRECT = {
    "separate_modules_log_softmax": (
        "        self.drop1, self.drop2, self.drop3 = nn.Dropout(p), nn.Dropout(p), nn.Dropout(p)",
        """        x = self.drop1(F.relu(self.fc1(x)))
        x = self.drop2(F.relu(self.fc2(x)))
        x = self.drop3(F.relu(self.fc3(x)))
        return F.log_softmax(self.fc4(x), dim=1)""",
    ),
    "functional_with_training_flag": (
        "        self.p = p",
        """        x = F.dropout(F.relu(self.fc1(x)), self.p, training=self.training)
        x = F.dropout(F.relu(self.fc2(x)), self.p, training=self.training)
        x = F.dropout(F.relu(self.fc3(x)), self.p, training=self.training)
        return self.fc4(x)""",
    ),
    # dropout before the ReLU: the same thing, since dropout only scales and zeroes
    "dropout_before_relu": (
        "        self.dropout = nn.Dropout(p)",
        """        x = F.relu(self.dropout(self.fc1(x)))
        x = F.relu(self.dropout(self.fc2(x)))
        x = F.relu(self.dropout(self.fc3(x)))
        return self.fc4(x)""",
    ),
}

_MC = '''def mc_dropout_predict(model, x, n=100):
    """Class probabilities (n x K) of n forward passes of the single input x with dropout active."""
    was_training = model.training
{body}
'''
_MC_WRONG = {
    # dropout off: n copies of the same prediction
    "eval_mode": """    model.eval()
    with torch.no_grad():
        probs = torch.cat([torch.softmax(model(x), dim=1) for _ in range(n)])
    model.train(was_training)
    return probs""",
    "mode_not_restored": """    model.train()
    with torch.no_grad():
        return torch.cat([torch.softmax(model(x), dim=1) for _ in range(n)])""",
    "always_back_to_eval": """    model.train()
    with torch.no_grad():
        probs = torch.cat([torch.softmax(model(x), dim=1) for _ in range(n)])
    model.eval()
    return probs""",
    "predicted_classes": """    model.train()
    with torch.no_grad():
        preds = torch.cat([model(x).argmax(dim=1) for _ in range(n)])
    model.train(was_training)
    return preds""",
    "keeps_gradients": """    model.train()
    probs = torch.cat([torch.softmax(model(x), dim=1) for _ in range(n)])
    model.train(was_training)
    return probs""",
    "logits": """    model.train()
    with torch.no_grad():
        out = torch.cat([model(x) for _ in range(n)])
    model.train(was_training)
    return out""",
    "softmax_over_passes": """    model.train()
    with torch.no_grad():
        logits = torch.cat([model(x) for _ in range(n)])
    model.train(was_training)
    return torch.softmax(logits, dim=0)""",
    "fixed_100_passes": """    model.train()
    with torch.no_grad():
        probs = torch.cat([torch.softmax(model(x), dim=1) for _ in range(100)])
    model.train(was_training)
    return probs""",
}
_MC_CORRECT = {
    "one_batched_pass": """    model.train()
    with torch.no_grad():
        probs = torch.softmax(model(x.expand(n, *x.shape[1:])), dim=1)
    model.train(was_training)
    return probs""",
    "only_dropout_modules_on": """    model.eval()
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.train()
    rows = []
    for _ in range(n):
        with torch.no_grad():
            rows.append(F.softmax(model(x), dim=-1)[0])
    model.train(was_training)
    return torch.stack(rows)""",
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
    _entries("validate", ["test_validate"], _VAL_WRONG, _VAL_CORRECT, lambda v: _VAL.format(body=v))
    + _entries(
        "train_with_validation",
        ["test_train_with_validation"],
        _TRAIN_WRONG,
        _TRAIN_CORRECT,
        lambda v: _TRAIN.format(body=v),
        pack=False,
    )
    + _entries(
        "classifier_with_dropout",
        ["test_classifier_with_dropout"],
        _DROP_WRONG,
        _DROP_CORRECT,
        lambda v: _DROP.format(init=v[0], forward=v[1]),
    )
    + _entries(
        "mc_dropout_predict",
        ["test_mc_dropout_predict"],
        _MC_WRONG,
        _MC_CORRECT,
        lambda v: _MC.format(body=v),
        pack=False,
    )
)
