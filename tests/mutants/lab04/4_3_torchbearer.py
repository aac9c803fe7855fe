"""Mutant bank of lab 4.3 (Torchbearer).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The hidden tests of both cells build their
own small trials, so every wrong answer fails on its own; the visible checks of each cell read the results of the
trial in the notebook, which uses both answers, so the wrong answers are not packed.
"""

_TRIAL = '''def build_trial(model, trainloader, testloader, callbacks=()):
    """A Trial: SGD (lr 0.01) on the cross-entropy, metrics loss/accuracy/top-5 accuracy, train and test loaders."""
{body}
'''


def _trial(optimiser="torch.optim.SGD(model.parameters(), lr=0.01)", loss="nn.CrossEntropyLoss()",
           metrics='["loss", "accuracy", "top_5_acc"]', callbacks="list(callbacks)",
           generators="trainloader, test_generator=testloader"):  # fmt: skip
    return f"""    optimiser = {optimiser}
    trial = Trial(model, optimiser, {loss}, metrics={metrics}, callbacks={callbacks}, verbose=VERBOSE)
    trial.with_generators({generators})
    return trial"""


_TRIAL_WRONG = {
    "adam": _trial(optimiser="torch.optim.Adam(model.parameters(), lr=0.01)"),
    "learning_rate_0_1": _trial(optimiser="torch.optim.SGD(model.parameters(), lr=0.1)"),
    "momentum": _trial(optimiser="torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)"),
    "no_top_5": _trial(metrics='["loss", "accuracy"]'),
    # the test loader given as the validation generator: evaluate(TEST_DATA) has no data
    "validation_not_test": _trial(generators="trainloader, val_generator=testloader"),
    "nll_loss_on_logits": _trial(loss="nn.NLLLoss()"),
    "callbacks_ignored": _trial(callbacks="[]"),
    "trains_on_test_set": _trial(generators="testloader, test_generator=testloader"),
    "mse_on_one_hot": _trial(loss="lambda y_pred, y: F.mse_loss(y_pred, F.one_hot(y, y_pred.shape[1]).float())"),
}
_TRIAL_CORRECT = {
    "chained_keywords": """    return Trial(
        model,
        optimizer=torch.optim.SGD(params=model.parameters(), lr=1e-2, momentum=0),
        criterion=F.cross_entropy,
        metrics=["acc", "loss", "top_5_acc"],
        callbacks=callbacks,
        verbose=VERBOSE,
    ).with_generators(train_generator=trainloader, test_generator=testloader)""",
    "with_test_generator_and_to": """    sgd = torch.optim.SGD(model.parameters(), 0.01)
    metrics = ["loss", "accuracy", "top_5_acc"]
    trial = Trial(model, sgd, nn.CrossEntropyLoss(), metrics, list(callbacks), verbose=VERBOSE).to("cpu")
    trial.with_train_generator(trainloader)
    trial.with_test_generator(testloader)
    return trial""",
}

_REC = '''def make_batch_loss_recorder(losses):
    """A callback that appends the loss of every training batch to `losses` (a list), as a float."""
{body}
'''


def _rec(decorator="on_step_training", value="state[torchbearer.LOSS].item()"):
    return f"""    @torchbearer.callbacks.{decorator}
    def record_loss(state):
        losses.append({value})

    return record_loss"""


_REC_WRONG = {
    "on_step_validation": _rec(decorator="on_step_validation"),
    "on_end_epoch": _rec(decorator="on_end_epoch"),
    "tensor_not_float": _rec(value="state[torchbearer.LOSS].detach()"),
    "running_loss_metric": _rec(value="float(state[torchbearer.METRICS]['running_loss'])"),
    # on_forward runs before the loss of the batch is computed: it sees the previous batch's loss
    "on_forward_stale_loss": _rec(
        decorator="on_forward", value="state.get(torchbearer.LOSS, torch.tensor(0.0)).item()"
    ),
    "training_and_validation": """    class Recorder(torchbearer.callbacks.Callback):
        def on_step_training(self, state):
            losses.append(state[torchbearer.LOSS].item())

        def on_step_validation(self, state):
            losses.append(state[torchbearer.LOSS].item())

    return Recorder()""",
    "summed_loss_times_batch": _rec(value="state[torchbearer.LOSS].item() * len(state[torchbearer.Y_TRUE])"),
}
_REC_CORRECT = {
    "callback_subclass": """    class Recorder(torchbearer.callbacks.Callback):
        def on_step_training(self, state):
            losses.append(float(state[torchbearer.LOSS]))

    return Recorder()""",
    "on_criterion": _rec(decorator="on_criterion"),
    "on_backward": _rec(decorator="on_backward", value="state[torchbearer.LOSS].detach().item()"),
}


def _entries(cell, tests, template, wrong, correct):
    out = [
        {"cell": cell, "tests": tests, "kind": "wrong", "name": k, "source": template.format(body=v)}
        for k, v in wrong.items()
    ]
    out += [
        {"cell": cell, "tests": tests, "kind": "correct", "name": k, "source": template.format(body=v)}
        for k, v in correct.items()
    ]
    return out


MUTANTS = _entries("build_trial", ["test_build_trial"], _TRIAL, _TRIAL_WRONG, _TRIAL_CORRECT) + _entries(
    "make_batch_loss_recorder", ["test_make_batch_loss_recorder"], _REC, _REC_WRONG, _REC_CORRECT
)
