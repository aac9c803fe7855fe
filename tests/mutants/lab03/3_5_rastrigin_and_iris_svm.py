"""Mutant bank for source/lab03/3_5_rastrigin_and_iris_svm.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.

The bank is large (every wrong answer was checked when it was written); the suite grades 4 wrong answers per test
cell by default, hard-coded ones first (COURSE_MUTANTS_PER_TEST=0 grades them all).
"""

PER_TEST = 4


def _rastrigin(body: str) -> str:
    return (
        "def rastrigin(x, A=1):\n"
        '    """Rastrigin\'s function; the first dimension of x holds the n coordinates (any shape after it)."""\n'
        + body
    )


def _path(body: str) -> str:
    return (
        "def optimise_path(optimiser_factory, start=(5.0, 5.0), iterations=100):\n"
        '    """Minimise rastrigin from `start` with the optimiser optimiser_factory([p]); return (path, losses).\n'
        "\n"
        "    path: (iterations + 1, 2) tensor of positions (row 0 = start); losses: (iterations + 1,) tensor, "
        'f(path[i]).\n    """\n' + body + "    return path, losses\n"
    )


def _accuracy(body: str) -> str:
    return (
        "def svm_accuracy(w, b, X, y):\n"
        '    """Fraction (a Python float) of the rows of X (shape (N, d)) whose predicted sign matches the label '
        'in y."""\n' + body
    )


def _train(body: str) -> str:
    return (
        "def train_linear_svm(X, y, optimiser_name, epochs=100, lr=0.01, weight_decay=1e-4, batch_size=25, seed=0):\n"
        '    """Train the linear SVM svm(x, w, b) on X (N, d) and the labels y (N,) in {-1, +1}; return (w, b).\n'
        "\n"
        '    optimiser_name: "sgd" for optim.SGD or "adam" for optim.Adam, with the given lr and weight_decay.\n'
        '    """\n'
        "    torch.manual_seed(seed)\n"
        "    w = torch.randn(1, X.shape[1], dtype=X.dtype, requires_grad=True)\n"
        "    b = torch.randn(1, dtype=X.dtype, requires_grad=True)\n" + body + "    return w, b\n"
    )


_R = ["test_rastrigin"]
_P = ["test_optimise_path"]
_A = ["test_svm_accuracy"]
_T = ["test_train_linear_svm"]

# the standard optimisation loop of optimise_path, with the losses recorded before each step
_LOOP = (
    "    optimiser = optimiser_factory([p])\n"
    "    path = [p.detach().clone()]\n"
    "    losses = []\n"
    "    for _ in range(iterations):\n"
    "        optimiser.zero_grad()\n"
    "        loss = rastrigin(p)\n"
    "        losses.append(loss.detach().clone())\n"
    "        loss.backward()\n"
    "        optimiser.step()\n"
    "        path.append(p.detach().clone())\n"
    "    losses.append(rastrigin(p.detach()))\n"
    "    path = torch.stack(path)\n"
    "    losses = torch.stack(losses)\n"
)
_P64 = "    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)\n"

# the standard training loop of train_linear_svm, after the optimiser line
_TRAIN_LOOP = (
    "    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)\n"
    "    for _ in range(epochs):\n"
    "        for xb, yb in loader:\n"
    "            optimiser.zero_grad()\n"
    "            loss = hinge_loss(svm(xb, w, b), yb)\n"
    "            loss.backward()\n"
    "            optimiser.step()\n"
)
_OPT = (
    '    optimisers = {"sgd": optim.SGD, "adam": optim.Adam}\n'
    "    optimiser = optimisers[optimiser_name]([w, b], lr=lr, weight_decay=weight_decay)\n"
)

MUTANTS = [
    # ---------------------------------------------------------------- rastrigin
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "wrong",
        "name": "n_fixed_to_2",
        "source": _rastrigin("    return 2 * A + (x**2 - A * torch.cos(2 * math.pi * x)).sum(dim=0)\n"),
    },
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "wrong",
        "name": "A_missing_on_the_cosines",
        "source": _rastrigin("    return A * x.shape[0] + (x**2 - torch.cos(2 * math.pi * x)).sum(dim=0)\n"),
    },
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "wrong",
        "name": "no_2pi_in_the_cosine",
        "source": _rastrigin("    return A * x.shape[0] + (x**2 - A * torch.cos(x)).sum(dim=0)\n"),
    },
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "wrong",
        "name": "sum_over_the_last_dimension",
        "source": _rastrigin("    return A * x.shape[0] + (x**2 - A * torch.cos(2 * math.pi * x)).sum(dim=-1)\n"),
    },
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "wrong",
        "name": "pi_as_3_14",
        "source": _rastrigin("    return A * x.shape[0] + (x**2 - A * torch.cos(2 * 3.14 * x)).sum(dim=0)\n"),
    },
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "wrong",
        "name": "plus_cosine",
        "source": _rastrigin(
            "    return A * x.shape[0] + (x**2 + A * torch.cos(2 * math.pi * x)).sum(dim=0) - 4 * A\n"
        ),
    },
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "wrong",
        "name": "hard_coded_two_coordinates",
        "source": _rastrigin(
            "    return (\n"
            "        2\n"
            "        + x[0] ** 2\n"
            "        + x[1] ** 2\n"
            "        - torch.cos(2 * math.pi * x[0])\n"
            "        - torch.cos(2 * math.pi * x[1])\n"
            "    )\n"
        ),
    },
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "wrong",
        "name": "numpy_cos_breaks_autograd",
        "source": "import numpy as np\n\n\n"
        + _rastrigin("    return A * x.shape[0] + (x**2 - A * np.cos(2 * np.pi * x.detach())).sum(dim=0)\n"),
    },
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "correct",
        "name": "loop_over_coordinates",
        "source": _rastrigin(
            "    total = A * x.shape[0]\n"
            "    for i in range(x.shape[0]):\n"
            "        total = total + x[i] ** 2 - A * torch.cos(2 * math.pi * x[i])\n"
            "    return total\n"
        ),
    },
    {
        "cell": "rastrigin",
        "tests": _R,
        "kind": "correct",
        "name": "torch_pi_and_len",
        "source": _rastrigin(
            "    n = len(x)\n    return A * n + torch.sum(torch.square(x) - A * torch.cos(2 * torch.pi * x), 0)\n"
        ),
    },
    # ---------------------------------------------------------------- optimise_path
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "rows_not_cloned",
        "source": _path(_P64 + _LOOP.replace("path.append(p.detach().clone())", "path.append(p.detach())")),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "no_zero_grad",
        "source": _path(_P64 + _LOOP.replace("        optimiser.zero_grad()\n", "")),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "ignores_the_factory",
        "source": _path(_P64 + _LOOP.replace("optimiser_factory([p])", "optim.SGD([p], lr=0.01)")),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "ignores_the_start",
        "source": _path(_P64.replace("start", "(5.0, 5.0)") + _LOOP),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "only_100_losses",
        "source": _path(_P64 + _LOOP.replace("    losses.append(rastrigin(p.detach()))\n", "")),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "last_loss_repeated",
        "source": _path(
            _P64 + _LOOP.replace("    losses.append(rastrigin(p.detach()))\n", "    losses.append(losses[-1])\n")
        ),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "start_row_missing",
        "source": _path(
            _P64
            + _LOOP.replace("    path = [p.detach().clone()]\n", "    path = []\n").replace(
                "    path = torch.stack(path)\n", "    path = torch.stack(path + [path[-1]])\n"
            )
        ),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "gradient_ascent",
        "source": _path(_P64 + _LOOP.replace("        loss.backward()\n", "        (-loss).backward()\n")),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "path_transposed",
        "source": _path(_P64 + _LOOP.replace("path = torch.stack(path)", "path = torch.stack(path, dim=1)")),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "wrong",
        "name": "hard_coded_sgd_end_point",
        "source": _path(
            "    t = torch.linspace(0, 1, iterations + 1, dtype=torch.float64)[:, None]\n"
            "    path = torch.tensor(start, dtype=torch.float64) * (1 - t) + torch.tensor([2.82237, 2.82237]) * t\n"
            "    losses = rastrigin(path.T)\n"
        ),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "correct",
        "name": "column_point_and_vectorised_losses",
        "source": _path(
            "    p = torch.tensor([[start[0]], [start[1]]], dtype=torch.float64, requires_grad=True)\n"
            "    optimiser = optimiser_factory([p])\n"
            "    path = np.empty((2, 0))\n"
            "    path = np.append(path, p.data.numpy(), axis=1)\n"
            "    for _ in range(iterations):\n"
            "        optimiser.zero_grad()\n"
            "        rastrigin(p).sum().backward()\n"
            "        optimiser.step()\n"
            "        path = np.append(path, p.data.numpy(), axis=1)\n"
            "    path = torch.from_numpy(path.T.copy())\n"
            "    losses = rastrigin(path.T)\n"
        ),
    },
    {
        "cell": "optimise_path",
        "tests": _P,
        "kind": "correct",
        "name": "float32_preallocated",
        "source": _path(
            "    p = torch.tensor(start, requires_grad=True)\n"
            "    optimiser = optimiser_factory([p])\n"
            "    path = torch.zeros(iterations + 1, 2)\n"
            "    losses = torch.zeros(iterations + 1)\n"
            "    path[0] = p.detach()\n"
            "    for i in range(iterations):\n"
            "        optimiser.zero_grad()\n"
            "        loss = rastrigin(p)\n"
            "        losses[i] = loss.item()\n"
            "        loss.backward()\n"
            "        optimiser.step()\n"
            "        path[i + 1] = p.detach()\n"
            "    losses[iterations] = rastrigin(p).item()\n"
        ),
    },
    # ---------------------------------------------------------------- svm_accuracy
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "wrong",
        "name": "count_not_fraction",
        "source": _accuracy("    return float((torch.sign(svm(X, w, b)) == y).sum().item())\n"),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "wrong",
        "name": "margin_counted_as_wrong",
        "source": _accuracy("    return (y * svm(X, w, b) >= 1).double().mean().item()\n"),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "wrong",
        "name": "labels_taken_as_0_1",
        "source": _accuracy("    return ((svm(X, w, b) > 0).float() == y).double().mean().item()\n"),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "wrong",
        "name": "bias_ignored",
        "source": _accuracy("    return (torch.sign((w * X).sum(1)) == y).double().mean().item()\n"),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "wrong",
        "name": "error_rate",
        "source": _accuracy("    return (torch.sign(svm(X, w, b)) != y).double().mean().item()\n"),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "wrong",
        "name": "scores_of_shape_N1_broadcast",
        "source": _accuracy("    z = X @ w.T + b\n    return (torch.sign(z) == y).double().mean().item()\n"),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "wrong",
        "name": "returns_a_tensor",
        "source": _accuracy("    return (torch.sign(svm(X, w, b)) == y).double().mean()\n"),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "wrong",
        "name": "hard_coded_demo_value",
        "source": _accuracy("    return 0.75\n"),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "correct",
        "name": "sign_of_the_margin",
        "source": _accuracy("    return (y * svm(X, w, b).detach() > 0).float().mean().item()\n"),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "correct",
        "name": "numpy_matmul",
        "source": _accuracy(
            "    scores = X.detach().numpy() @ w.detach().numpy().reshape(-1) + b.item()\n"
            "    return float(np.mean(np.sign(scores) == y.numpy()))\n"
        ),
    },
    {
        "cell": "svm_accuracy",
        "tests": _A,
        "kind": "correct",
        "name": "count_then_divide",
        "source": _accuracy(
            "    correct = 0\n"
            "    for xi, yi in zip(X, y):\n"
            "        z = float((w.detach().reshape(-1) * xi).sum() + b.detach())\n"
            "        correct += (z > 0) == (float(yi) > 0)\n"
            "    return correct / len(y)\n"
        ),
    },
    # ---------------------------------------------------------------- train_linear_svm
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "always_sgd",
        "source": _train("    optimiser = optim.SGD([w, b], lr=lr, weight_decay=weight_decay)\n" + _TRAIN_LOOP),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "adamw_instead_of_adam",
        "source": _train(_OPT.replace("optim.Adam}", "optim.AdamW}") + _TRAIN_LOOP),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "weight_decay_forgotten",
        "source": _train(_OPT.replace(", weight_decay=weight_decay", "") + _TRAIN_LOOP),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "weight_decay_on_w_only",
        "source": _train(
            _OPT.replace(", weight_decay=weight_decay", "")
            + _TRAIN_LOOP.replace(
                "hinge_loss(svm(xb, w, b), yb)", "hinge_loss(svm(xb, w, b), yb) + weight_decay / 2 * (w**2).sum()"
            )
        ),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "lr_fixed_to_0_01",
        "source": _train(_OPT.replace("lr=lr", "lr=0.01") + _TRAIN_LOOP),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "batch_size_fixed_to_25",
        "source": _train(_OPT + _TRAIN_LOOP.replace("batch_size=batch_size", "batch_size=25")),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "one_epoch_too_few",
        "source": _train(_OPT + _TRAIN_LOOP.replace("range(epochs)", "range(epochs - 1)")),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "no_zero_grad",
        "source": _train(_OPT + _TRAIN_LOOP.replace("            optimiser.zero_grad()\n", "")),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "summed_hinge_loss",
        "source": _train(
            _OPT
            + _TRAIN_LOOP.replace("hinge_loss(svm(xb, w, b), yb)", "torch.clamp(1 - svm(xb, w, b) * yb, min=0).sum()")
        ),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "scores_of_shape_B1_broadcast",
        "source": _train(_OPT + _TRAIN_LOOP.replace("svm(xb, w, b)", "xb @ w.T + b")),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "optimiser_recreated_every_epoch",
        "source": _train(
            "    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)\n"
            "    for _ in range(epochs):\n"
            '        optimiser = {"sgd": optim.SGD, "adam": optim.Adam}[optimiser_name]([w, b], lr=lr, '
            "weight_decay=weight_decay)\n"
            "        for xb, yb in loader:\n"
            "            optimiser.zero_grad()\n"
            "            hinge_loss(svm(xb, w, b), yb).backward()\n"
            "            optimiser.step()\n"
        ),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "wrong",
        "name": "hard_coded_iris_weights",
        "source": _train(
            "    with torch.no_grad():\n"
            "        w.copy_(torch.tensor([[0.95, 0.07, -2.63, -0.59]]))\n"
            "        b.copy_(torch.tensor([-0.6]))\n"
        ),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "correct",
        "name": "randperm_batches_and_if",
        "source": _train(
            '    if optimiser_name == "sgd":\n'
            "        optimiser = torch.optim.SGD([w, b], lr=lr, weight_decay=weight_decay)\n"
            "    else:\n"
            "        optimiser = torch.optim.Adam([w, b], lr=lr, weight_decay=weight_decay)\n"
            "    for _ in range(epochs):\n"
            "        order = torch.randperm(len(y))\n"
            "        for start in range(0, len(y), batch_size):\n"
            "            idx = order[start : start + batch_size]\n"
            "            optimiser.zero_grad()\n"
            "            hinge_loss(svm(X[idx], w, b), y[idx]).backward()\n"
            "            optimiser.step()\n"
        ),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "correct",
        "name": "explicit_l2_penalty_on_w_and_b",
        "source": _train(
            '    optimiser = {"sgd": optim.SGD, "adam": optim.Adam}[optimiser_name.lower()]([w, b], lr=lr)\n'
            + _TRAIN_LOOP.replace(
                "hinge_loss(svm(xb, w, b), yb)",
                "hinge_loss(svm(xb, w, b), yb) + weight_decay / 2 * ((w**2).sum() + (b**2).sum())",
            )
        ),
    },
    {
        "cell": "train_linear_svm",
        "tests": _T,
        "kind": "correct",
        "name": "no_shuffle_inline_scores",
        "source": _train(
            _OPT
            + _TRAIN_LOOP.replace("shuffle=True", "shuffle=False").replace(
                "hinge_loss(svm(xb, w, b), yb)", "torch.relu(1 - yb * ((w * xb).sum(dim=1) + b)).mean()"
            )
        ),
    },
]
