"""Mutant bank of lab 2.1 (forward-mode AD with dual numbers).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The class mutants are the reference class
with one method changed, as a student who got one rule wrong would hand it in.
"""

_CLASS = '''class DualNumber:
    """A dual number value + dvalue·ε, with ε² = 0."""

    def __init__(self, value, dvalue):
        self.value = value  # the value a of the number
        self.dvalue = dvalue  # the dual part b: the derivative carried along

    def __str__(self):
        return f"{self.value} + {self.dvalue}ε"

    def __repr__(self):
        return f"DualNumber({self.value!r}, {self.dvalue!r})"

    @staticmethod
    def lift(other):
        """`other` as a DualNumber: a plain number k becomes the constant k + 0ε."""
        return other if isinstance(other, DualNumber) else DualNumber(other, 0)

    def __mul__(self, other):  # self * other
        other = DualNumber.lift(other)
        return DualNumber(self.value * other.value, self.value * other.dvalue + self.dvalue * other.value)

    def __rmul__(self, other):  # other * self, where other is a plain number
        return self * other

    def __add__(self, other):  # self + other
        other = DualNumber.lift(other)
        return DualNumber(self.value + other.value, self.dvalue + other.dvalue)

    def __radd__(self, other):  # other + self
        return self + other

    def __sub__(self, other):  # self - other
        other = DualNumber.lift(other)
        return DualNumber(self.value - other.value, self.dvalue - other.dvalue)

    def __rsub__(self, other):  # other - self
        return DualNumber.lift(other) - self

    def __truediv__(self, other):  # self / other
        other = DualNumber.lift(other)
        return DualNumber(
            self.value / other.value,
            (self.dvalue * other.value - self.value * other.dvalue) / other.value**2,
        )

    def __rtruediv__(self, other):  # other / self
        return DualNumber.lift(other) / self

    def __pow__(self, other):  # self ** other
        if isinstance(other, DualNumber):
            value = self.value**other.value
            dvalue = other.value * self.value ** (other.value - 1) * self.dvalue
            if other.dvalue != 0:  # ln(a) only exists for a > 0; a constant exponent does not need it
                dvalue = dvalue + value * math.log(self.value) * other.dvalue
            return DualNumber(value, dvalue)
        return DualNumber(self.value**other, other * self.value ** (other - 1) * self.dvalue)

    def __rpow__(self, other):  # other ** self, where other is a plain (positive) number
        return DualNumber.lift(other) ** self

    def __neg__(self):  # -self
        return DualNumber(-self.value, -self.dvalue)
'''

_FUNCTIONS = '''def cos(x):
    """cos of a DualNumber."""
    return DualNumber(math.cos(x.value), -math.sin(x.value) * x.dvalue)


def tan(x):
    """tan of a DualNumber."""
    return DualNumber(math.tan(x.value), x.dvalue / math.cos(x.value) ** 2)


def exp(x):
    """exp of a DualNumber."""
    e = math.exp(x.value)
    return DualNumber(e, e * x.dvalue)


def log(x):
    """Natural logarithm of a DualNumber (x.value > 0)."""
    return DualNumber(math.log(x.value), x.dvalue / x.value)
'''


def _change(base: str, old: str, new: str) -> str:
    assert base.count(old) == 1, old
    return base.replace(old, new)


def _class(name, old, new, kind="wrong"):
    return {
        "cell": "dual_number",
        "tests": ["test_dual_arithmetic"],
        "kind": kind,
        "name": name,
        "source": _change(_CLASS, old, new),
    }


def _functions(name, old, new, kind="wrong"):
    return {
        "cell": "dual_functions",
        "tests": ["test_dual_functions"],
        "kind": kind,
        "name": name,
        "source": _change(_FUNCTIONS, old, new),
    }


def _dzdy(name, source, kind="wrong"):
    return {"cell": "dzdy", "tests": ["test_dzdy"], "kind": kind, "name": name, "source": source}


MUTANTS = [
    _class(
        # lifts a constant exponent into a DualNumber and always adds the ln(a) term: fails for a <= 0 (x ** 2 at -1.3)
        "power_lifts_constants_and_takes_log",
        """        return DualNumber(self.value**other, other * self.value ** (other - 1) * self.dvalue)
""",
        """        other = DualNumber.lift(other)
        value = self.value**other.value
        return DualNumber(
            value,
            other.value * self.value ** (other.value - 1) * self.dvalue + value * math.log(self.value) * other.dvalue,
        )
""",
    ),
    # --- the DualNumber class -------------------------------------------------------------------------------------
    _class(
        "rsub_not_reflected",
        "        return DualNumber.lift(other) - self\n",
        "        return self - other\n",
    ),
    _class(
        "rtruediv_not_reflected",
        "        return DualNumber.lift(other) / self\n",
        "        return self / other\n",
    ),
    _class(
        "quotient_rule_sign_error",
        "(self.dvalue * other.value - self.value * other.dvalue) / other.value**2",
        "(self.value * other.dvalue - self.dvalue * other.value) / other.value**2",
    ),
    _class(
        # passes the visible checks: they all seed the base with dual part 1
        "power_rule_forgets_chain_factor",
        "return DualNumber(self.value**other, other * self.value ** (other - 1) * self.dvalue)",
        "return DualNumber(self.value**other, other * self.value ** (other - 1))",
    ),
    _class(
        "power_ignores_exponent_derivative",
        "            if other.dvalue != 0:  # ln(a) only exists for a > 0; a constant exponent does not need it\n"
        "                dvalue = dvalue + value * math.log(self.value) * other.dvalue\n",
        "",
    ),
    _class(
        "power_log_of_exponent",
        "dvalue = dvalue + value * math.log(self.value) * other.dvalue",
        "dvalue = dvalue + value * math.log(other.value) * other.dvalue",
    ),
    _class(
        "add_modifies_self_in_place",
        "        other = DualNumber.lift(other)\n"
        "        return DualNumber(self.value + other.value, self.dvalue + other.dvalue)\n",
        "        other = DualNumber.lift(other)\n"
        "        self.value += other.value\n"
        "        self.dvalue += other.dvalue\n"
        "        return self\n",
    ),
    _class(
        "add_only_dual_numbers",
        "        other = DualNumber.lift(other)\n"
        "        return DualNumber(self.value + other.value, self.dvalue + other.dvalue)\n",
        "        return DualNumber(self.value + other.value, self.dvalue + other.dvalue)\n",
    ),
    _class(
        "subtraction_adds_dual_parts",
        "return DualNumber(self.value - other.value, self.dvalue - other.dvalue)",
        "return DualNumber(self.value - other.value, self.dvalue + other.dvalue)",
    ),
    _class(
        "neg_keeps_dual_part",
        "return DualNumber(-self.value, -self.dvalue)",
        "return DualNumber(-self.value, self.dvalue)",
    ),
    _class(
        "rpow_swapped",
        "        return DualNumber.lift(other) ** self\n",
        "        return self**other\n",
    ),
    _class(
        # special-cases a plain divisor but forgets to scale the dual part: passes the visible checks
        "divide_by_number_keeps_dual_part",
        "    def __truediv__(self, other):  # self / other\n",
        "    def __truediv__(self, other):  # self / other\n"
        "        if not isinstance(other, DualNumber):\n"
        "            return DualNumber(self.value / other, self.dvalue)\n",
    ),
    {
        "cell": "dual_number",
        "tests": ["test_dual_arithmetic"],
        "kind": "correct",
        "name": "explicit_number_branches",
        "source": """class DualNumber:
    def __init__(self, value, dvalue):
        self.value = value
        self.dvalue = dvalue

    def __str__(self):
        return str(self.value) + " + " + str(self.dvalue) + "ε"

    def __mul__(self, other):
        if isinstance(other, DualNumber):
            return DualNumber(self.value * other.value, self.dvalue * other.value + other.dvalue * self.value)
        return DualNumber(self.value * other, self.dvalue * other)

    def __rmul__(self, other):
        return DualNumber(other * self.value, other * self.dvalue)

    def __add__(self, other):
        if isinstance(other, DualNumber):
            return DualNumber(self.value + other.value, self.dvalue + other.dvalue)
        return DualNumber(self.value + other, self.dvalue)

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, DualNumber):
            return DualNumber(self.value - other.value, self.dvalue - other.dvalue)
        return DualNumber(self.value - other, self.dvalue)

    def __rsub__(self, other):
        return DualNumber(other - self.value, -self.dvalue)

    def __truediv__(self, other):
        if isinstance(other, DualNumber):
            return DualNumber(
                self.value / other.value,
                self.dvalue / other.value - self.value * other.dvalue / (other.value * other.value),
            )
        return DualNumber(self.value / other, self.dvalue / other)

    def __rtruediv__(self, other):
        return DualNumber(other / self.value, -other * self.dvalue / self.value**2)

    def __pow__(self, other):
        if isinstance(other, DualNumber):
            # always with the log term: the base is positive
            p = self.value**other.value
            return DualNumber(
                p, p * (other.value * self.dvalue / self.value + math.log(self.value) * other.dvalue)
            )
        return DualNumber(self.value**other, other * self.value ** (other - 1) * self.dvalue)

    def __rpow__(self, other):
        p = other**self.value
        return DualNumber(p, p * math.log(other) * self.dvalue)

    def __neg__(self):
        return -1 * self
""",
    },
    _class(
        "power_always_with_log",
        "            if other.dvalue != 0:  # ln(a) only exists for a > 0; a constant exponent does not need it\n"
        "                dvalue = dvalue + value * math.log(self.value) * other.dvalue\n",
        "            dvalue = dvalue + value * math.log(self.value) * other.dvalue\n",
        kind="correct",
    ),
    # --- cos, tan, exp, log ---------------------------------------------------------------------------------------
    _functions(
        "cos_derivative_sign_error",
        "-math.sin(x.value) * x.dvalue",
        "math.sin(x.value) * x.dvalue",
    ),
    _functions(
        # passes the visible checks (dual part 0 at 0, and 1 at 0.5)
        "cos_forgets_chain_factor",
        "-math.sin(x.value) * x.dvalue",
        "-math.sin(x.value)",
    ),
    _functions(
        "tan_derivative_not_squared",
        "x.dvalue / math.cos(x.value) ** 2",
        "x.dvalue / math.cos(x.value)",
    ),
    _functions(
        "tan_derivative_one_plus_tan",
        "x.dvalue / math.cos(x.value) ** 2",
        "(1 + math.tan(x.value)) * x.dvalue",
    ),
    _functions(
        "exp_forgets_chain_factor",
        "return DualNumber(e, e * x.dvalue)",
        "return DualNumber(e, e)",
    ),
    _functions(
        "log_derivative_is_log",
        "x.dvalue / x.value)",
        "math.log(x.value) * x.dvalue)",
    ),
    _functions(
        "log10_instead_of_ln",
        "return DualNumber(math.log(x.value), x.dvalue / x.value)",
        "return DualNumber(math.log10(x.value), x.dvalue / (x.value * math.log(10)))",
    ),
    _functions(
        "tan_sec_squared",
        "x.dvalue / math.cos(x.value) ** 2",
        "(1 + math.tan(x.value) ** 2) * x.dvalue",
        kind="correct",
    ),
    {
        "cell": "dual_functions",
        "tests": ["test_dual_functions"],
        "kind": "correct",
        "name": "numpy_and_quotient",
        "source": """import numpy as np


def cos(x):
    return DualNumber(np.cos(x.value), -np.sin(x.value) * x.dvalue)


def tan(x):
    return sin(x) / cos(x)


def exp(x):
    return DualNumber(np.exp(x.value), np.exp(x.value) * x.dvalue)


def log(x):
    return DualNumber(np.log(x.value), x.dvalue * (1 / x.value))
""",
    },
    # --- dzdy -----------------------------------------------------------------------------------------------------
    _dzdy(
        "seeds_x_instead_of_y",
        """x = DualNumber(0.5, 1)
y = DualNumber(4.2, 0)
z = x * y + sin(x)
dzdy = float(z.dvalue)
""",
    ),
    _dzdy(
        "seeds_both",
        """x = DualNumber(0.5, 1)
y = DualNumber(4.2, 1)
z = x * y + sin(x)
dzdy = float(z.dvalue)
""",
    ),
    _dzdy(
        "dual_number_not_float",
        """x = DualNumber(0.5, 0)
y = DualNumber(4.2, 1)
dzdy = x * y + sin(x)
""",
    ),
    _dzdy(
        "value_not_derivative",
        """x = DualNumber(0.5, 0)
y = DualNumber(4.2, 1)
z = x * y + sin(x)
dzdy = float(z.value)
""",
    ),
    _dzdy(
        "numpy_float",
        """import numpy as np

x = DualNumber(0.5, 0)
y = DualNumber(4.2, 1)
z = x * y + sin(x)
dzdy = np.float64(z.dvalue)
""",
    ),
    _dzdy(
        "not_seeded",
        """x = DualNumber(0.5, 0)
y = DualNumber(4.2, 0)
z = x * y + sin(x)
dzdy = float(z.dvalue)
""",
    ),
    _dzdy(
        "one_line",
        """dzdy = (DualNumber(0.5, 0.0) * DualNumber(4.2, 1.0) + sin(DualNumber(0.5, 0.0))).dvalue
print(dzdy)
""",
        kind="correct",
    ),
    _dzdy("hard_coded_full_precision", "dzdy = 0.5\nprint(dzdy)\n"),
    # dz/dy = x worked out by hand, dressed up with the names a scan of the source would look for
    _dzdy(
        "hard_coded_formula_dressed_as_dual",
        "x = DualNumber(0.5, 0)\ny = DualNumber(4.2, 1)\ndzdy = float(x.value + 0 * y.dvalue)\nprint(dzdy)\n",
    ),
]
