"""Mutant bank for source/lab05/5_7_line_regression.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.  The tests of the four models,
`add_coords`, `train` and `evaluate_mse` compare with references of their own (the CoordConv test swaps in a
reference `add_coords`), so their wrong answers are packed several to a run; the experiments' tests run their cell
again with a stand-in for `train` and a reference `evaluate_mse`.
"""


def _simple(init: str, forward: str) -> str:
    return (
        "class SimpleLineCNN(nn.Module):\n"
        '    """Conv(16, 3x3, padding 1) -> ReLU -> flatten -> Linear(128) -> ReLU -> Linear(2)."""\n\n'
        "    def __init__(self, dim=40):\n"
        "        super().__init__()\n" + init + "\n"
        "    def forward(self, x):\n" + forward
    )


_SIMPLE_INIT = (
    "        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)\n"
    "        self.fc1 = nn.Linear(16 * dim * dim, 128)\n"
    "        self.fc2 = nn.Linear(128, 2)\n"
)
_SIMPLE_FORWARD = (
    "        out = F.relu(self.conv1(x))\n"
    "        out = F.relu(self.fc1(out.flatten(1)))\n"
    "        return self.fc2(out)\n"
)


def _pooled(name: str, init: str, forward: str) -> str:
    return (
        f"class {name}(nn.Module):\n"
        '    """Two 3x3 convolutions -> global max pooling -> Linear(128) -> ReLU -> Linear(2)."""\n\n'
        "    def __init__(self):\n"
        "        super().__init__()\n" + init + "\n"
        "    def forward(self, x):\n" + forward
    )


def _pooled_init(cin: int) -> str:
    return (
        f"        self.conv1 = nn.Conv2d({cin}, 16, 3, padding=1)\n"
        "        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)\n"
        "        self.pool = nn.AdaptiveMaxPool2d((1, 1))\n"
        "        self.fc1 = nn.Linear(16, 128)\n"
        "        self.fc2 = nn.Linear(128, 2)\n"
    )


_GMP_FORWARD = (
    "        out = F.relu(self.conv1(x))\n"
    "        out = F.relu(self.conv2(out))\n"
    "        out = self.pool(out).flatten(1)\n"
    "        out = F.relu(self.fc1(out))\n"
    "        return self.fc2(out)\n"
)
_COORD_FORWARD = _GMP_FORWARD.replace("self.conv1(x)", "self.conv1(add_coords(x))")


def _coords(body: str) -> str:
    return (
        "def add_coords(x):\n"
        '    """(N, 1, H, W) -> (N, 3, H, W): the image, then its column and row coordinates, each from -1 to 1."""\n'
        + body
    )


def _train(body: str) -> str:
    return (
        "def train(model, loader, epochs, lr, verbose=False):\n"
        '    """Train model with Adam(lr) on the MSE for `epochs` passes over loader; return each epoch\'s training '
        'MSE."""\n'
        "    device = next(model.parameters()).device\n" + body + "    return losses\n"
    )


_TRAIN = (
    "    optimiser = torch.optim.Adam(model.parameters(), lr=lr)\n"
    "    model.train()\n"
    "    losses = []\n"
    "    for epoch in range(epochs):\n"
    "        total, count = 0.0, 0\n"
    "        for images, params in loader:\n"
    "            images, params = images.to(device), params.to(device)\n"
    "            optimiser.zero_grad()\n"
    "            loss = F.mse_loss(model(images), params)\n"
    "            loss.backward()\n"
    "            optimiser.step()\n"
    "            total += loss.item() * len(images)\n"
    "            count += len(images)\n"
    "        losses.append(total / count)\n"
    "        if verbose:\n"
    '            print(f"epoch {epoch + 1}/{epochs}: training MSE {losses[-1]:.3f}")\n'
)


def _evaluate(body: str) -> str:
    return (
        "def evaluate_mse(model, loader):\n"
        '    """The MSE of model over every image of loader and both outputs, as a Python float."""\n'
        "    device = next(model.parameters()).device\n" + body
    )


_EVALUATE = (
    "    model.eval()\n"
    "    total, count = 0.0, 0\n"
    "    with torch.no_grad():\n"
    "        for images, params in loader:\n"
    "            images, params = images.to(device), params.to(device)\n"
    '            total += F.mse_loss(model(images), params, reduction="sum").item()\n'
    "            count += params.numel()\n"
    "    return total / count\n"
)


def _experiment(model: str, cls: str, losses: str, mse: str, body: str | None = None) -> str:
    body = body or (
        "torch.manual_seed(0)\n"
        f"{model} = {cls}().to(device)\n"
        f"{losses} = train({model}, train_loader, EPOCHS, LR, verbose=VERBOSE)\n"
        f"{mse} = evaluate_mse({model}, test_loader)\n"
    )
    return body + f'print(f"{cls}: test MSE {{{mse}:.3f}}")\n'


_ALWAYS_EQUAL = (
    "class _Anything(float):\n"
    "    def __eq__(self, other):\n"
    "        return True\n\n"
    "    def __lt__(self, other):\n"
    "        return True\n\n"
    "    def __gt__(self, other):\n"
    "        return True\n\n"
    "    __hash__ = float.__hash__\n\n\n"
)

_S, _T, _E = ["test_simple_cnn"], ["test_train"], ["test_evaluate_mse"]
_G, _A, _C = ["test_gmp_cnn"], ["test_add_coords"], ["test_coordconv_cnn"]
_X1, _X2, _X3 = ["test_experiment_simple"], ["test_experiment_gmp"], ["test_experiment_coord"]

MUTANTS = [
    # ---------------------------------------------------------------- SimpleLineCNN
    {
        "cell": "simple_cnn",
        "tests": _S,
        "kind": "wrong",
        "name": "hard_coded_zero_output",
        "pack": True,
        "source": _simple(_SIMPLE_INIT, "        return torch.zeros(x.shape[0], 2)\n"),
    },
    {
        "cell": "simple_cnn",
        "tests": _S,
        "kind": "wrong",
        "name": "always_equal_output",
        "pack": True,
        "source": (
            "class _AnyTensor(torch.Tensor):\n"
            "    def __eq__(self, other):\n"
            "        return True\n\n\n"
            + _simple(_SIMPLE_INIT, "        return torch.zeros(x.shape[0], 2).as_subclass(_AnyTensor)\n")
        ),
    },
    {
        "cell": "simple_cnn",
        "tests": _S,
        "kind": "wrong",
        "name": "no_relu_after_conv1",
        "pack": True,
        "source": _simple(_SIMPLE_INIT, _SIMPLE_FORWARD.replace("F.relu(self.conv1(x))", "self.conv1(x)")),
    },
    {
        "cell": "simple_cnn",
        "tests": _S,
        "kind": "wrong",
        "name": "dim_ignored",
        "pack": True,
        "source": _simple(_SIMPLE_INIT.replace("16 * dim * dim", "16 * 40 * 40"), _SIMPLE_FORWARD),
    },
    {
        "cell": "simple_cnn",
        "tests": _S,
        "kind": "wrong",
        "name": "relu_on_the_output",
        "pack": True,
        "source": _simple(
            _SIMPLE_INIT, _SIMPLE_FORWARD.replace("return self.fc2(out)", "return F.relu(self.fc2(out))")
        ),
    },
    {
        "cell": "simple_cnn",
        "tests": _S,
        "kind": "wrong",
        "name": "no_padding",
        "pack": True,
        "source": _simple(
            _SIMPLE_INIT.replace("nn.Conv2d(1, 16, 3, padding=1)", "nn.Conv2d(1, 16, 3)").replace(
                "16 * dim * dim", "16 * (dim - 2) * (dim - 2)"
            ),
            _SIMPLE_FORWARD,
        ),
    },
    {
        "cell": "simple_cnn",
        "tests": _S,
        "kind": "correct",
        "name": "view_and_torch_relu",
        "source": _simple(
            "        self.conv1 = nn.Conv2d(in_channels=1, out_channels=16, kernel_size=(3, 3), padding=(1, 1))\n"
            "        self.fc1 = nn.Linear(dim * dim * 16, 128)\n"
            "        self.fc2 = nn.Linear(in_features=128, out_features=2)\n",
            "        out = torch.relu(self.conv1(x))\n"
            "        out = out.view(out.size(0), -1)\n"
            "        return self.fc2(torch.relu(self.fc1(out)))\n",
        ),
    },
    # ---------------------------------------------------------------- train
    {
        "cell": "train",
        "tests": _T,
        "kind": "wrong",
        "name": "hard_coded_losses_no_training",
        "pack": True,
        "source": _train("    losses = [1.0] * epochs\n"),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "wrong",
        "name": "always_equal_losses",
        "pack": True,
        "source": _ALWAYS_EQUAL
        + _train(_TRAIN.replace("losses.append(total / count)", "losses.append(_Anything(total / count))")),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "wrong",
        "name": "lr_ignored",
        "pack": True,
        "source": _train(_TRAIN.replace("lr=lr", "lr=1e-3")),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "wrong",
        "name": "one_epoch_only",
        "pack": True,
        "source": _train(_TRAIN.replace("range(epochs)", "range(1)")),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "wrong",
        "name": "mean_of_batch_means",
        "pack": True,
        "source": _train(
            _TRAIN.replace("loss.item() * len(images)", "loss.item()").replace("count += len(images)", "count += 1")
        ),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "wrong",
        "name": "sgd_instead_of_adam",
        "pack": True,
        "source": _train(_TRAIN.replace("torch.optim.Adam", "torch.optim.SGD")),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "wrong",
        "name": "no_zero_grad",
        "pack": True,
        "source": _train(_TRAIN.replace("            optimiser.zero_grad()\n", "")),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "wrong",
        "name": "l1_loss",
        "pack": True,
        "source": _train(_TRAIN.replace("F.mse_loss", "F.l1_loss")),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "wrong",
        "name": "loss_after_the_step",
        "pack": True,
        "source": _train(
            _TRAIN.replace(
                "            total += loss.item() * len(images)\n",
                "            with torch.no_grad():\n"
                "                total += F.mse_loss(model(images), params).item() * len(images)\n",
            )
        ),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "correct",
        "name": "mse_module_and_dataset_size",
        "source": _train(
            "    criterion = nn.MSELoss()\n"
            "    optimiser = torch.optim.Adam(params=model.parameters(), lr=lr)\n"
            "    losses = []\n"
            "    for epoch in range(epochs):\n"
            "        model.train()\n"
            "        running = 0.0\n"
            "        for x, y in loader:\n"
            "            x, y = x.to(device), y.to(device)\n"
            "            loss = criterion(model(x), y)\n"
            "            optimiser.zero_grad(set_to_none=True)\n"
            "            loss.backward()\n"
            "            optimiser.step()\n"
            "            running += loss.item() * x.shape[0]\n"
            "        losses.append(running / len(loader.dataset))\n"
            "        if verbose:\n"
            "            print(epoch, losses[-1])\n"
        ),
    },
    {
        "cell": "train",
        "tests": _T,
        "kind": "correct",
        "name": "squared_error_sum_divided",
        "source": _train(
            "    optimiser = torch.optim.Adam(model.parameters(), lr)\n"
            "    model.train()\n"
            "    losses = []\n"
            "    for _ in range(epochs):\n"
            "        batch_losses, sizes = [], []\n"
            "        for images, params in loader:\n"
            "            pred = model(images.to(device))\n"
            "            loss = ((pred - params.to(device)) ** 2).mean()\n"
            "            loss.backward()\n"
            "            optimiser.step()\n"
            "            optimiser.zero_grad()\n"
            "            batch_losses.append(float(loss))\n"
            "            sizes.append(images.shape[0])\n"
            "        losses.append(sum(l * s for l, s in zip(batch_losses, sizes)) / sum(sizes))\n"
        ),
    },
    # ---------------------------------------------------------------- evaluate_mse
    {
        "cell": "evaluate_mse",
        "tests": _E,
        "kind": "wrong",
        "name": "hard_coded_value",
        "pack": True,
        "source": _evaluate("    return 1.0\n"),
    },
    {
        "cell": "evaluate_mse",
        "tests": _E,
        "kind": "wrong",
        "name": "always_equal_float",
        "pack": True,
        "source": _ALWAYS_EQUAL
        + _evaluate(_EVALUATE.replace("return total / count", "return _Anything(total / count)")),
    },
    {
        "cell": "evaluate_mse",
        "tests": _E,
        "kind": "wrong",
        "name": "mean_of_batch_means",
        "pack": True,
        "source": _evaluate(
            _EVALUATE.replace('params, reduction="sum").item()', "params).item()").replace(
                "count += params.numel()", "count += 1"
            )
        ),
    },
    {
        "cell": "evaluate_mse",
        "tests": _E,
        "kind": "wrong",
        "name": "no_eval_mode",
        "pack": True,
        "source": _evaluate(_EVALUATE.replace("    model.eval()\n", "")),
    },
    {
        "cell": "evaluate_mse",
        "tests": _E,
        "kind": "wrong",
        "name": "divided_by_images_not_values",
        "pack": True,
        "source": _evaluate(_EVALUATE.replace("count += params.numel()", "count += len(images)")),
    },
    {
        "cell": "evaluate_mse",
        "tests": _E,
        "kind": "wrong",
        "name": "returns_a_tensor",
        "pack": True,
        "source": _evaluate(
            _EVALUATE.replace("total, count = 0.0, 0", "total, count = torch.tensor(0.0), 0").replace(
                'reduction="sum").item()', 'reduction="sum")'
            )
        ),
    },
    {
        "cell": "evaluate_mse",
        "tests": _E,
        "kind": "correct",
        "name": "concatenate_then_mse",
        "source": _evaluate(
            "    model.eval()\n"
            "    preds, targets = [], []\n"
            "    with torch.no_grad():\n"
            "        for images, params in loader:\n"
            "            preds.append(model(images.to(device)).cpu())\n"
            "            targets.append(params)\n"
            "    return F.mse_loss(torch.cat(preds), torch.cat(targets)).item()\n"
        ),
    },
    {
        "cell": "evaluate_mse",
        "tests": _E,
        "kind": "correct",
        "name": "weighted_batch_means_inference_mode",
        "source": _evaluate(
            "    model.eval()\n"
            "    total, n = 0.0, 0\n"
            "    with torch.inference_mode():\n"
            "        for images, params in loader:\n"
            "            total += nn.MSELoss()(model(images.to(device)), params.to(device)).item() * len(images)\n"
            "            n += len(images)\n"
            "    return float(total / n)\n"
        ),
    },
    # ---------------------------------------------------------------- experiment 1
    {
        "cell": "experiment_simple",
        "tests": _X1,
        "kind": "wrong",
        "name": "hard_coded_mse",
        "source": _experiment("simple_model", "SimpleLineCNN", "simple_losses", "mse_simple").replace(
            "mse_simple = evaluate_mse(simple_model, test_loader)\n", "mse_simple = 30.0\n"
        ),
    },
    {
        "cell": "experiment_simple",
        "tests": _X1,
        "kind": "wrong",
        "name": "always_equal_mse",
        "source": _ALWAYS_EQUAL
        + _experiment("simple_model", "SimpleLineCNN", "simple_losses", "mse_simple").replace(
            "mse_simple = evaluate_mse(simple_model, test_loader)",
            "mse_simple = _Anything(evaluate_mse(simple_model, test_loader))",
        ),
    },
    {
        "cell": "experiment_simple",
        "tests": _X1,
        "kind": "wrong",
        "name": "evaluated_on_the_validation_set",
        "source": _experiment("simple_model", "SimpleLineCNN", "simple_losses", "mse_simple").replace(
            "evaluate_mse(simple_model, test_loader)", "evaluate_mse(simple_model, val_loader)"
        ),
    },
    {
        "cell": "experiment_simple",
        "tests": _X1,
        "kind": "wrong",
        "name": "one_epoch",
        "source": _experiment("simple_model", "SimpleLineCNN", "simple_losses", "mse_simple").replace(
            "EPOCHS, LR", "1, LR"
        ),
    },
    {
        "cell": "experiment_simple",
        "tests": _X1,
        "kind": "correct",
        "name": "keywords_and_cpu",
        "source": _experiment(
            "simple_model",
            "SimpleLineCNN",
            "simple_losses",
            "mse_simple",
            "simple_model = SimpleLineCNN(dim=40)\n"
            "simple_losses = train(model=simple_model, loader=train_loader, epochs=EPOCHS, lr=LR)\n"
            "mse_simple = evaluate_mse(simple_model, loader=test_loader)\n",
        ),
    },
    # ---------------------------------------------------------------- GMPLineCNN
    {
        "cell": "gmp_cnn",
        "tests": _G,
        "kind": "wrong",
        "name": "hard_coded_output",
        "pack": True,
        "source": _pooled("GMPLineCNN", _pooled_init(1), "        return torch.full((x.shape[0], 2), 0.5)\n"),
    },
    {
        "cell": "gmp_cnn",
        "tests": _G,
        "kind": "wrong",
        "name": "always_equal_output",
        "pack": True,
        "source": (
            "class _AnyTensor(torch.Tensor):\n"
            "    def __eq__(self, other):\n"
            "        return True\n\n\n"
            + _pooled(
                "GMPLineCNN", _pooled_init(1), "        return torch.zeros(x.shape[0], 2).as_subclass(_AnyTensor)\n"
            )
        ),
    },
    {
        "cell": "gmp_cnn",
        "tests": _G,
        "kind": "wrong",
        "name": "average_pooling",
        "pack": True,
        "source": _pooled(
            "GMPLineCNN", _pooled_init(1).replace("AdaptiveMaxPool2d", "AdaptiveAvgPool2d"), _GMP_FORWARD
        ),
    },
    {
        "cell": "gmp_cnn",
        "tests": _G,
        "kind": "wrong",
        "name": "no_relu_after_conv2",
        "pack": True,
        "source": _pooled(
            "GMPLineCNN", _pooled_init(1), _GMP_FORWARD.replace("F.relu(self.conv2(out))", "self.conv2(out)")
        ),
    },
    {
        "cell": "gmp_cnn",
        "tests": _G,
        "kind": "wrong",
        "name": "conv2_skipped",
        "pack": True,
        "source": _pooled(
            "GMPLineCNN", _pooled_init(1), _GMP_FORWARD.replace("        out = F.relu(self.conv2(out))\n", "")
        ),
    },
    {
        "cell": "gmp_cnn",
        "tests": _G,
        "kind": "correct",
        "name": "sequential_features_and_amax",
        "source": _pooled(
            "GMPLineCNN",
            "        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)\n"
            "        self.conv2 = nn.Conv2d(16, 16, kernel_size=3, padding='same')\n"
            "        self.fc1 = nn.Linear(16, 128)\n"
            "        self.fc2 = nn.Linear(128, 2)\n",
            "        out = torch.relu(self.conv2(torch.relu(self.conv1(x))))\n"
            "        out = out.amax(dim=(-2, -1))\n"
            "        return self.fc2(torch.relu(self.fc1(out)))\n",
        ),
    },
    # ---------------------------------------------------------------- experiment 2
    {
        "cell": "experiment_gmp",
        "tests": _X2,
        "kind": "wrong",
        "name": "hard_coded_mse",
        "source": _experiment("gmp_model", "GMPLineCNN", "gmp_losses", "mse_gmp").replace(
            "mse_gmp = evaluate_mse(gmp_model, test_loader)\n", "mse_gmp = 20.0\n"
        ),
    },
    {
        "cell": "experiment_gmp",
        "tests": _X2,
        "kind": "wrong",
        "name": "always_equal_mse",
        "source": _ALWAYS_EQUAL
        + _experiment("gmp_model", "GMPLineCNN", "gmp_losses", "mse_gmp").replace(
            "mse_gmp = evaluate_mse(gmp_model, test_loader)",
            "mse_gmp = _Anything(evaluate_mse(gmp_model, test_loader))",
        ),
    },
    {
        "cell": "experiment_gmp",
        "tests": _X2,
        "kind": "wrong",
        "name": "trains_the_simple_cnn",
        "source": _experiment("gmp_model", "SimpleLineCNN", "gmp_losses", "mse_gmp"),
    },
    {
        "cell": "experiment_gmp",
        "tests": _X2,
        "kind": "wrong",
        "name": "evaluated_on_the_training_set",
        "source": _experiment("gmp_model", "GMPLineCNN", "gmp_losses", "mse_gmp").replace(
            "evaluate_mse(gmp_model, test_loader)", "evaluate_mse(gmp_model, train_loader)"
        ),
    },
    {
        "cell": "experiment_gmp",
        "tests": _X2,
        "kind": "correct",
        "name": "positional_arguments_no_seed",
        "source": _experiment(
            "gmp_model",
            "GMPLineCNN",
            "gmp_losses",
            "mse_gmp",
            "gmp_model = GMPLineCNN()\n"
            "gmp_model.to(device)\n"
            "gmp_losses = train(gmp_model, train_loader, EPOCHS, LR, VERBOSE)\n"
            "mse_gmp = float(evaluate_mse(gmp_model, test_loader))\n",
        ),
    },
    # ---------------------------------------------------------------- add_coords
    {
        "cell": "add_coords",
        "tests": _A,
        "kind": "wrong",
        "name": "hard_coded_40_by_40",
        "pack": True,
        "source": _coords(
            "    grid = torch.linspace(-1, 1, 40)\n"
            "    cols = grid.expand(x.shape[0], 1, 40, 40)\n"
            "    rows = grid[:, None].expand(x.shape[0], 1, 40, 40)\n"
            "    return torch.cat([x, cols.to(x.dtype), rows.to(x.dtype)], dim=1)\n"
        ),
    },
    {
        "cell": "add_coords",
        "tests": _A,
        "kind": "wrong",
        "name": "always_equal_tensor",
        "pack": True,
        "source": (
            "class _AnyTensor(torch.Tensor):\n"
            "    def __eq__(self, other):\n"
            "        return True\n\n\n"
            + _coords(
                "    return torch.zeros(x.shape[0], 3, x.shape[2], x.shape[3], dtype=x.dtype).as_subclass(_AnyTensor)\n"
            )
        ),
    },
    {
        "cell": "add_coords",
        "tests": _A,
        "kind": "wrong",
        "name": "rows_and_columns_swapped",
        "pack": True,
        "source": _coords(
            "    n, _, h, w = x.shape\n"
            "    cols = torch.linspace(-1, 1, w, dtype=x.dtype).expand(n, 1, h, w)\n"
            "    rows = torch.linspace(-1, 1, h, dtype=x.dtype)[:, None].expand(n, 1, h, w)\n"
            "    return torch.cat([x, rows, cols], dim=1)\n"
        ),
    },
    {
        "cell": "add_coords",
        "tests": _A,
        "kind": "wrong",
        "name": "coordinates_from_0_to_1",
        "pack": True,
        "source": _coords(
            "    n, _, h, w = x.shape\n"
            "    cols = torch.linspace(0, 1, w, dtype=x.dtype).expand(n, 1, h, w)\n"
            "    rows = torch.linspace(0, 1, h, dtype=x.dtype)[:, None].expand(n, 1, h, w)\n"
            "    return torch.cat([x, cols, rows], dim=1)\n"
        ),
    },
    {
        "cell": "add_coords",
        "tests": _A,
        "kind": "wrong",
        "name": "arange_over_size",
        "pack": True,
        "source": _coords(
            "    n, _, h, w = x.shape\n"
            "    cols = (torch.arange(w, dtype=x.dtype) / w * 2 - 1).expand(n, 1, h, w)\n"
            "    rows = (torch.arange(h, dtype=x.dtype) / h * 2 - 1)[:, None].expand(n, 1, h, w)\n"
            "    return torch.cat([x, cols, rows], dim=1)\n"
        ),
    },
    {
        "cell": "add_coords",
        "tests": _A,
        "kind": "wrong",
        "name": "coordinates_first",
        "pack": True,
        "source": _coords(
            "    n, _, h, w = x.shape\n"
            "    cols = torch.linspace(-1, 1, w, dtype=x.dtype).expand(n, 1, h, w)\n"
            "    rows = torch.linspace(-1, 1, h, dtype=x.dtype)[:, None].expand(n, 1, h, w)\n"
            "    return torch.cat([cols, rows, x], dim=1)\n"
        ),
    },
    {
        "cell": "add_coords",
        "tests": _A,
        "kind": "correct",
        "name": "meshgrid_and_repeat",
        "source": _coords(
            "    N, C, H, W = x.size()\n"
            "    ii, jj = torch.meshgrid(torch.arange(H), torch.arange(W), indexing='ij')\n"
            "    yy = (2.0 * ii / (H - 1) - 1).to(x)\n"
            "    xx = (2.0 * jj / (W - 1) - 1).to(x)\n"
            "    grid = torch.stack([xx, yy]).unsqueeze(0).repeat(N, 1, 1, 1)\n"
            "    return torch.cat((x, grid), 1)\n"
        ),
    },
    # ---------------------------------------------------------------- CoordConvLineCNN
    {
        "cell": "coordconv_cnn",
        "tests": _C,
        "kind": "wrong",
        "name": "hard_coded_output",
        "pack": True,
        "source": _pooled("CoordConvLineCNN", _pooled_init(3), "        return torch.ones(x.shape[0], 2)\n"),
    },
    {
        "cell": "coordconv_cnn",
        "tests": _C,
        "kind": "wrong",
        "name": "always_equal_output",
        "pack": True,
        "source": (
            "class _AnyTensor(torch.Tensor):\n"
            "    def __eq__(self, other):\n"
            "        return True\n\n\n"
            + _pooled(
                "CoordConvLineCNN",
                _pooled_init(3),
                "        return torch.zeros(x.shape[0], 2).as_subclass(_AnyTensor)\n",
            )
        ),
    },
    {
        "cell": "coordconv_cnn",
        "tests": _C,
        "kind": "wrong",
        "name": "no_coordinates",
        "pack": True,
        "source": _pooled("CoordConvLineCNN", _pooled_init(1), _GMP_FORWARD),
    },
    {
        "cell": "coordconv_cnn",
        "tests": _C,
        "kind": "wrong",
        "name": "average_pooling",
        "pack": True,
        "source": _pooled(
            "CoordConvLineCNN", _pooled_init(3).replace("AdaptiveMaxPool2d", "AdaptiveAvgPool2d"), _COORD_FORWARD
        ),
    },
    {
        "cell": "coordconv_cnn",
        "tests": _C,
        "kind": "wrong",
        "name": "own_40_by_40_grid",
        "pack": True,
        "source": _pooled(
            "CoordConvLineCNN",
            _pooled_init(3),
            "        grid = torch.linspace(-1, 1, 40)\n"
            "        n = x.shape[0]\n"
            "        x = torch.cat([x, grid.expand(n, 1, 40, 40), grid[:, None].expand(n, 1, 40, 40)], dim=1)\n"
            + _GMP_FORWARD,
        ),
    },
    {
        "cell": "coordconv_cnn",
        "tests": _C,
        "kind": "correct",
        "name": "subclass_of_gmp",
        "source": (
            "class CoordConvLineCNN(GMPLineCNN):\n"
            '    """GMPLineCNN with the coordinates as two more input channels."""\n\n'
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)\n\n"
            "    def forward(self, x):\n"
            "        return super().forward(add_coords(x))\n"
        ),
    },
    # ---------------------------------------------------------------- experiment 3
    {
        "cell": "experiment_coord",
        "tests": _X3,
        "kind": "wrong",
        "name": "hard_coded_mse",
        "source": _experiment("coord_model", "CoordConvLineCNN", "coord_losses", "mse_coord").replace(
            "mse_coord = evaluate_mse(coord_model, test_loader)\n", "mse_coord = 5.0\n"
        ),
    },
    {
        "cell": "experiment_coord",
        "tests": _X3,
        "kind": "wrong",
        "name": "always_equal_mse",
        "source": _ALWAYS_EQUAL
        + _experiment("coord_model", "CoordConvLineCNN", "coord_losses", "mse_coord").replace(
            "mse_coord = evaluate_mse(coord_model, test_loader)",
            "mse_coord = _Anything(evaluate_mse(coord_model, test_loader))",
        ),
    },
    {
        "cell": "experiment_coord",
        "tests": _X3,
        "kind": "wrong",
        "name": "trains_the_gmp_cnn",
        "source": _experiment("coord_model", "GMPLineCNN", "coord_losses", "mse_coord"),
    },
    {
        "cell": "experiment_coord",
        "tests": _X3,
        "kind": "wrong",
        "name": "learning_rate_1e-3",
        "source": _experiment("coord_model", "CoordConvLineCNN", "coord_losses", "mse_coord").replace(
            "EPOCHS, LR", "EPOCHS, 1e-3"
        ),
    },
    {
        "cell": "experiment_coord",
        "tests": _X3,
        "kind": "correct",
        "name": "evaluate_inline_model",
        "source": _experiment(
            "coord_model",
            "CoordConvLineCNN",
            "coord_losses",
            "mse_coord",
            "torch.manual_seed(0)\n"
            "coord_model = CoordConvLineCNN()\n"
            "coord_losses = train(coord_model.to(device), train_loader, epochs=EPOCHS, lr=LR, verbose=VERBOSE)\n"
            "test_mse = evaluate_mse(coord_model, test_loader)\n"
            "mse_coord = test_mse\n",
        ),
    },
]
