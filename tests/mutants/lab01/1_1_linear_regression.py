"""Mutant bank for source/lab01/1_1_linear_regression.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.  The manually graded cells
(gradient_derivation, gd_observations) have no mutants.
"""


def _pinv(body: str, tail: str = "X_inv_svd = pinv_svd(X)\n") -> str:
    return (
        "def pinv_svd(X):\n"
        '    """Moore-Penrose pseudoinverse of X (shape [N, d]) computed from its SVD; returns a [d, N] tensor."""\n'
        + body
        + "\n\n"
        + tail
        + "theta_pinv_svd = X_inv_svd @ y\nprint(theta_pinv_svd)\n"
    )


def _grad(body: str) -> str:
    return (
        "def linear_regression_loss_grad(theta, X, y):\n"
        "    # theta, X and y have the same shapes as used previously: [d, 1], [N, d] and [N, 1]\n" + body
    )


_THETA = "# compute the regression parameters in variable theta\n"

MUTANTS = [
    # ---------------------------------------------------------------- pinv_svd / X_inv_svd
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "no_reciprocal_of_singular_values",
        "source": _pinv(
            "    U, S, Vh = torch.linalg.svd(X, full_matrices=False)\n    return Vh.T @ torch.diag(S) @ U.T\n"
        ),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "Vh_used_as_V",
        "source": _pinv(
            "    U, S, Vh = torch.linalg.svd(X, full_matrices=False)\n    return Vh @ torch.diag(1 / S) @ U.T\n"
        ),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "U_and_V_swapped",
        "source": _pinv(
            "    U, S, Vh = torch.linalg.svd(X, full_matrices=False)\n    return U @ torch.diag(1 / S) @ Vh\n"
        ),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "full_matrices_default",
        "source": _pinv("    U, S, Vh = torch.linalg.svd(X)\n    return Vh.T @ torch.diag(1 / S) @ U.T\n"),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "normal_equations_fail_on_wide_matrices",
        "source": _pinv("    return torch.linalg.inv(X.T @ X) @ X.T\n"),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "transpose_instead_of_inverse",
        "source": _pinv("    return X.T\n"),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "variable_from_builtin_function_stub_wrong",
        "source": _pinv("    return X.T.clone()\n", tail="X_inv_svd = torch.linalg.pinv(X)\n"),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "numpy_svd_returns_ndarray",
        "source": _pinv(
            "    import numpy as np\n\n"
            "    U, S, Vt = np.linalg.svd(X.numpy(), full_matrices=False)\n"
            "    return Vt.T @ np.diag(1 / S) @ U.T\n",
            tail="X_inv_svd = pinv_svd(X)\nX_inv_svd = torch.from_numpy(X_inv_svd)\n",
        ),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "in_place_scaling_of_input",
        "source": _pinv(
            "    scale = X.abs().max()\n"
            "    X /= scale  # improve conditioning ... but this changes the caller's tensor\n"
            "    U, S, Vh = torch.linalg.svd(X, full_matrices=False)\n"
            "    return Vh.T @ torch.diag(1 / (S * scale)) @ U.T\n",
            tail="X_inv_svd = pinv_svd(X.clone())\n",
        ),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "builtin_pinv_not_svd",
        "source": _pinv("    return torch.linalg.pinv(X)\n"),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "wrong",
        "name": "lstsq_against_identity",
        "source": _pinv(
            "    eye = torch.eye(X.shape[0], dtype=X.dtype)\n"
            "    return torch.linalg.lstsq(X, eye, driver='gelsd').solution\n"
        ),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "correct",
        "name": "numpy_svd_back_to_tensor",
        "source": _pinv(
            "    import numpy as np\n\n"
            "    U, S, Vt = np.linalg.svd(X.numpy(), full_matrices=False)\n"
            "    return torch.from_numpy(Vt.T @ np.diag(1 / S) @ U.T)\n"
        ),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "correct",
        "name": "deprecated_torch_svd",
        "source": _pinv("    U, S, V = torch.svd(X)\n    return V @ torch.diag(1 / S) @ U.t()\n"),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "correct",
        "name": "broadcast_division",
        "source": _pinv("    U, S, Vh = torch.linalg.svd(X, full_matrices=False)\n    return (Vh.mH / S) @ U.mH\n"),
    },
    {
        "cell": "pinv_svd",
        "tests": ["test_pinv_svd"],
        "kind": "correct",
        "name": "full_svd_sliced_with_tolerance",
        "source": _pinv(
            "    U, S, Vh = torch.linalg.svd(X)\n"
            "    k = S.shape[0]\n"
            "    tol = S.max() * max(X.shape) * torch.finfo(X.dtype).eps\n"
            "    S_inv = torch.where(S > tol, 1.0 / S, torch.zeros_like(S))\n"
            "    return Vh[:k].T @ torch.diag(S_inv) @ U[:, :k].T\n"
        ),
    },
    # ---------------------------------------------------------------- linear_regression_loss_grad
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "wrong",
        "name": "mean_instead_of_sum",
        "source": _grad("    grad = X.T @ (X @ theta - y) / X.shape[0]\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "wrong",
        "name": "sign_error",
        "source": _grad("    grad = X.T @ (y - X @ theta)\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "wrong",
        "name": "missing_transpose_row_vector",
        "source": _grad("    grad = (X @ theta - y).T @ X\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "wrong",
        "name": "forgot_the_half_factor_two",
        "source": _grad("    grad = 2 * X.T @ (X @ theta - y)\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "wrong",
        "name": "returns_the_loss",
        "source": _grad("    grad = 0.5 * ((X @ theta - y) ** 2).sum()\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "wrong",
        "name": "mean_reduced_over_features_too",
        "source": _grad("    grad = (X * (X @ theta - y)).mean(dim=0, keepdim=True).T\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "wrong",
        "name": "returns_numpy",
        "source": _grad("    grad = (X.T @ (X @ theta - y)).numpy()\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "wrong",
        "name": "in_place_residual_on_y",
        "source": _grad("    y -= X @ theta  # y now holds -(residual)\n    grad = -(X.T @ y)\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "correct",
        "name": "expanded_normal_form",
        "source": _grad("    grad = X.T @ X @ theta - X.T @ y\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "correct",
        "name": "elementwise_sum_over_rows",
        "source": _grad("    grad = (X * (X @ theta - y)).sum(dim=0).reshape(-1, 1)\n    return grad\n"),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "correct",
        "name": "autograd",
        "source": _grad(
            "    t = theta.detach().clone().requires_grad_(True)\n"
            "    loss = 0.5 * ((X @ t - y) ** 2).sum()\n"
            "    loss.backward()\n"
            "    grad = t.grad\n"
            "    return grad\n"
        ),
    },
    {
        "cell": "linear_regression_loss_grad",
        "tests": ["test_linear_regression_loss_grad"],
        "kind": "correct",
        "name": "torch_mm_t",
        "source": _grad("    grad = torch.mm(X.t(), torch.mm(X, theta) - y)\n    return grad\n"),
    },
    # ---------------------------------------------------------------- theta on the diabetes training split
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "wrong",
        "name": "fit_on_all_data",
        "source": _THETA + "theta = torch.linalg.pinv(X) @ y\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "wrong",
        "name": "fit_on_test_split",
        "source": _THETA + "theta = torch.linalg.pinv(X_test) @ y_test\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "wrong",
        "name": "train_inputs_test_targets",
        "source": _THETA + "theta = torch.linalg.pinv(X_train) @ y_test\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "wrong",
        "name": "no_inverse",
        "source": _THETA + "theta = X_train.T @ y_train\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "wrong",
        "name": "row_vector",
        "source": _THETA + "theta = (torch.linalg.pinv(X_train) @ y_train).T\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "wrong",
        "name": "dropped_intercept_column",
        "source": _THETA
        + "w = torch.linalg.pinv(X_train[:, :2]) @ y_train\ntheta = torch.cat((w, torch.zeros(1, 1)))\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "wrong",
        "name": "hard_coded_printed_values",
        "source": _THETA + "theta = torch.tensor([[773.4936], [551.0812], [153.6713]])\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "correct",
        "name": "lstsq",
        "source": _THETA + "theta = torch.linalg.lstsq(X_train, y_train).solution\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "correct",
        "name": "normal_equations_float32",
        "source": _THETA + "theta = torch.linalg.solve(X_train.T @ X_train, X_train.T @ y_train)\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "correct",
        "name": "own_pinv_svd_float64",
        "source": _THETA + "X_train_pinv = pinv_svd(X_train.double())\ntheta = X_train_pinv @ y_train.double()\n",
    },
    {
        "cell": "diabetes_theta",
        "tests": ["test_diabetes_theta"],
        "kind": "correct",
        "name": "deprecated_pinverse",
        "source": _THETA + "theta = torch.mm(torch.pinverse(X_train), y_train)\nprint(theta)\n",
    },
]
