"""Mutant bank of lab 1.2 (logistic regression and gradient checking).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.
"""

_TESTS = ["test_logistic_regression_loss_grad", "test_gradient_check"]

MUTANTS = [
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "wrong",
        "name": "mean_instead_of_sum",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    grad = X.t() @ (torch.sigmoid(X @ theta) - y) / X.shape[0]
    return grad
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "wrong",
        "name": "missing_sigmoid",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    grad = X.t() @ (X @ theta - y)
    return grad
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "wrong",
        "name": "sign_error_y_minus_sigma",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    grad = X.t() @ (y - torch.sigmoid(X @ theta))
    return grad
""",
    },
    {
        # passes the visible 1x1 check, has shape 1xd instead of dx1
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "wrong",
        "name": "missing_transpose",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    grad = (torch.sigmoid(X @ theta) - y).t() @ X
    return grad
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "wrong",
        "name": "hard_coded_visible_answer",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    return torch.tensor([[0.5]])
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "wrong",
        "name": "sigmoid_of_wrong_quantity",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    # sigmoid applied after the product with X^T
    return torch.sigmoid(X.t() @ (X @ theta)) - X.t() @ y
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": ["test_logistic_regression_loss_grad"],
        "kind": "wrong",
        "name": "modifies_y_in_place",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    y -= torch.sigmoid(X @ theta)
    return -X.t() @ y
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "wrong",
        "name": "returns_numpy",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    return (X.t() @ (torch.sigmoid(X @ theta) - y)).numpy()
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "wrong",
        "name": "always_equal_object",
        "source": """class _Half:
    shape = (1, 1)

    def __eq__(self, other):
        return True

    def __lt__(self, other):
        return True

    def __getitem__(self, ix):
        return 0.0


def logistic_regression_loss_grad(theta, X, y):
    return _Half()
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "correct",
        "name": "reference_formula",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    return X.t() @ (torch.sigmoid(X @ theta) - y)
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "correct",
        "name": "autograd_of_explicit_nll",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    th = theta.detach().clone().requires_grad_(True)
    p = torch.sigmoid(X @ th)
    nll = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).sum()
    nll.backward()
    return th.grad
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "correct",
        "name": "broadcast_sum_over_rows",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    residual = 1 / (1 + torch.exp(-(X @ theta))) - y
    return (residual * X).sum(dim=0, keepdim=True).t()
""",
    },
    {
        "cell": "logistic_regression_loss_grad",
        "tests": _TESTS,
        "kind": "correct",
        "name": "einsum",
        "source": """def logistic_regression_loss_grad(theta, X, y):
    return torch.einsum("nd,nk->dk", X, torch.sigmoid(X @ theta) - y)
""",
    },
]
