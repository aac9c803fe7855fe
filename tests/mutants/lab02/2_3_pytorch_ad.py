"""Mutant bank of lab 2.3 (reverse-mode AD with PyTorch).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.
"""


def _loop(name, body, kind="wrong", prelude=""):
    source = (
        prelude + "def loop_grad(x_value):\n" + body + '\n\ndzdx = loop_grad(0.5)\nprint("dz/dx at x = 0.5:", dzdx)\n'
    )
    return {"cell": "loop_grad", "tests": ["test_loop_grad"], "kind": kind, "name": name, "source": source}


MUTANTS = [
    _loop(
        # one leaf shared by every call: the gradients of successive calls accumulate in x.grad
        "global_leaf_gradients_accumulate",
        """    x.data = torch.tensor(float(x_value))
    z = torch.tensor(1.0)
    for i in range(2):
        z = (z + i) * x * x
    z.backward()
    return x.grad.item()
""",
        prelude="x = torch.tensor(0.5, requires_grad=True)\n\n\n",
    ),
    _loop(
        # zeroes the gradient, but only after the first call has returned: the first answer is right
        "zero_grad_off_by_one",
        """    global calls
    x = leaf
    x.data.fill_(float(x_value))
    if calls > 1:
        x.grad.zero_()
    calls += 1
    z = torch.tensor(1.0)
    for i in range(2):
        z = (z + i) * x * x
    z.backward()
    return x.grad.item()
""",
        prelude="leaf = torch.tensor(0.0, requires_grad=True)\ncalls = 0\n\n\n",
    ),
    _loop(
        "returns_the_value",
        """    x = torch.tensor(float(x_value), requires_grad=True)
    z = torch.tensor(1.0)
    for i in range(2):
        z = (z + i) * x * x
    z.backward()
    return z.item()
""",
    ),
    _loop("hard_coded_visible_answer", "    return 1.5\n"),
    _loop(
        "off_by_one_range",
        """    x = torch.tensor(float(x_value), requires_grad=True)
    z = torch.tensor(1.0)
    for i in range(1, 3):
        z = (z + i) * x * x
    z.backward()
    return x.grad.item()
""",
    ),
    _loop(
        "forgets_backward",
        """    x = torch.tensor(float(x_value), requires_grad=True)
    z = torch.tensor(1.0)
    for i in range(2):
        z = (z + i) * x * x
    return x.grad
""",
    ),
    _loop(
        "one_factor_x_per_iteration",
        """    x = torch.tensor(float(x_value), requires_grad=True)
    z = torch.tensor(1.0)
    for i in range(2):
        z = (z + i) * x
    z.backward()
    return x.grad.item()
""",
    ),
    _loop(
        "loop_under_no_grad",
        """    x = torch.tensor(float(x_value), requires_grad=True)
    z = torch.tensor(1.0)
    with torch.no_grad():
        for i in range(2):
            z = (z + i) * x * x
    z.backward()
    return x.grad.item()
""",
    ),
    _loop(
        "detaches_one_factor",
        """    x = torch.tensor(float(x_value), requires_grad=True)
    z = torch.tensor(1.0)
    for i in range(2):
        z = (z + i) * x.detach() * x
    z.backward()
    return x.grad.item()
""",
    ),
    _loop(
        "autograd_grad_float64",
        """    x = torch.tensor(x_value, dtype=torch.float64, requires_grad=True)
    z = torch.ones((), dtype=torch.float64)
    for i in range(0, 2):
        z = (z + i) * x * x
    (g,) = torch.autograd.grad(z, x)
    return float(g)
""",
        kind="correct",
    ),
    _loop(
        "returns_a_tensor",
        """    x = torch.tensor([x_value], requires_grad=True)
    z = torch.tensor([1.0])
    i = 0
    while i < 2:
        z = (z + i) * x * x
        i += 1
    z.backward()
    return x.grad
""",
        kind="correct",
    ),
    _loop("hard_coded_formula_for_the_derivative", "    return 4 * x_value**3 + 2 * x_value\n"),
    _loop(
        # right numbers (to 1e-5) without autograd
        "central_finite_difference",
        """    def z_of(x):
        z = 1.0
        for i in range(2):
            z = (z + i) * x * x
        return z

    h = 1e-5
    return (z_of(x_value + h) - z_of(x_value - h)) / (2 * h)
""",
    ),
    _loop(
        "torch_func_grad",
        """    def z_of(x):
        z = torch.tensor(1.0, dtype=x.dtype)
        for i in range(2):
            z = (z + i) * x * x
        return z

    return torch.func.grad(z_of)(torch.tensor(float(x_value))).item()
""",
        kind="correct",
    ),
]
