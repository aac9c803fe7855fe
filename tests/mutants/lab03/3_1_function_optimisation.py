"""Mutant bank for source/lab03/3_1_function_optimisation.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.
"""

_MIN = "# The minimiser of f as a tensor of shape (3,), and the minimum value of f as a number.\n"
_MIN_END = '\nprint("x_min =", x_min, " f_min =", f_min)'
_FUN = '''def function(x):
    """f(x) = (x0 - 5)^2 + x1^2 + (x2 - 1)^2 for a tensor x of shape (3,)."""
'''
_MINIMISE = '''def minimise(f, p, lr=0.001, epochs=5000):
    """Run `epochs` steps of plain SGD (learning rate `lr`) on the function f, starting from the tensor p."""
'''
_HIMM = '''def himm(x):
    """Himmelblau's function; x[0] are the x coordinates and x[1] the y coordinates (any matching shapes)."""
'''


def _path(name, make_opt, start="[[0.0], [0.0]]", steps=50, append="np.append({n}, p.data.numpy(), axis=1)"):
    n = name
    head = {
        "path_mom": "# Compute path_mom: SGD with momentum 0.9 and learning rate 0.01, 50 steps from (0, 0); "
        "shape (2, 51).\n",
        "path_adam": "# Compute path_adam: Adam with learning rate 0.1, 50 steps from (0, 0); shape (2, 51).\n",
    }[n]
    tail = {
        "path_mom": '\nprint("SGD with momentum ends at", path_mom[:, -1])',
        "path_adam": '\nprint("Adam ends at", path_adam[:, -1])',
    }[n]
    app = append.format(n=n)
    return (
        head
        + f"p = torch.tensor({start}, requires_grad=True)\n"
        + f"opt = {make_opt}\n\n"
        + f"{n} = np.empty((2, 0))\n"
        + f"{n} = {app}\n\n"
        + f"for _ in range({steps}):\n"
        + "    opt.zero_grad()\n"
        + "    output = himm(p)\n"
        + "    output.backward()\n"
        + "    opt.step()\n"
        + f"    {n} = {app}"
        + tail
    )


MUTANTS = [
    # ------------------------------------------------------------------ Exercise 1: x_min, f_min
    {
        "cell": "analytic_minimum",
        "tests": ["test_analytic_minimum"],
        "kind": "wrong",
        "name": "sign_error",
        "source": _MIN + "x_min = torch.tensor([-5.0, 0.0, -1.0])\nf_min = 0.0" + _MIN_END,
    },
    {
        "cell": "analytic_minimum",
        "tests": ["test_analytic_minimum"],
        "kind": "wrong",
        "name": "value_at_start",
        "source": _MIN + "x_min = torch.tensor([5.0, 0.0, 1.0])\nf_min = 91.0" + _MIN_END,
    },
    {
        "cell": "analytic_minimum",
        "tests": ["test_analytic_minimum"],
        "kind": "wrong",
        "name": "integer_tensor",
        "source": _MIN + "x_min = torch.tensor([5, 0, 1])\nf_min = 0" + _MIN_END,
    },
    {
        "cell": "analytic_minimum",
        "tests": ["test_analytic_minimum"],
        "kind": "wrong",
        "name": "python_list",
        "source": _MIN + "x_min = [5.0, 0.0, 1.0]\nf_min = 0.0" + _MIN_END,
    },
    {
        "cell": "analytic_minimum",
        "tests": ["test_analytic_minimum"],
        "kind": "wrong",
        "name": "column_shape",
        "source": _MIN + "x_min = torch.tensor([[5.0], [0.0], [1.0]])\nf_min = 0.0" + _MIN_END,
    },
    {
        "cell": "analytic_minimum",
        "tests": ["test_analytic_minimum"],
        "kind": "correct",
        "name": "tensor_f_min",
        "source": _MIN + "x_min = torch.tensor([5, 0, 1], dtype=torch.float64)\nf_min = torch.tensor(0.0)" + _MIN_END,
    },
    # ------------------------------------------------------------------ Exercise 2: function
    {
        "cell": "function",
        "tests": ["test_function"],
        "kind": "wrong",
        "name": "sign_error",
        "source": _FUN + "    return (x[0] + 5) ** 2 + x[1] ** 2 + (x[2] + 1) ** 2",
    },
    {
        "cell": "function",
        "tests": ["test_function"],
        "kind": "wrong",
        "name": "no_squares",
        "source": _FUN + "    return (x[0] - 5) + x[1] + (x[2] - 1)",
    },
    {
        "cell": "function",
        "tests": ["test_function"],
        "kind": "wrong",
        "name": "python_float",
        "source": _FUN + "    return float((x[0] - 5) ** 2 + x[1] ** 2 + (x[2] - 1) ** 2)",
    },
    {
        "cell": "function",
        "tests": ["test_function"],
        "kind": "wrong",
        "name": "shifted_indices",
        "source": _FUN + "    return (x[1] - 5) ** 2 + x[0] ** 2 + (x[2] - 1) ** 2",
    },
    {
        "cell": "function",
        "tests": ["test_function"],
        "kind": "wrong",
        "name": "via_numpy",
        "source": _FUN + "    import numpy\n    a = x.detach().numpy()\n"
        "    return torch.tensor((a[0] - 5) ** 2 + a[1] ** 2 + (a[2] - 1) ** 2)",
    },
    {
        "cell": "function",
        "tests": ["test_function"],
        "kind": "correct",
        "name": "vector_form",
        "source": _FUN + "    c = torch.tensor([5.0, 0.0, 1.0], dtype=x.dtype)\n    return ((x - c) ** 2).sum()",
    },
    {
        "cell": "function",
        "tests": ["test_function"],
        "kind": "correct",
        "name": "pow_calls",
        "source": _FUN + "    return torch.pow(x[0] - 5, 2) + torch.pow(x[1], 2) + torch.pow(x[2] - 1, 2)",
    },
    # ------------------------------------------------------------------ Exercise 3: minimise
    {
        "cell": "minimise",
        "tests": ["test_minimise"],
        "kind": "wrong",
        "name": "no_zero_grad",
        "source": _MINIMISE + "    opt = optim.SGD([p], lr=lr)\n    for _ in range(epochs):\n"
        "        f(p).backward()\n        opt.step()\n    return p",
    },
    {
        "cell": "minimise",
        "tests": ["test_minimise"],
        "kind": "wrong",
        "name": "hard_coded_lr",
        "source": _MINIMISE + "    opt = optim.SGD([p], lr=0.001)\n    for _ in range(epochs):\n"
        "        opt.zero_grad()\n        f(p).backward()\n        opt.step()\n    return p",
    },
    {
        "cell": "minimise",
        "tests": ["test_minimise"],
        "kind": "wrong",
        "name": "uses_global_function",
        "source": _MINIMISE + "    opt = optim.SGD([p], lr=lr)\n    for _ in range(epochs):\n"
        "        opt.zero_grad()\n        function(p).backward()\n        opt.step()\n    return p",
    },
    {
        "cell": "minimise",
        "tests": ["test_minimise"],
        "kind": "wrong",
        "name": "off_by_one",
        "source": _MINIMISE + "    opt = optim.SGD([p], lr=lr)\n    for _ in range(epochs - 1):\n"
        "        opt.zero_grad()\n        f(p).backward()\n        opt.step()\n    return p",
    },
    {
        "cell": "minimise",
        "tests": ["test_minimise"],
        "kind": "wrong",
        "name": "adam_instead_of_sgd",
        "source": _MINIMISE + "    opt = optim.Adam([p], lr=lr)\n    for _ in range(epochs):\n"
        "        opt.zero_grad()\n        f(p).backward()\n        opt.step()\n    return p",
    },
    {
        "cell": "minimise",
        "tests": ["test_minimise"],
        "kind": "wrong",
        "name": "hard_coded_result",
        "source": _MINIMISE + "    return torch.tensor([4.99987, 0.0000449, 1.00040])",
    },
    {
        "cell": "minimise",
        "tests": ["test_minimise"],
        "kind": "wrong",
        "name": "momentum",
        "source": _MINIMISE + "    opt = optim.SGD([p], lr=lr, momentum=0.5)\n    for _ in range(epochs):\n"
        "        opt.zero_grad()\n        f(p).backward()\n        opt.step()\n    return p",
    },
    {
        "cell": "minimise",
        "tests": ["test_minimise"],
        "kind": "correct",
        "name": "manual_update",
        "source": _MINIMISE
        + "    for _ in range(epochs):\n        if p.grad is not None:\n            p.grad.zero_()\n"
        "        f(p).backward()\n        with torch.no_grad():\n            p -= lr * p.grad\n"
        "    return p",
    },
    {
        "cell": "minimise",
        "tests": ["test_minimise"],
        "kind": "correct",
        "name": "zero_grad_after_step",
        "source": _MINIMISE + "    optimiser = torch.optim.SGD([p], lr=lr)\n    optimiser.zero_grad()\n"
        "    for epoch in range(epochs):\n        loss = f(p)\n        loss.backward()\n"
        "        optimiser.step()\n        optimiser.zero_grad()\n    return p",
    },
    # ------------------------------------------------------------------ Exercise 4: himm
    {
        "cell": "himm",
        "tests": ["test_himm"],
        "kind": "wrong",
        "name": "sign_error",
        "source": _HIMM + "    return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 + 7) ** 2",
    },
    {
        "cell": "himm",
        "tests": ["test_himm"],
        "kind": "wrong",
        "name": "swapped_coordinates",
        "source": _HIMM + "    return (x[1] ** 2 + x[0] - 11) ** 2 + (x[0] ** 2 + x[1] - 7) ** 2",
    },
    {
        "cell": "himm",
        "tests": ["test_himm"],
        "kind": "wrong",
        "name": "flattened_point_only",
        "source": _HIMM
        + "    x = x.reshape(-1)\n    return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2",
    },
    {
        "cell": "himm",
        "tests": ["test_himm"],
        "kind": "wrong",
        "name": "summed_over_grid",
        "source": _HIMM + "    return ((x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2).sum()",
    },
    {
        "cell": "himm",
        "tests": ["test_himm"],
        "kind": "wrong",
        "name": "in_place_square",
        "source": _HIMM + "    x0 = x[0]\n    x1 = x[1]\n    a = x0.pow_(2)\n"
        "    return (a + x1 - 11) ** 2 + (x[0] + x1**2 - 7) ** 2",
    },
    {
        "cell": "himm",
        "tests": ["test_himm"],
        "kind": "wrong",
        "name": "float32_cast",
        "source": _HIMM + "    x = torch.as_tensor(x, dtype=torch.float32)\n"
        "    return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2 + 1e-3",
    },
    {
        "cell": "himm",
        "tests": ["test_himm"],
        "kind": "correct",
        "name": "unpacking",
        "source": _HIMM + "    a, b = x\n    return (a * a + b - 11) ** 2 + (a + b * b - 7) ** 2",
    },
    {
        "cell": "himm",
        "tests": ["test_himm"],
        "kind": "correct",
        "name": "torch_pow",
        "source": _HIMM + "    return torch.pow(x[0].pow(2) + x[1] - 11, 2) + torch.pow(x[0] + x[1].pow(2) - 7, 2)",
    },
    # ------------------------------------------------------------------ Exercise 5: path_mom
    {
        "cell": "path_mom",
        "tests": ["test_path_mom"],
        "kind": "wrong",
        "name": "no_momentum",
        "source": _path("path_mom", "optim.SGD([p], lr=0.01)"),
    },
    {
        "cell": "path_mom",
        "tests": ["test_path_mom"],
        "kind": "wrong",
        "name": "nesterov",
        "source": _path("path_mom", "optim.SGD([p], lr=0.01, momentum=0.9, nesterov=True)"),
    },
    {
        "cell": "path_mom",
        "tests": ["test_path_mom"],
        "kind": "wrong",
        "name": "dampening",
        "source": _path("path_mom", "optim.SGD([p], lr=0.01, momentum=0.9, dampening=0.1)"),
    },
    {
        "cell": "path_mom",
        "tests": ["test_path_mom"],
        "kind": "wrong",
        "name": "without_start_point",
        "source": _path("path_mom", "optim.SGD([p], lr=0.01, momentum=0.9)", steps=51).replace(
            "path_mom = np.append(path_mom, p.data.numpy(), axis=1)\n\n", "", 1
        ),
    },
    {
        "cell": "path_mom",
        "tests": ["test_path_mom"],
        "kind": "wrong",
        "name": "aliased_columns",
        "source": "# Compute path_mom: SGD with momentum 0.9 and learning rate 0.01, 50 steps from (0, 0).\n"
        "p = torch.tensor([[0.0], [0.0]], requires_grad=True)\n"
        "opt = optim.SGD([p], lr=0.01, momentum=0.9)\ncolumns = [p.data.numpy()]\n"
        "for _ in range(50):\n    opt.zero_grad()\n    himm(p).backward()\n    opt.step()\n"
        "    columns.append(p.data.numpy())\npath_mom = np.hstack(columns)\n"
        'print("SGD with momentum ends at", path_mom[:, -1])',
    },
    {
        "cell": "path_mom",
        "tests": ["test_path_mom"],
        "kind": "wrong",
        "name": "torch_tensor",
        "source": "# Compute path_mom\np = torch.tensor([[0.0], [0.0]], requires_grad=True)\n"
        "opt = optim.SGD([p], lr=0.01, momentum=0.9)\ncols = [p.detach().clone()]\n"
        "for _ in range(50):\n    opt.zero_grad()\n    himm(p).backward()\n    opt.step()\n"
        "    cols.append(p.detach().clone())\npath_mom = torch.cat(cols, dim=1)\n"
        'print("SGD with momentum ends at", path_mom[:, -1])',
    },
    {
        "cell": "path_mom",
        "tests": ["test_path_mom"],
        "kind": "correct",
        "name": "list_of_points",
        "source": "# Compute path_mom\nq = torch.zeros(2, requires_grad=True)\n"
        "opt = torch.optim.SGD([q], lr=0.01, momentum=0.9)\npoints = [q.detach().numpy().copy()]\n"
        "for step in range(50):\n    opt.zero_grad()\n    loss = himm(q)\n    loss.backward()\n"
        "    opt.step()\n    points.append(q.detach().numpy().copy())\n"
        "path_mom = np.array(points).T\n"
        'print("SGD with momentum ends at", path_mom[:, -1])',
    },
    {
        "cell": "path_mom",
        "tests": ["test_path_mom"],
        "kind": "correct",
        "name": "float64_start",
        "source": _path(
            "path_mom", "optim.SGD([p], lr=0.01, momentum=0.9)", start="[[0.0], [0.0]], dtype=torch.float64"
        ),
    },
    # ------------------------------------------------------------------ Exercise 6: path_adam
    {
        "cell": "path_adam",
        "tests": ["test_path_adam"],
        "kind": "wrong",
        "name": "default_lr",
        "source": _path("path_adam", "optim.Adam([p])"),
    },
    {
        "cell": "path_adam",
        "tests": ["test_path_adam"],
        "kind": "wrong",
        "name": "adamw",
        "source": _path("path_adam", "optim.AdamW([p], lr=0.1, weight_decay=0.1)"),
    },
    {
        "cell": "path_adam",
        "tests": ["test_path_adam"],
        "kind": "wrong",
        "name": "amsgrad",
        "source": _path("path_adam", "optim.Adam([p], lr=0.1, amsgrad=True)"),
    },
    {
        "cell": "path_adam",
        "tests": ["test_path_adam"],
        "kind": "wrong",
        "name": "twenty_steps_padded",
        "source": _path("path_adam", "optim.Adam([p], lr=0.1)", steps=20)
        + "\npath_adam = np.concatenate([path_adam, np.repeat(path_adam[:, -1:], 30, axis=1)], axis=1)",
    },
    {
        "cell": "path_adam",
        "tests": ["test_path_adam"],
        "kind": "wrong",
        "name": "from_wrong_start",
        "source": _path("path_adam", "optim.Adam([p], lr=0.1)", start="[[0.1], [0.1]]")
        .replace(
            "path_adam = np.append(path_adam, p.data.numpy(), axis=1)\n\n",
            "path_adam = np.append(path_adam, np.zeros((2, 1)), axis=1)\n\n",
            1,
        )
        .replace("range(50)", "range(49)")
        + "\npath_adam = np.append(path_adam, p.data.numpy(), axis=1)",
    },
    {
        "cell": "path_adam",
        "tests": ["test_path_adam"],
        "kind": "correct",
        "name": "betas_explicit",
        "source": _path("path_adam", "optim.Adam([p], lr=0.1, betas=(0.9, 0.999), eps=1e-8)"),
    },
]
