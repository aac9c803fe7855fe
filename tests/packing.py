"""Which wrong answers of a notebook may share one graded run: the static dependencies of its test cells.

A wrong answer must be seen to fail its own tests, not tests that another wrong answer in the same run broke.  Two
wrong answers (to different cells) may share a run when neither can reach the other's tests:

  * a cell that runs after a test cannot change it (a notebook runs from top to bottom);
  * otherwise a test reads a cell only through names: the test's names, the names of the cells those come from, and
    so on back up the notebook (``Notebook.reads``).  A cell "writes" the names it binds, and the names whose objects
    it may change in place: the root of an assignment to an attribute or an item or of ``x += ...``, the receiver
    and arguments of an in-place call (``MUTATORS``, torch's ``add_``), the arguments it hands to a function of the
    notebook that may change them, and everything it names when it calls one that reaches through objects
    (``THROUGH``: ``loss.backward()``);
  * a cell that may change what no name carries -- code run from text, files, processes, the environment, a
    library's attributes (``OPAQUE``) -- is read by every test after it.

The analysis is of the notebook as that run would hold it: the two wrong answers in their cells, the source's answers
and the provided cells elsewhere, the hidden tests in the test cells.  A source that does not parse shares no run.
What no name carries -- a wrong answer that kills the kernel or runs out of time -- marks the whole run's row as an
error, which ``test_mutant`` does not accept.  The exhaustive mode (``COURSE_TESTS=exhaustive``) grades every wrong
answer alone.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from course import nbtools

# Calls that change objects in place: torch's trailing-underscore methods and these.  Those of ``THROUGH`` change
# objects reached through their receiver too (``loss.backward()`` fills the gradients of every leaf behind it, an
# optimiser's ``step()`` its parameters): a cell with one may change everything it names.
MUTATORS = frozenset(
    "append extend insert pop popitem remove clear update setdefault sort reverse add discard fill put resize "
    "manual_seed seed shuffle set_rng_state set_default_dtype set_grad_enabled to cuda cpu eval register_buffer "
    "register_parameter add_module".split()
)
THROUGH = frozenset("backward step zero_grad load_state_dict apply run fit train".split())
# Calls after which a cell may have changed anything: code run from text, names reached by string, and the world
# outside the names (files, processes, the environment, IPython's magics: ``%%writefile model.py`` then a test that
# runs ``main.py``).
OPAQUE = frozenset(
    "exec eval compile setattr delattr globals vars locals __import__ getattr get_ipython open save savez savefig "
    "write write_text write_bytes writelines dump system run_line_magic run_cell_magic Popen call check_call "
    "check_output mkdir makedirs remove unlink rename replace rmtree copy copyfile copytree move chdir putenv "
    "urlretrieve download".split()
)
BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Cell:
    """One code cell as the analysis sees it: the module-level names it binds, reads and may change."""

    grade_id: str | None
    binds: frozenset[str] = frozenset()  # names it binds at module level (``global`` ones in functions too)
    uses: frozenset[str] = frozenset()  # module-level names it reads (in function bodies too)
    changes: frozenset[str] = frozenset()  # module-level names whose objects it may change in place
    handed: frozenset[tuple[str, str]] = frozenset()  # (function, name): it hands a name's object to a function
    imports: frozenset[str] = frozenset()  # names it binds by ``import``
    functions: tuple[tuple[str, bool, frozenset[str]], ...] = ()  # (name, changes an argument itself, the
    # functions it hands an argument to): the functions and classes it defines
    stores: frozenset[str] = frozenset()  # names at the root of what it assigns to (``a.b = ...``, ``a[i] = ...``)
    opaque: bool = False  # it may bind or change anything (``exec``, ``setattr``...), or does not parse

    def writes(self, modules: frozenset[str], keeping: frozenset[str]) -> frozenset[str]:
        """What it binds or may change.  ``modules`` (the notebook's imported names) are the libraries': a library
        function is taken not to change what it is given unless its name says so (``MUTATORS``), and a change to a
        module itself (its random state, ``torch.manual_seed``) is not followed.  Nor is what is handed to a function
        of ``keeping``: the notebook's functions that change none of their arguments."""
        handed = {name for function, name in self.handed if function not in modules | keeping}
        return self.binds | ((self.changes | handed) - modules)


@cache
def analyse(source: str, grade_id: str | None = None) -> Cell:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return Cell(grade_id, opaque=True)
    scan = _Scan()
    fresh: set[str] = set()  # bound by this cell already: a later top-level read is of this cell's own value
    for statement in tree.body:
        scan.visit(statement)
        scan.uses |= scan.read - fresh
        scan.read = set()
        fresh |= _binds_for_sure(statement)
    changes = set(scan.changes)
    if scan.through:
        changes |= scan.uses
    return Cell(
        grade_id,
        frozenset(scan.binds),
        frozenset(scan.uses - BUILTINS),
        frozenset(changes - BUILTINS),
        frozenset(scan.handed),
        frozenset(scan.imports),
        tuple((node.name, *_function(node)) for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))),
        frozenset(scan.stores),
        scan.opaque,
    )


def _function(node: ast.FunctionDef | ast.ClassDef) -> tuple[bool, frozenset[str]]:
    """Whether a function (or a class's methods, ``self`` aside) may change an object it is given itself -- an in-place
    change rooted at a parameter or an alias of one, a call that reaches through objects (``backward``), anything
    opaque -- and the functions it hands its arguments to (which may)."""
    if isinstance(node, ast.ClassDef):
        methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        others = [n for n in node.body if n not in methods and not isinstance(n, (ast.Pass, ast.Expr))]
        found = [_function_of(m, skip_first=True) for m in methods]
        return bool(others) or any(d for d, _ in found), frozenset().union(*(c for _, c in found))
    return _function_of(node, skip_first=False)


def _function_of(node, skip_first: bool) -> tuple[bool, frozenset[str]]:
    parameters = _parameters(node)
    if skip_first and parameters:
        parameters = parameters[1:]
    scan = _Scan()
    scan.scopes.append(set())  # the function's body as a scope of its own: its parameters are "global" to it
    for statement in node.body:
        scan.visit(statement)
    aliases = _aliases(node, set(parameters))
    direct = scan.through or scan.opaque or bool(scan.changes & aliases)
    return direct, frozenset(function for function, name in scan.handed if name in aliases)


def _aliases(node: ast.AST, names: set[str]) -> set[str]:
    """``names`` and the local names that may refer to their objects (``y = x``, ``v = x.view(-1)``, ``for p in
    params``): whatever is bound from an expression that names one of them."""
    found = set(names)
    grew = True
    while grew:
        grew = False
        for child in ast.walk(node):
            pairs = []
            if isinstance(child, ast.Assign):
                pairs = [(t, child.value) for t in child.targets]
            elif isinstance(child, (ast.AnnAssign, ast.NamedExpr)) and child.value is not None:
                pairs = [(child.target, child.value)]
            elif isinstance(child, (ast.For, ast.comprehension)):
                pairs = [(child.target, child.iter)]
            elif isinstance(child, ast.withitem) and child.optional_vars is not None:
                pairs = [(child.optional_vars, child.context_expr)]
            for target, value in pairs:
                if _roots(value, lambda name: True) & found:
                    new = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)} - found
                    if new:
                        found |= new
                        grew = True
    return found


def _imported(node: ast.Import | ast.ImportFrom) -> set[str]:
    """The names an import statement binds (``import a.b`` binds ``a``)."""
    return {(a.asname or a.name).split(".")[0] for a in node.names}


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[str]:
    a = node.args
    return [x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x]


def _binds_for_sure(statement: ast.stmt) -> set[str]:
    """The module-level names a top-level statement binds whenever it runs (not those of an ``if``, a loop...)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return _imported(statement)
    targets = statement.targets if isinstance(statement, ast.Assign) else []
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    names: set[str] = set()
    for target in targets:
        elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        names |= {e.id for e in elements if isinstance(e, ast.Name)}
    return names


def _locals(node: ast.AST) -> set[str]:
    """The names local to a function, lambda, class body or comprehension (its parameters and what it binds,
    less ``global``/``nonlocal`` names); nested scopes are their own."""
    found: set[str] = set()
    declared: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        found |= set(_parameters(node))
    body = node.generators if isinstance(node, _COMPREHENSIONS) else getattr(node, "body", [])
    stack = list(body) if isinstance(body, list) else [body]
    while stack:
        child = stack.pop()
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            found.add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(child.name)
            stack.extend(child.decorator_list)
            continue
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            found |= _imported(child)
        elif isinstance(child, (ast.Global, ast.Nonlocal)):
            declared |= set(child.names)
        elif isinstance(child, ast.arg):
            continue
        if isinstance(child, (ast.Lambda, *_COMPREHENSIONS)):
            continue
        stack.extend(ast.iter_child_nodes(child))
    return found - declared


# library functions whose result shares memory with their argument (``torch.reshape(x, ...)``)
VIEWS = frozenset(
    "view view_as reshape narrow select squeeze unsqueeze transpose permute flatten t T expand as_strided movedim "
    "swapaxes unflatten split chunk unbind diagonal detach".split()
)


def _roots(node: ast.AST, is_global) -> set[str]:
    """The names whose objects ``node`` may be, or be part of: ``a`` for ``a.b[c].d``, ``a.view(-1)`` or
    ``torch.reshape(a, ...)``, and the arguments' for a call of a plain name (``f(a)`` may return ``a``); none for
    a call of another method (a new object) or a constant."""
    if isinstance(node, ast.Name):
        return {node.id} if is_global(node.id) else set()
    if isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        return _roots(node.value, is_global)
    if isinstance(node, ast.Call):
        func = node.func
        arguments = [*node.args, *(k.value for k in node.keywords)]
        if isinstance(func, ast.Name) or (isinstance(func, ast.Attribute) and func.attr in VIEWS):
            found = set().union(*(_roots(a, is_global) for a in arguments)) if arguments else set()
            return found | (_roots(func.value, is_global) if isinstance(func, ast.Attribute) else set())
        if isinstance(func, ast.Attribute):
            return _roots(func.value, is_global)  # a method may return its object (``x.add_(1)``, ``x.to(...)``)
    return set()


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS)


class _Scan(ast.NodeVisitor):
    """Walks a cell, keeping the local names of the scopes it is in, to tell module-level names from local ones."""

    def __init__(self) -> None:
        self.scopes: list[set[str]] = []
        self.binds: set[str] = set()
        self.uses: set[str] = set()  # read from earlier cells: in function bodies (when they are called), or ...
        self.read: set[str] = set()  # ... at the top level of the statement being walked
        self.changes: set[str] = set()
        self.handed: set[tuple[str, str]] = set()
        self.stores: set[str] = set()
        self.imports: set[str] = set()
        self.through = self.opaque = False

    def _global(self, name: str) -> bool:
        return not any(name in scope for scope in self.scopes)

    def _changed(self, node: ast.AST, into: str = "") -> None:
        """Count the module-level names at the root of ``node`` as changed (or, with ``into``, as handed to that
        function)."""
        for name in _roots(node, self._global):
            if into:
                self.handed.add((into, name))
            else:
                self.changes.add(name)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, _SCOPES):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for d in node.decorator_list:
                    self.visit(d)
                if not self.scopes:
                    self.binds.add(node.name)
            self.scopes.append(_locals(node))
            decorators = getattr(node, "decorator_list", [])  # visited above, in the enclosing scope
            for child in ast.iter_child_nodes(node):
                if child not in decorators:
                    self.visit(child)
            self.scopes.pop()
            return
        super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if not self._global(node.id):
            return
        if isinstance(node.ctx, ast.Load):
            (self.uses if self.scopes else self.read).add(node.id)
        else:
            self.binds.add(node.id)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        names = _imported(node)
        if any(a.name == "*" for a in node.names):
            self.opaque = True
        if not self.scopes:
            self.binds |= names
            self.imports |= names

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: ast.Global) -> None:
        self.binds |= set(node.names)  # a function that assigns a module-level name binds it when called

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._changed(node.target)  # ``x += y`` changes a tensor in place
        self.generic_visit(node)

    def _target(self, target: ast.AST) -> None:
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            self._changed(target)
            node = target
            while isinstance(node, (ast.Attribute, ast.Subscript)):
                node = node.value
            if isinstance(node, ast.Name) and self._global(node.id):
                self.stores.add(node.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self._target(t)
        elif isinstance(target, ast.Starred):
            self._target(target.value)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._target(target)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        arguments = [*node.args, *(k.value for k in node.keywords)]
        if name in OPAQUE:
            self.opaque = True
        elif name in THROUGH:
            self.through = True
        elif name in MUTATORS or (name.endswith("_") and not name.startswith("__")):
            if isinstance(func, ast.Attribute):
                self._changed(func.value)
            for argument in arguments:
                self._changed(argument)
        elif isinstance(func, ast.Name) and func.id not in BUILTINS:
            for argument in arguments:  # a function of the notebook's may change what it is given
                self._changed(argument, into=func.id)
        self.generic_visit(node)


@dataclass
class Notebook:
    """A notebook's code cells in order (the source's: answers, provided cells, hidden tests)."""

    cells: list[Cell]
    position: dict[str, int] = field(default_factory=dict)  # grade id -> index

    @classmethod
    def load(cls, path: Path) -> Notebook:
        cells = []
        for cell in nbtools.read(path).cells:
            if cell.cell_type == "code":
                cells.append(analyse(cell.source, nbtools.nbgrader_meta(cell).get("grade_id")))
        return cls(cells, {c.grade_id: i for i, c in enumerate(cells) if c.grade_id})

    def with_answers(self, answers: dict[str, str]) -> list[Cell]:
        """The cells with these answer cells' sources in place of the source's."""
        return [analyse(answers[c.grade_id], c.grade_id) if c.grade_id in answers else c for c in self.cells]

    def reads(self, cells: list[Cell], test: str) -> set[int]:
        """The indices of the cells before ``test`` that it may read: those that write a name it reads, and so on
        back up the notebook."""
        end = self.position[test]
        modules = frozenset().union(*(c.imports for c in cells))
        keeping = _keeping(cells[:end], modules)
        wanted = set(cells[end].uses)
        found: set[int] = set()
        grew = True
        while grew:
            grew = False
            for i, cell in enumerate(cells[:end]):
                # assigning to a library's attribute (``os.environ[...] = ``, ``torch.backends... = ``) may change
                # anything that uses the library
                opaque = cell.opaque or bool(cell.stores & modules)
                if i not in found and (opaque or cell.writes(modules, keeping) & wanted):
                    found.add(i)
                    wanted |= cell.uses
                    grew = True
        return found

    def may_share_a_run(self, first: dict, second: dict) -> bool:
        """Whether two wrong answers (bank entries) may be graded in one run: neither reaches the other's tests."""
        if first["cell"] == second["cell"]:
            return False
        cells = self.with_answers({first["cell"]: first["source"], second["cell"]: second["source"]})
        if any(cells[self.position[m["cell"]]].opaque for m in (first, second)):
            return False
        for mine, other in ((first, second), (second, first)):
            where = self.position[other["cell"]]
            for test in mine["tests"]:
                if where < self.position[test] and where in self.reads(cells, test):
                    return False
        return True


def _keeping(cells: list[Cell], modules: frozenset[str]) -> frozenset[str]:
    """The notebook's functions that change none of their arguments: they change none themselves, and hand them only
    to libraries and to functions that keep them too (every definition of the name among ``cells``)."""
    defined: dict[str, list[tuple[bool, frozenset[str]]]] = {}
    for cell in cells:
        for name, direct, callees in cell.functions:
            defined.setdefault(name, []).append((direct, callees))
        for name in cell.binds - {f[0] for f in cell.functions}:
            defined.setdefault(name, []).append((True, frozenset()))  # bound to something else there
    keeping = {name for name, found in defined.items() if not any(direct for direct, _ in found)}
    grew = True
    while grew:  # the largest set that keeps its promise: recursion is allowed
        grew = False
        for name in list(keeping):
            callees = frozenset().union(*(c for _, c in defined[name]))
            if not callees <= modules | BUILTINS | keeping:
                keeping.discard(name)
                grew = True
    return frozenset(keeping)
