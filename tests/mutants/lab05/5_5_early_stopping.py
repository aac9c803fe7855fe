"""Mutant bank of lab 5.5 (early stopping).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.
"""

_RULE = ["test_early_stopping_rule"]
_WEIGHTS = ["test_early_stopping_weights"]
_BOTH = _RULE + _WEIGHTS

_HEAD = '''class EarlyStopping:
    """Stop training when a validation metric has not improved for `patience` epochs; keep the best weights."""

    def __init__(self, patience=3, mode="max", min_delta=0.0):
        if mode not in ("max", "min"):
            raise ValueError("mode must be 'max' (e.g. accuracy) or 'min' (e.g. loss)")
        self.patience = patience
        self.mode = mode
        self.min_delta = min_delta
        self.epoch = 0
        self.best = None
        self.best_epoch = None
        self.best_state = None
        self.bad_epochs = 0

    def step(self, metric, model):
        """Record one epoch's validation metric; return True when training should stop."""
'''

_TAIL = '''
    def restore_best(self, model):
        """Load the best weights seen into `model`."""
        model.load_state_dict(self.best_state)
        return model
'''


def _step(improved="metric > self.best + self.min_delta", min_improved="metric < self.best - self.min_delta",
          save="copy.deepcopy(model.state_dict())", reset="self.bad_epochs = 0",
          stop="self.bad_epochs >= self.patience"):  # fmt: skip
    return f"""        metric = float(metric)
        if self.best is None:
            improved = True
        elif self.mode == "max":
            improved = {improved}
        else:
            improved = {min_improved}
        if improved:
            self.best = metric
            self.best_epoch = self.epoch
            self.best_state = {save}
            {reset}
        else:
            self.bad_epochs += 1
        self.epoch += 1
        return {stop}
"""


_WRONG = {
    # state_dict() holds references to the live tensors: the "best" weights follow the model
    "state_dict_reference": (_WEIGHTS, _step(save="model.state_dict()")),
    "shallow_copy": (_WEIGHTS, _step(save="copy.copy(model.state_dict())")),
    "copies_the_model": (_WEIGHTS, _step(save="copy.deepcopy(model)")),
    "patience_off_by_one": (_RULE, _step(stop="self.bad_epochs > self.patience")),
    "count_not_reset": (_RULE, _step(reset="pass")),
    "ties_count_as_improvement": (
        _RULE,
        _step(improved="metric >= self.best + self.min_delta", min_improved="metric <= self.best - self.min_delta"),
    ),
    "ignores_mode": (_BOTH, _step(min_improved="metric > self.best + self.min_delta")),
    "ignores_min_delta": (_RULE, _step(improved="metric > self.best", min_improved="metric < self.best")),
    # compares with the previous epoch instead of the best so far
    "compares_with_last_epoch": (
        _RULE,
        """        metric = float(metric)
        previous = getattr(self, "_previous", None)
        if self.mode == "max":
            better_than_last = previous is None or metric > previous + self.min_delta
        else:
            better_than_last = previous is None or metric < previous - self.min_delta
        if better_than_last:
            if self.best is None or (metric > self.best if self.mode == "max" else metric < self.best):
                self.best = metric
                self.best_epoch = self.epoch
                self.best_state = copy.deepcopy(model.state_dict())
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        self._previous = metric
        self.epoch += 1
        return self.bad_epochs >= self.patience
""",
    ),
    "returns_a_tensor": (
        _RULE,
        _step(stop="torch.tensor(self.bad_epochs >= self.patience)"),
    ),
}  # fmt: skip

_CORRECT = {
    "sign_trick_and_clone": """        value = float(metric) if self.mode == "max" else -float(metric)
        best = None if self.best is None else (self.best if self.mode == "max" else -self.best)
        if best is None or value > best + self.min_delta:
            self.best = float(metric)
            self.best_epoch = self.epoch
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            self.bad_epochs = 0
        else:
            self.bad_epochs = self.bad_epochs + 1
        self.epoch += 1
        return bool(self.bad_epochs == self.patience)
""",
    "keeps_tensor_metric": """        better = (
            self.best is None
            or (self.mode == "max" and metric - self.best > self.min_delta)
            or (self.mode == "min" and self.best - metric > self.min_delta)
        )
        if better:
            self.best, self.best_epoch, self.bad_epochs = metric, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.bad_epochs += 1
        self.epoch += 1
        return bool(self.bad_epochs >= self.patience)
""",
}

MUTANTS = [
    {"cell": "early_stopping", "tests": tests, "kind": "wrong", "name": k, "pack": True, "source": _HEAD + body + _TAIL}
    for k, (tests, body) in _WRONG.items()
] + [
    {"cell": "early_stopping", "tests": _BOTH, "kind": "correct", "name": k, "source": _HEAD + body + _TAIL}
    for k, body in _CORRECT.items()
]
