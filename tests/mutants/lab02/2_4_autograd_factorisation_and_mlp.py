"""Mutant bank for source/lab02/2_4_autograd_factorisation_and_mlp.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.

The bank is large (every wrong answer was checked when it was written); the suite grades 4 wrong answers per test
cell by default, hard-coded ones first (COURSE_MUTANTS_PER_TEST=0 grades them all).
"""

PER_TEST = 4

_GD = '''def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    """Factorise A ([m, n]) as U @ V.T by full-batch gradient descent with autograd; returns (U, V).

    U is [m, rank] and V is [n, rank]; both start from torch.rand and are returned detached.
    """
'''

# The body of the model answer, with pieces a mutant can change.
_GD_INIT = (
    "    m, n = A.shape\n"
    "    U = torch.rand(m, rank, dtype=A.dtype, requires_grad=True)\n"
    "    V = torch.rand(n, rank, dtype=A.dtype, requires_grad=True)\n"
)


def _gd(
    init=_GD_INIT,
    loop="    for _ in range(num_epochs):\n",
    loss='        loss = F.mse_loss(U @ V.T, A, reduction="sum")\n',
    update="            U -= lr * U.grad\n            V -= lr * V.grad\n",
    zero="        U.grad.zero_()\n        V.grad.zero_()\n",
    ret="    return U.detach(), V.detach()\n",
):
    return (
        _GD + init + loop + loss + "        loss.backward()\n" + "        with torch.no_grad():\n" + update + zero + ret
    )


_IRIS = "# Mean-centre X_iris; rank-2 factorisations by gradient descent and by the truncated SVD; their losses.\n"
_IRIS_END = (
    '\nprint(f"rank-2 reconstruction loss: gradient descent {float(loss_gd):.4f}, truncated SVD {float(loss_svd):.4f}")'
)


def _iris(
    centre="A_iris = X_iris - X_iris.mean(dim=0)\n",
    gd_loss='loss_gd = F.mse_loss(U_hat @ V_hat.T, A_iris, reduction="sum").item()\n',
    svd="U, S, Vh = torch.linalg.svd(A_iris, full_matrices=False)\n",
    rec="A_svd = U[:, :2] @ torch.diag(S[:2]) @ Vh[:2, :]\n",
    svd_loss='loss_svd = F.mse_loss(A_svd, A_iris, reduction="sum").item()\n',
):
    fit = "U_hat, V_hat = gd_factorise_ad(A_iris, 2, num_epochs=3000)\n"
    return _IRIS + centre + fit + gd_loss + "\n" + svd + rec + svd_loss + _IRIS_END


_MLP = '''def train_mlp(X_train, y_train, num_epochs=100, lr=0.01):
    """Train the 4-12-3 ReLU MLP by full-batch gradient descent on F.cross_entropy; returns (W1, b1, W2, b2).

    Shapes: W1 (4, 12), b1 (12,), W2 (12, 3), b2 (3,); the returned tensors are detached.
    """
'''
_MLP_INIT = (
    "    W1 = torch.randn(4, 12, requires_grad=True)\n"
    "    b1 = torch.zeros(12, requires_grad=True)\n"
    "    W2 = torch.randn(12, 3, requires_grad=True)\n"
    "    b2 = torch.zeros(3, requires_grad=True)\n"
)


def _mlp(
    init=_MLP_INIT,
    params="    params = [W1, b1, W2, b2]\n",
    loop="    for _ in range(num_epochs):\n",
    logits="        logits = torch.relu(X_train @ W1 + b1) @ W2 + b2\n",
    loss="        loss = F.cross_entropy(logits, y_train)\n",
    update="                p -= lr * p.grad\n",
    zero="                p.grad.zero_()\n",
    ret="    return W1.detach(), b1.detach(), W2.detach(), b2.detach()\n",
):
    return (
        _MLP
        + init
        + params
        + loop
        + logits
        + loss
        + "        loss.backward()\n"
        + "        with torch.no_grad():\n"
        + "            for p in params:\n"
        + update
        + zero
        + ret
    )


_ACC = '''def mlp_accuracy(params, X, y):
    """Fraction of the rows of X that the MLP with parameters (W1, b1, W2, b2) classifies as y; a float in [0, 1]."""
'''


def _acc(body):
    return _ACC + body


_ACC_MODEL = (
    "    W1, b1, W2, b2 = params\n"
    "    logits = torch.relu(X @ W1 + b1) @ W2 + b2\n"
    "    return (logits.argmax(dim=1) == y).float().mean().item()\n"
)

_T_GD = ["test_gd_factorise_ad"]
_T_IRIS = ["test_iris_factorisation"]
_T_MLP = ["test_train_mlp"]
_T_ACC = ["test_mlp_accuracy"]

MUTANTS = [
    # ---------------------------------------------------------------- Exercise 1: gd_factorise_ad
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "mean_instead_of_sum",
        "source": _gd(loss="        loss = F.mse_loss(U @ V.T, A)\n"),
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "gradients_never_zeroed",
        "source": _gd(zero=""),
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "gradient_ascent",
        "source": _gd(update="            U += lr * U.grad\n            V += lr * V.grad\n"),
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "only_U_updated",
        "source": _gd(update="            U -= lr * U.grad\n"),
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "one_epoch_short",
        "source": _gd(loop="    for _ in range(num_epochs - 1):\n"),
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "learning_rate_ignored",
        "source": _gd(update="            U -= 0.01 * U.grad\n            V -= 0.01 * V.grad\n"),
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "V_returned_transposed",
        "source": _gd(ret="    return U.detach(), V.detach().T\n"),
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "hard_coded_3x3_shapes",
        "source": _gd(
            init="    U = torch.rand(3, rank, requires_grad=True)\n    V = torch.rand(3, rank, requires_grad=True)\n"
        ),
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "truncated_svd_instead_of_learning",
        "source": _GD
        + "    U, S, Vh = torch.linalg.svd(A, full_matrices=False)\n"
        + "    return U[:, :rank] * S[:rank], Vh[:rank].T\n",
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "hand_derived_gradients_no_autograd",
        "source": _GD
        + "    m, n = A.shape\n"
        + "    U = torch.rand(m, rank, dtype=A.dtype)\n"
        + "    V = torch.rand(n, rank, dtype=A.dtype)\n"
        + "    for _ in range(num_epochs):\n"
        + "        R = U @ V.T - A\n"
        + "        U, V = U - lr * 2 * R @ V, V - lr * 2 * R.T @ U\n"
        + "    return U, V\n",
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "wrong",
        "name": "update_rebinds_to_non_leaf",
        "source": _GD
        + _GD_INIT
        + "    for _ in range(num_epochs):\n"
        + '        loss = F.mse_loss(U @ V.T, A, reduction="sum")\n'
        + "        loss.backward()\n"
        + "        U = U - lr * U.grad\n"
        + "        V = V - lr * V.grad\n"
        + "    return U.detach(), V.detach()\n",
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "correct",
        "name": "optim_sgd",
        "source": _GD
        + _GD_INIT
        + "    optimiser = torch.optim.SGD([U, V], lr=lr)\n"
        + "    for _ in range(num_epochs):\n"
        + "        optimiser.zero_grad()\n"
        + '        F.mse_loss(U @ V.T, A, reduction="sum").backward()\n'
        + "        optimiser.step()\n"
        + "    return U.detach(), V.detach()\n",
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "correct",
        "name": "autograd_grad_scaled_randn_init",
        "source": _GD
        + "    U = (0.5 * torch.randn(A.shape[0], rank)).requires_grad_()\n"
        + "    V = (0.5 * torch.randn(A.shape[1], rank)).requires_grad_()\n"
        + "    for epoch in range(num_epochs):\n"
        + '        loss = torch.nn.functional.mse_loss(U @ V.t(), A, reduction="sum")\n'
        + "        gU, gV = torch.autograd.grad(loss, [U, V])\n"
        + "        with torch.no_grad():\n"
        + "            U.sub_(lr * gU)\n"
        + "            V.sub_(lr * gV)\n"
        + "    return U.detach(), V.detach()\n",
    },
    {
        "cell": "gd_factorise_ad",
        "tests": _T_GD,
        "kind": "correct",
        "name": "float64_data_updates_small_init",
        "source": _GD
        + "    A64 = A.double()\n"
        + "    U = (0.1 * torch.rand(A.shape[0], rank, dtype=torch.float64)).requires_grad_()\n"
        + "    V = (0.1 * torch.rand(A.shape[1], rank, dtype=torch.float64)).requires_grad_()\n"
        + "    for _ in range(num_epochs):\n"
        + "        if U.grad is not None:\n"
        + "            U.grad.zero_()\n"
        + "            V.grad.zero_()\n"
        + '        F.mse_loss(U @ V.T, A64, reduction="sum").backward()\n'
        + "        U.data -= lr * U.grad\n"
        + "        V.data -= lr * V.grad\n"
        + "    return U.detach(), V.detach()\n",
    },
    # ---------------------------------------------------------------- Exercise 2: the Iris factorisation
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "wrong",
        "name": "not_mean_centred",
        "source": _iris(centre="A_iris = X_iris.clone()\n"),
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "wrong",
        "name": "rows_centred_instead_of_columns",
        "source": _iris(centre="A_iris = X_iris - X_iris.mean(dim=1, keepdim=True)\n"),
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "wrong",
        "name": "standardised_instead_of_centred",
        "source": _iris(centre="A_iris = (X_iris - X_iris.mean(dim=0)) / X_iris.std(dim=0)\n"),
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "wrong",
        "name": "mean_squared_error_instead_of_sum",
        "source": _iris(
            gd_loss="loss_gd = F.mse_loss(U_hat @ V_hat.T, A_iris).item()\n",
            svd_loss="loss_svd = F.mse_loss(A_svd, A_iris).item()\n",
        ),
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "wrong",
        "name": "norm_not_squared",
        "source": _iris(
            gd_loss="loss_gd = torch.linalg.norm(A_iris - U_hat @ V_hat.T).item()\n",
            svd_loss="loss_svd = torch.linalg.norm(A_iris - A_svd).item()\n",
        ),
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "wrong",
        "name": "svd_keeps_three_singular_values",
        "source": _iris(rec="A_svd = U[:, :3] @ torch.diag(S[:3]) @ Vh[:3, :]\n"),
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "wrong",
        "name": "svd_of_the_uncentred_data",
        "source": _iris(
            svd="U, S, Vh = torch.linalg.svd(X_iris, full_matrices=False)\n",
            svd_loss='loss_svd = F.mse_loss(A_svd, X_iris, reduction="sum").item()\n',
        ),
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "wrong",
        "name": "hard_coded_loss_svd",
        "source": _iris(svd="", rec="", svd_loss="loss_svd = 15.2046\n"),
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "wrong",
        "name": "hard_coded_losses",
        "source": _iris(gd_loss="loss_gd = 15.2048\n", svd="", rec="", svd_loss="loss_svd = 15.2046\n"),
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "correct",
        "name": "singular_values_and_sum_of_squares",
        "source": _IRIS
        + "A_iris = X_iris - X_iris.mean(0, keepdim=True)\n"
        + "U_hat, V_hat = gd_factorise_ad(A_iris, 2, num_epochs=3000)\n"
        + "loss_gd = ((A_iris - U_hat @ V_hat.T) ** 2).sum()\n"
        + "S = torch.linalg.svd(A_iris, full_matrices=False).S\n"
        + "loss_svd = (S[2:] ** 2).sum()\n"
        + _IRIS_END,
    },
    {
        "cell": "iris_factorisation",
        "tests": _T_IRIS,
        "kind": "correct",
        "name": "numpy_full_svd",
        "source": _IRIS
        + "import numpy as np\n\n"
        + "A_np = X_iris.numpy() - X_iris.numpy().mean(axis=0)\n"
        + "A_iris = torch.from_numpy(A_np)\n"
        + "U_hat, V_hat = gd_factorise_ad(A_iris, 2, num_epochs=3000)\n"
        + "loss_gd = float(np.sum((A_np - (U_hat @ V_hat.T).numpy()) ** 2))\n"
        + "U, S, Vh = torch.linalg.svd(A_iris)\n"
        + "A_svd = U[:, :2] * S[:2] @ Vh[:2]\n"
        + "loss_svd = torch.sum((A_iris - A_svd) ** 2).item()\n"
        + _IRIS_END,
    },
    # ---------------------------------------------------------------- Exercise 3: train_mlp
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "gradients_never_zeroed",
        "source": _mlp(zero=""),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "sum_instead_of_mean",
        "source": _mlp(loss='        loss = F.cross_entropy(logits, y_train, reduction="sum")\n'),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "sigmoid_instead_of_relu",
        "source": _mlp(logits="        logits = torch.sigmoid(X_train @ W1 + b1) @ W2 + b2\n"),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "biases_not_trained",
        "source": _mlp(
            init="    W1 = torch.randn(4, 12, requires_grad=True)\n    b1 = torch.zeros(12)\n"
            "    W2 = torch.randn(12, 3, requires_grad=True)\n    b2 = torch.zeros(3)\n",
            params="    params = [W1, W2]\n",
        ),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "only_W2_trained",
        "source": _mlp(params="    params = [W2, b2]\n"),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "gradient_ascent",
        "source": _mlp(update="                p += lr * p.grad\n"),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "learning_rate_ignored",
        "source": _mlp(update="                p -= 0.01 * p.grad\n"),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "hard_coded_100_epochs",
        "source": _mlp(loop="    for _ in range(100):\n"),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "one_epoch_short",
        "source": _mlp(loop="    for _ in range(num_epochs - 1):\n"),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "softmax_before_cross_entropy",
        "source": _mlp(loss="        loss = F.cross_entropy(F.softmax(logits, dim=1), y_train)\n"),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "mse_on_one_hot_targets",
        "source": _mlp(loss="        loss = F.mse_loss(logits, F.one_hot(y_train, 3).float())\n"),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "wrong",
        "name": "returned_in_the_wrong_order",
        "source": _mlp(ret="    return W1.detach(), W2.detach(), b1.detach(), b2.detach()\n"),
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "correct",
        "name": "optim_sgd_uniform_init",
        "source": _MLP
        + "    W1 = ((torch.rand(4, 12) * 2 - 1) / 2).requires_grad_()\n"
        + "    b1 = ((torch.rand(12) * 2 - 1) / 2).requires_grad_()\n"
        + "    W2 = ((torch.rand(12, 3) * 2 - 1) / 12**0.5).requires_grad_()\n"
        + "    b2 = ((torch.rand(3) * 2 - 1) / 12**0.5).requires_grad_()\n"
        + "    optimiser = torch.optim.SGD([W1, b1, W2, b2], lr=lr)\n"
        + "    for epoch in range(num_epochs):\n"
        + "        optimiser.zero_grad()\n"
        + "        logits = F.relu(X_train @ W1 + b1) @ W2 + b2\n"
        + "        F.cross_entropy(logits, y_train).backward()\n"
        + "        optimiser.step()\n"
        + "    return tuple(p.detach() for p in (W1, b1, W2, b2))\n",
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "correct",
        "name": "autograd_grad_float64_small_init",
        "source": _MLP
        + "    X = X_train.double()\n"
        + "    params = [\n"
        + "        (0.1 * torch.randn(4, 12, dtype=torch.float64)).requires_grad_(),\n"
        + "        torch.zeros(12, dtype=torch.float64, requires_grad=True),\n"
        + "        (0.1 * torch.randn(12, 3, dtype=torch.float64)).requires_grad_(),\n"
        + "        torch.zeros(3, dtype=torch.float64, requires_grad=True),\n"
        + "    ]\n"
        + "    for _ in range(num_epochs):\n"
        + "        W1, b1, W2, b2 = params\n"
        + "        loss = F.cross_entropy(torch.clamp(X @ W1 + b1, min=0) @ W2 + b2, y_train)\n"
        + "        grads = torch.autograd.grad(loss, params)\n"
        + "        params = [(p - lr * g).detach().requires_grad_() for p, g in zip(params, grads)]\n"
        + "    return tuple(p.detach() for p in params)\n",
    },
    {
        "cell": "train_mlp",
        "tests": _T_MLP,
        "kind": "correct",
        "name": "rand_init_data_updates",
        "source": _MLP
        + "    W1 = torch.rand(4, 12, requires_grad=True)\n"
        + "    b1 = torch.rand(12, requires_grad=True)\n"
        + "    W2 = torch.rand(12, 3, requires_grad=True)\n"
        + "    b2 = torch.rand(3, requires_grad=True)\n"
        + "    for _ in range(num_epochs):\n"
        + "        for p in (W1, b1, W2, b2):\n"
        + "            p.grad = None\n"
        + "        hidden = torch.relu(torch.mm(X_train, W1) + b1)\n"
        + "        F.cross_entropy(torch.mm(hidden, W2) + b2, y_train).backward()\n"
        + "        for p in (W1, b1, W2, b2):\n"
        + "            p.data -= lr * p.grad.data\n"
        + "    return W1.detach(), b1.detach(), W2.detach(), b2.detach()\n",
    },
    # ---------------------------------------------------------------- Exercise 4: mlp_accuracy
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "wrong",
        "name": "percent_instead_of_fraction",
        "source": _acc(
            "    W1, b1, W2, b2 = params\n"
            "    logits = torch.relu(X @ W1 + b1) @ W2 + b2\n"
            "    return 100 * (logits.argmax(dim=1) == y).float().mean().item()\n"
        ),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "wrong",
        "name": "count_instead_of_fraction",
        "source": _acc(
            "    W1, b1, W2, b2 = params\n"
            "    logits = torch.relu(X @ W1 + b1) @ W2 + b2\n"
            "    return (logits.argmax(dim=1) == y).float().sum().item()\n"
        ),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "wrong",
        "name": "no_relu",
        "source": _acc(
            "    W1, b1, W2, b2 = params\n"
            "    logits = (X @ W1 + b1) @ W2 + b2\n"
            "    return (logits.argmax(dim=1) == y).float().mean().item()\n"
        ),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "wrong",
        "name": "sigmoid_instead_of_relu",
        "source": _acc(
            "    W1, b1, W2, b2 = params\n"
            "    logits = torch.sigmoid(X @ W1 + b1) @ W2 + b2\n"
            "    return (logits.argmax(dim=1) == y).float().mean().item()\n"
        ),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "wrong",
        "name": "output_bias_forgotten",
        "source": _acc(
            "    W1, b1, W2, b2 = params\n"
            "    logits = torch.relu(X @ W1 + b1) @ W2\n"
            "    return (logits.argmax(dim=1) == y).float().mean().item()\n"
        ),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "wrong",
        "name": "argmin_instead_of_argmax",
        "source": _acc(
            "    W1, b1, W2, b2 = params\n"
            "    logits = torch.relu(X @ W1 + b1) @ W2 + b2\n"
            "    return (logits.argmin(dim=1) == y).float().mean().item()\n"
        ),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "wrong",
        "name": "argmax_over_the_rows",
        "source": _acc(
            "    W1, b1, W2, b2 = params\n"
            "    logits = torch.relu(X @ W1 + b1) @ W2 + b2\n"
            "    return (logits.argmax(dim=0) == y).float().mean().item()\n"
        ),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "wrong",
        "name": "hard_coded_class_1_fraction",
        "source": _acc("    return (y == 1).float().mean().item()\n"),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "correct",
        "name": "numpy",
        "source": _acc(
            "    import numpy as np\n\n"
            "    W1, b1, W2, b2 = (p.detach().numpy() for p in params)\n"
            "    hidden = np.maximum(X.numpy() @ W1 + b1, 0)\n"
            "    return float(np.mean((hidden @ W2 + b2).argmax(axis=1) == y.numpy()))\n"
        ),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "correct",
        "name": "softmax_max_and_count",
        "source": _acc(
            "    W1, b1, W2, b2 = params\n"
            "    probs = F.softmax(F.relu(X @ W1 + b1) @ W2 + b2, dim=1)\n"
            "    _, predicted = torch.max(probs, 1)\n"
            "    return torch.sum(predicted == y).item() / len(y)\n"
        ),
    },
    {
        "cell": "mlp_accuracy",
        "tests": _T_ACC,
        "kind": "correct",
        "name": "model_answer_tensor_result",
        "source": _acc(
            "    W1, b1, W2, b2 = params\n"
            "    logits = torch.relu(X @ W1 + b1) @ W2 + b2\n"
            "    return (logits.argmax(dim=1) == y).float().mean()\n"
        ),
    },
]
