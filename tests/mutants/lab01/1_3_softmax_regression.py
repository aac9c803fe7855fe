"""Mutant bank of lab 1.3 (softmax regression).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.
"""

MUTANTS = [
    {
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "wrong",
        "name": "mean_instead_of_sum",
        "source": """def softmax_regression_loss(Theta, X, y):
    log_probs = torch.log_softmax(X @ Theta, dim=1)
    return -log_probs.gather(1, y.reshape(-1, 1)).mean()
""",
    },
    {
        # passes the visible check (X @ Theta is symmetric there)
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "wrong",
        "name": "softmax_over_wrong_dim",
        "source": """def softmax_regression_loss(Theta, X, y):
    log_probs = torch.log_softmax(X @ Theta, dim=0)
    return -log_probs.gather(1, y.reshape(-1, 1)).sum()
""",
    },
    {
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "wrong",
        "name": "missing_log",
        "source": """def softmax_regression_loss(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1]).to(P.dtype)
    return -(Y * P).sum()
""",
    },
    {
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "wrong",
        "name": "wrong_sign",
        "source": """def softmax_regression_loss(Theta, X, y):
    log_probs = torch.log_softmax(X @ Theta, dim=1)
    return log_probs.gather(1, y.reshape(-1, 1)).sum()
""",
    },
    {
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "wrong",
        "name": "one_hot_off_by_one",
        "source": """def softmax_regression_loss(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.zeros_like(P)
    Y[torch.arange(X.shape[0]), y.reshape(-1) - 1] = 1
    return -(Y * torch.log(P)).sum()
""",
    },
    {
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "wrong",
        "name": "hard_coded_visible_answer",
        "source": """def softmax_regression_loss(Theta, X, y):
    return torch.tensor(0.6265)
""",
    },
    {
        # sums the log over all classes instead of picking the true one
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "wrong",
        "name": "sum_over_all_classes",
        "source": """def softmax_regression_loss(Theta, X, y):
    return -torch.log_softmax(X @ Theta, dim=1).sum()
""",
    },
    {
        # num_classes inferred from the labels: breaks when the largest class is absent from the batch
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "wrong",
        "name": "one_hot_without_num_classes",
        "source": """def softmax_regression_loss(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.nn.functional.one_hot(y.reshape(-1)).to(P.dtype)
    return -(Y * torch.log(P)).sum()
""",
    },
    {
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "correct",
        "name": "one_hot_and_log_of_softmax",
        "source": """def softmax_regression_loss(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1]).to(P.dtype)
    return -(Y * torch.log(P)).sum()
""",
    },
    {
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "correct",
        "name": "cross_entropy_sum",
        "source": """def softmax_regression_loss(Theta, X, y):
    return torch.nn.functional.cross_entropy(X @ Theta, y[:, 0], reduction="sum")
""",
    },
    {
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "correct",
        "name": "explicit_exp_and_python_float",
        "source": """def softmax_regression_loss(Theta, X, y):
    Z = X @ Theta
    Z = Z - Z.max(dim=1, keepdim=True).values
    log_norm = torch.log(torch.exp(Z).sum(dim=1))
    true_scores = Z[torch.arange(X.shape[0]), y.view(-1)]
    return (log_norm - true_scores).sum().item()
""",
    },
    {
        "cell": "softmax_regression_loss",
        "tests": ["test_softmax_regression_loss"],
        "kind": "correct",
        "name": "logsumexp",
        "source": """def softmax_regression_loss(Theta, X, y):
    Z = X @ Theta
    return (torch.logsumexp(Z, dim=1) - Z.gather(1, y)[:, 0]).sum()
""",
    },
    {
        # passes the visible check (a symmetric 2x2 example); n x K vs K x n elsewhere
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad"],
        "kind": "wrong",
        "name": "missing_transpose",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1]).to(P.dtype)
    return (P - Y).t() @ X
""",
    },
    {
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad"],
        "kind": "wrong",
        "name": "softmax_over_wrong_dim",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=0)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1]).to(P.dtype)
    return X.t() @ (P - Y)
""",
    },
    {
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad"],
        "kind": "wrong",
        "name": "mean_instead_of_sum",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1]).to(P.dtype)
    return X.t() @ (P - Y) / X.shape[0]
""",
    },
    {
        # passes the visible check, which compares absolute values
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad"],
        "kind": "wrong",
        "name": "sign_error_y_minus_p",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1]).to(P.dtype)
    return X.t() @ (Y - P)
""",
    },
    {
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad"],
        "kind": "wrong",
        "name": "one_hot_off_by_one",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.nn.functional.one_hot((y.reshape(-1) + 1) % Theta.shape[1], Theta.shape[1]).to(P.dtype)
    return X.t() @ (P - Y)
""",
    },
    {
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad"],
        "kind": "wrong",
        "name": "hard_coded_visible_answer",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    return torch.tensor([[0.2689, -0.2689], [-0.2689, 0.2689]])
""",
    },
    {
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad"],
        "kind": "wrong",
        "name": "unnormalised_exp",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    P = torch.exp(X @ Theta)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1]).to(P.dtype)
    return X.t() @ (P - Y)
""",
    },
    {
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad"],
        "kind": "wrong",
        "name": "modifies_theta_in_place",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    Theta -= Theta.max()
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1]).to(P.dtype)
    return X.t() @ (P - Y)
""",
    },
    {
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad", "test_softmax_regression_loss_grad_0"],
        "kind": "correct",
        "name": "autograd_of_cross_entropy",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    Th = Theta.detach().clone().requires_grad_(True)
    torch.nn.functional.cross_entropy(X @ Th, y.view(-1), reduction="sum").backward()
    return Th.grad
""",
    },
    {
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad", "test_softmax_regression_loss_grad_0"],
        "kind": "correct",
        "name": "scatter_one_hot",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    Z = X @ Theta
    P = torch.exp(Z) / torch.exp(Z).sum(dim=1, keepdim=True)
    Y = torch.zeros_like(P).scatter_(1, y, 1.0)
    return torch.mm(X.t(), P - Y)
""",
    },
    {
        "cell": "softmax_regression_loss_grad",
        "tests": ["test_softmax_regression_loss_grad", "test_softmax_regression_loss_grad_0"],
        "kind": "correct",
        "name": "loop_over_classes",
        "source": """def softmax_regression_loss_grad(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    columns = []
    for k in range(Theta.shape[1]):
        indicator = (y[:, 0] == k).to(X.dtype)
        columns.append(-(X * (indicator - P[:, k]).unsqueeze(1)).sum(0))
    return torch.stack(columns, dim=1)
""",
    },
    {
        "cell": "softmax_regression_loss_grad_0",
        "tests": ["test_softmax_regression_loss_grad_0"],
        "kind": "wrong",
        "name": "returns_K_columns",
        "source": """def softmax_regression_loss_grad_0(Theta, X, y):
    Theta = torch.cat((Theta, torch.zeros(Theta.shape[0], 1, dtype=Theta.dtype)), 1)
    grad = softmax_regression_loss_grad(Theta, X, y)
    return grad
""",
    },
    {
        "cell": "softmax_regression_loss_grad_0",
        "tests": ["test_softmax_regression_loss_grad_0"],
        "kind": "wrong",
        "name": "drops_first_column",
        "source": """def softmax_regression_loss_grad_0(Theta, X, y):
    Theta = torch.cat((Theta, torch.zeros(Theta.shape[0], 1, dtype=Theta.dtype)), 1)
    grad = softmax_regression_loss_grad(Theta, X, y)
    return grad[:, 1:]
""",
    },
    {
        "cell": "softmax_regression_loss_grad_0",
        "tests": ["test_softmax_regression_loss_grad_0"],
        "kind": "wrong",
        "name": "appends_ones",
        "source": """def softmax_regression_loss_grad_0(Theta, X, y):
    Theta = torch.cat((Theta, torch.ones(Theta.shape[0], 1, dtype=Theta.dtype)), 1)
    grad = softmax_regression_loss_grad(Theta, X, y)
    return grad[:, :-1]
""",
    },
    {
        # fixes the FIRST class to zero instead of the last one
        "cell": "softmax_regression_loss_grad_0",
        "tests": ["test_softmax_regression_loss_grad_0"],
        "kind": "wrong",
        "name": "prepends_zeros",
        "source": """def softmax_regression_loss_grad_0(Theta, X, y):
    Theta = torch.cat((torch.zeros(Theta.shape[0], 1, dtype=Theta.dtype), Theta), 1)
    grad = softmax_regression_loss_grad(Theta, X, y)
    return grad[:, 1:]
""",
    },
    {
        # forgets the zero class: softmax over the K-1 columns only (and one-hot with K-1 columns)
        "cell": "softmax_regression_loss_grad_0",
        "tests": ["test_softmax_regression_loss_grad_0"],
        "kind": "wrong",
        "name": "ignores_the_zero_class",
        "source": """def softmax_regression_loss_grad_0(Theta, X, y):
    P = torch.softmax(X @ Theta, dim=1)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1] + 1)[:, :-1].to(P.dtype)
    return X.t() @ (P - Y)
""",
    },
    {
        "cell": "softmax_regression_loss_grad_0",
        "tests": ["test_softmax_regression_loss_grad_0"],
        "kind": "wrong",
        "name": "hard_coded_visible_answer",
        "source": """def softmax_regression_loss_grad_0(Theta, X, y):
    return torch.tensor([[-0.268941], [0.5]])
""",
    },
    {
        "cell": "softmax_regression_loss_grad_0",
        "tests": ["test_softmax_regression_loss_grad_0"],
        "kind": "correct",
        "name": "direct_formula",
        "source": """def softmax_regression_loss_grad_0(Theta, X, y):
    scores = torch.cat((X @ Theta, torch.zeros(X.shape[0], 1, dtype=X.dtype)), 1)
    P = torch.softmax(scores, dim=1)
    Y = torch.nn.functional.one_hot(y.reshape(-1), Theta.shape[1] + 1).to(P.dtype)
    return (X.t() @ (P - Y))[:, :-1]
""",
    },
    {
        "cell": "softmax_regression_loss_grad_0",
        "tests": ["test_softmax_regression_loss_grad_0"],
        "kind": "correct",
        "name": "autograd",
        "source": """def softmax_regression_loss_grad_0(Theta, X, y):
    Th = Theta.detach().clone().requires_grad_(True)
    scores = torch.nn.functional.pad(X @ Th, (0, 1))
    torch.nn.functional.cross_entropy(scores, y.reshape(-1), reduction="sum").backward()
    return Th.grad
""",
    },
]
