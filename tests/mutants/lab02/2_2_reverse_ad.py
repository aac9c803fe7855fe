"""Mutant bank of lab 2.2 (reverse-mode AD with a Var class).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The class mutants are the reference class
with one method changed, as a student who got one rule wrong would hand it in.
"""

_CLASS = '''class Var:
    """A node of the computational graph for reverse-mode AD."""

    def __init__(self, value):
        self.value = value
        self.children = []  # (weight, child) pairs: child was computed from self; weight = d child / d self
        self.grad_value = None  # the adjoint dz/dself, once known

    def grad(self):
        if self.grad_value is None:
            # the adjoint of self sums the contributions of all its children
            self.grad_value = sum(weight * var.grad() for weight, var in self.children)
        return self.grad_value

    def __str__(self):
        return str(self.value)

    def __repr__(self):
        return f"Var({self.value!r})"

    @staticmethod
    def lift(other):
        """`other` as a Var: a plain number becomes a constant node."""
        return other if isinstance(other, Var) else Var(other)

    def __mul__(self, other):  # self * other
        other = Var.lift(other)
        z = Var(self.value * other.value)
        self.children.append((other.value, z))  # dz/dself = other.value
        other.children.append((self.value, z))  # dz/dother = self.value
        return z

    def __rmul__(self, other):  # other * self, where other is a plain number
        return self * other

    def __add__(self, other):  # self + other
        other = Var.lift(other)
        z = Var(self.value + other.value)
        self.children.append((1.0, z))
        other.children.append((1.0, z))
        return z

    def __radd__(self, other):  # other + self
        return self + other

    def __sub__(self, other):  # self - other
        other = Var.lift(other)
        z = Var(self.value - other.value)
        self.children.append((1.0, z))
        other.children.append((-1.0, z))
        return z

    def __rsub__(self, other):  # other - self
        return Var.lift(other) - self

    def __truediv__(self, other):  # self / other
        other = Var.lift(other)
        z = Var(self.value / other.value)
        self.children.append((1.0 / other.value, z))
        other.children.append((-self.value / other.value**2, z))
        return z

    def __rtruediv__(self, other):  # other / self
        return Var.lift(other) / self

    def __pow__(self, other):  # self ** other
        if isinstance(other, Var):
            z = Var(self.value**other.value)
            self.children.append((other.value * self.value ** (other.value - 1), z))
            other.children.append((z.value * math.log(self.value), z))
            return z
        z = Var(self.value**other)
        self.children.append((other * self.value ** (other - 1), z))
        return z

    def __rpow__(self, other):  # other ** self, where other is a plain (positive) number
        return Var.lift(other) ** self

    def __neg__(self):  # -self
        z = Var(-self.value)
        self.children.append((-1.0, z))
        return z
'''

_FUNCTIONS = '''def cos(x):
    """cos of a Var."""
    z = Var(math.cos(x.value))
    x.children.append((-math.sin(x.value), z))
    return z


def tan(x):
    """tan of a Var."""
    z = Var(math.tan(x.value))
    x.children.append((1.0 / math.cos(x.value) ** 2, z))
    return z


def exp(x):
    """exp of a Var."""
    z = Var(math.exp(x.value))
    x.children.append((z.value, z))
    return z


def log(x):
    """Natural logarithm of a Var (x.value > 0)."""
    z = Var(math.log(x.value))
    x.children.append((1.0 / x.value, z))
    return z
'''


def _change(base: str, old: str, new: str) -> str:
    assert base.count(old) == 1, old
    return base.replace(old, new)


def _class(name, old, new, kind="wrong"):
    return {
        "cell": "var_class",
        "tests": ["test_var_arithmetic"],
        "kind": kind,
        "name": name,
        "source": _change(_CLASS, old, new),
    }


def _functions(name, old, new, kind="wrong"):
    return {
        "cell": "var_functions",
        "tests": ["test_var_functions"],
        "kind": kind,
        "name": name,
        "source": _change(_FUNCTIONS, old, new),
    }


def _dzdy(name, source, kind="wrong"):
    return {"cell": "dzdy", "tests": ["test_dzdy"], "kind": kind, "name": name, "source": source}


def _loop(name, body, kind="wrong"):
    source = "def loop_grad(x_value):\n" + body + '\n\ngrad = loop_grad(0.5)\nprint("dz/dx at x = 0.5:", grad)\n'
    return {"cell": "loop_grad", "tests": ["test_loop_grad"], "kind": kind, "name": name, "source": source}


MUTANTS = [
    _class(
        # models __pow__ on __mul__: lifts a constant exponent into a Var and always records the ln(a) weight, which
        # fails for a base <= 0 (x ** 3 at -2 in the visible checks, x ** 2 at -1.3 in the hidden ones)
        "power_lifts_constants_and_takes_log",
        """        z = Var(self.value**other)
        self.children.append((other * self.value ** (other - 1), z))
        return z
""",
        """        other = Var.lift(other)
        z = Var(self.value**other.value)
        self.children.append((other.value * self.value ** (other.value - 1), z))
        other.children.append((z.value * math.log(self.value), z))
        return z
""",
    ),
    # --- the Var class --------------------------------------------------------------------------------------------
    _class(
        "add_forgets_other_operand",
        "        other.children.append((1.0, z))\n",
        "",
    ),
    _class(
        "sub_weight_sign_error",
        "other.children.append((-1.0, z))",
        "other.children.append((1.0, z))",
    ),
    _class(
        "quotient_weight_sign_error",
        "other.children.append((-self.value / other.value**2, z))",
        "other.children.append((self.value / other.value**2, z))",
    ),
    _class(
        "power_treats_exponent_as_constant",
        "            other.children.append((z.value * math.log(self.value), z))\n",
        "",
    ),
    _class(
        "rsub_not_reflected",
        "        return Var.lift(other) - self\n",
        "        return self - other\n",
    ),
    _class(
        "rtruediv_not_reflected",
        "        return Var.lift(other) / self\n",
        "        return self / other\n",
    ),
    _class(
        "neg_weight_positive",
        "self.children.append((-1.0, z))",
        "self.children.append((1.0, z))",
    ),
    _class(
        # the new node is recorded in the result instead of the operands: the adjoints never reach the inputs
        "radd_records_nothing",
        "        return self + other\n\n    def __sub__",
        "        return Var(self.value + other)\n\n    def __sub__",
    ),
    _class(
        # special-cases a plain divisor with the wrong weight: passes the visible checks
        "divide_by_number_weight_one",
        "    def __truediv__(self, other):  # self / other\n",
        "    def __truediv__(self, other):  # self / other\n"
        "        if not isinstance(other, Var):\n"
        "            z = Var(self.value / other)\n"
        "            self.children.append((1.0, z))\n"
        "            return z\n",
    ),
    _class(
        "power_log_of_exponent",
        "other.children.append((z.value * math.log(self.value), z))",
        "other.children.append((z.value * math.log(other.value), z))",
    ),
    _class(
        "power_weight_via_result",
        "self.children.append((other.value * self.value ** (other.value - 1), z))",
        "self.children.append((other.value * z.value / self.value, z))",
        kind="correct",
    ),
    {
        "cell": "var_class",
        "tests": ["test_var_arithmetic", "test_var_functions", "test_dzdy", "test_loop_grad"],
        "kind": "correct",
        "name": "explicit_number_branches",
        "source": '''class Var:
    def __init__(self, value):
        self.value = value
        self.children = []
        self.grad_value = None

    def grad(self):
        if self.grad_value is None:
            self.grad_value = sum(weight * var.grad() for weight, var in self.children)
        return self.grad_value

    def __str__(self):
        return str(self.value)

    def _new(self, value, *pairs):
        """A new node with value `value`; pairs are (parent, local derivative)."""
        z = Var(value)
        for parent, weight in pairs:
            if isinstance(parent, Var):
                parent.children.append((weight, z))
        return z

    def __mul__(self, other):
        o = other.value if isinstance(other, Var) else other
        return self._new(self.value * o, (self, o), (other, self.value))

    def __rmul__(self, other):
        return self._new(other * self.value, (self, other))

    def __add__(self, other):
        o = other.value if isinstance(other, Var) else other
        return self._new(self.value + o, (self, 1), (other, 1))

    def __radd__(self, other):
        return self._new(other + self.value, (self, 1))

    def __sub__(self, other):
        o = other.value if isinstance(other, Var) else other
        return self._new(self.value - o, (self, 1), (other, -1))

    def __rsub__(self, other):
        return self._new(other - self.value, (self, -1))

    def __truediv__(self, other):
        o = other.value if isinstance(other, Var) else other
        return self._new(self.value / o, (self, 1 / o), (other, -self.value / o**2))

    def __rtruediv__(self, other):
        return self._new(other / self.value, (self, -other / self.value**2))

    def __pow__(self, other):
        if isinstance(other, Var):
            p = self.value**other.value
            dself = other.value * self.value ** (other.value - 1)
            return self._new(p, (self, dself), (other, p * math.log(self.value)))
        return self._new(self.value**other, (self, other * self.value ** (other - 1)))

    def __rpow__(self, other):
        p = other**self.value
        return self._new(p, (self, p * math.log(other)))

    def __neg__(self):
        return self._new(-self.value, (self, -1))
''',
    },
    # --- cos, tan, exp, log ---------------------------------------------------------------------------------------
    _functions(
        "cos_weight_sign_error",
        "x.children.append((-math.sin(x.value), z))",
        "x.children.append((math.sin(x.value), z))",
    ),
    _functions(
        "tan_weight_not_squared",
        "x.children.append((1.0 / math.cos(x.value) ** 2, z))",
        "x.children.append((1.0 / math.cos(x.value), z))",
    ),
    _functions(
        "exp_weight_is_input",
        "x.children.append((z.value, z))",
        "x.children.append((x.value, z))",
    ),
    _functions(
        "log_weight_is_input",
        "x.children.append((1.0 / x.value, z))",
        "x.children.append((x.value, z))",
    ),
    _functions(
        # the edge is recorded the wrong way round: the node's adjoint never reaches x
        "cos_records_edge_in_result",
        "x.children.append((-math.sin(x.value), z))",
        "z.children.append((-math.sin(x.value), x))",
    ),
    _functions(
        "tan_sec_squared",
        "x.children.append((1.0 / math.cos(x.value) ** 2, z))",
        "x.children.append((1 + math.tan(x.value) ** 2, z))",
        kind="correct",
    ),
    {
        "cell": "var_functions",
        "tests": ["test_var_functions"],
        "kind": "correct",
        "name": "via_a_helper",
        "source": """def unary(value, derivative, x):
    z = Var(value)
    x.children.append((derivative, z))
    return z


def cos(x):
    return unary(math.cos(x.value), -math.sin(x.value), x)


def tan(x):
    return unary(math.tan(x.value), 1 / math.cos(x.value) ** 2, x)


def exp(x):
    return unary(math.exp(x.value), math.exp(x.value), x)


def log(x):
    return unary(math.log(x.value), 1 / x.value, x)
""",
    },
    # --- dzdy -----------------------------------------------------------------------------------------------------
    _dzdy("cached_attribute_before_grad", 'dzdy = y.grad_value\nprint("dz/dy =", dzdy)\n'),
    _dzdy("the_var_itself", 'dzdy = y\nprint("dz/dy =", dzdy)\n'),
    _dzdy("dzdx_instead", 'dzdy = x.grad()\nprint("dz/dy =", dzdy)\n'),
    _dzdy("value_not_gradient", 'dzdy = y.value\nprint("dz/dy =", dzdy)\n'),
    _dzdy("output_gradient", 'dzdy = z.grad()\nprint("dz/dy =", dzdy)\n'),
    _dzdy(
        "fresh_graph",
        """x2, y2 = Var(0.5), Var(4.2)
z2 = x2 * y2 + sin(x2)
z2.grad_value = 1.0
dzdy = y2.grad()
print("dz/dy =", dzdy)
""",
        kind="correct",
    ),
    # --- loop_grad ------------------------------------------------------------------------------------------------
    _loop(
        "forgets_the_seed",
        """    x = Var(x_value)
    z = Var(1)
    for i in range(0, 2):
        z = (z + Var(i)) * x * x
    return x.grad()
""",
    ),
    _loop(
        "returns_the_output_gradient",
        """    x = Var(x_value)
    z = Var(1)
    for i in range(0, 2):
        z = (z + Var(i)) * x * x
    z.grad_value = 1.0
    return z.grad()
""",
    ),
    _loop(
        "seeds_the_input",
        """    x = Var(x_value)
    z = Var(1)
    for i in range(0, 2):
        z = (z + Var(i)) * x * x
    x.grad_value = 1.0
    return z.grad()
""",
    ),
    _loop("hard_coded_visible_answer", "    return 1.5\n"),
    _loop(
        "off_by_one_range",
        """    x = Var(x_value)
    z = Var(1)
    for i in range(1, 3):
        z = (z + Var(i)) * x * x
    z.grad_value = 1.0
    return x.grad()
""",
    ),
    _loop(
        "one_factor_x_per_iteration",
        """    x = Var(x_value)
    z = Var(1)
    for i in range(0, 2):
        z = (z + Var(i)) * x
    z.grad_value = 1.0
    return x.grad()
""",
    ),
    _loop(
        "returns_the_value",
        """    x = Var(x_value)
    z = Var(1)
    for i in range(0, 2):
        z = (z + Var(i)) * x * x
    z.grad_value = 1.0
    return z.value
""",
    ),
    _loop(
        "while_loop_plain_numbers",
        """    x = Var(x_value)
    z = Var(1)
    i = 0
    while i < 2:
        z = (z + i) * x * x
        i += 1
    z.grad_value = 1.0
    return x.grad()
""",
        kind="correct",
    ),
    _loop(
        "with_the_gradients_helper",
        """    def algorithm(x):
        z = 1
        for i in range(2):
            z = x * x * (z + i)
        return z

    return gradients(algorithm, x_value)[1][0]
""",
        kind="correct",
    ),
    _dzdy("hard_coded_full_precision", 'dzdy = 0.5\nprint("dz/dy =", dzdy)\n'),
    # dz/dy = x worked out by hand, dressed up with the names a scan of the source would look for
    _dzdy("hard_coded_formula_dressed_as_grad", 'dzdy = x.value  # not y.grad()\nprint("dz/dy =", dzdy)\n'),
    _loop("hard_coded_formula_for_the_derivative", "    return 4 * x_value**3 + 2 * x_value\n"),
]
