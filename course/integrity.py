"""Make a submission gradable and say what was wrong with it.

``repair(submission, release)`` aligns a submitted notebook with the release it came from, the way a careful TA
would before grading: locked cells (test cells, read-only cells) anchor the alignment by their ``grade_id`` or, when
Colab or an editor dropped the metadata, by their text; answer cells are found by ``grade_id`` or by position
between anchors and resemblance to the release's stub.  Lost metadata is re-attached, cell types restored, deleted
test cells re-inserted (nbgrader then puts their hidden tests back), cells put back in the release's order (cells
the student added stay where they were, relative to their neighbours), and every change is reported.

``scan(submission, release)`` reads the code a student could edit and reports tampering with the test machinery
(assigning to attributes of torch, numpy, course, builtins...; redefining a name the tests import; hooking IPython
to rewrite or hide later cells) and suspicious code (exec, eval, setattr on modules, os._exit...).  Tampering
zeroes the notebook's autograded tests; suspicious code is only reported.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from dataclasses import dataclass, field

import nbformat

from .nbtools import nbgrader_meta

MAGIC = re.compile(r"^\s*[%!].*$", re.M)


def _norm(src: str) -> str:
    return "\n".join(line.rstrip() for line in src.strip().splitlines())


@dataclass
class Report:
    notes: list[str] = field(default_factory=list)
    tampering: list[str] = field(default_factory=list)
    suspicious: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.tampering:
            parts.append("TAMPERING: " + "; ".join(self.tampering))
        if self.suspicious:
            parts.append("suspicious: " + "; ".join(self.suspicious))
        parts += self.notes
        return " | ".join(parts)

    def as_dict(self) -> dict:
        return {"notes": self.notes, "tampering": self.tampering, "suspicious": self.suspicious}


# Repair ------------------------------------------------------------------------------------------------------------
def repair(sub, release, report: Report | None = None):
    """Return (aligned notebook, report)."""
    report = report or Report()
    sub = nbformat.from_dict(json.loads(json.dumps(sub)))
    rel_cells = list(release.cells)
    sub_cells = list(sub.cells)
    used: set[int] = set()
    match: dict[int, int] = {}  # release index -> submission index

    # 1. by grade_id (last one wins, as nbgrader's DeduplicateIds does)
    by_id: dict[str, int] = {}
    for j, cell in enumerate(sub_cells):
        gid = nbgrader_meta(cell).get("grade_id")
        if gid:
            if gid in by_id:
                report.notes.append(f"duplicate cell {gid}: the last copy is graded")
            by_id[gid] = j
    for i, cell in enumerate(rel_cells):
        gid = nbgrader_meta(cell).get("grade_id")
        if gid and gid in by_id:
            match[i] = by_id[gid]
            used.add(by_id[gid])
    for j, cell in enumerate(sub_cells):
        if j not in used and nbgrader_meta(cell):
            cell.metadata.pop("nbgrader", None)

    # 2. locked release cells without a match: find their exact text among the unmatched submission cells
    relost = []
    for i, cell in enumerate(rel_cells):
        meta = nbgrader_meta(cell)
        if i in match or not meta.get("locked"):
            continue
        want = _norm(cell.source)
        for j, cand in enumerate(sub_cells):
            if j not in used and _norm(cand.source) == want and want:
                match[i] = j
                used.add(j)
                relost.append(meta["grade_id"])
                break
    # 3. answer cells without a match: the most similar unmatched cell between the neighbouring anchors
    for i, cell in enumerate(rel_cells):
        meta = nbgrader_meta(cell)
        if i in match or not meta.get("grade_id"):
            continue
        lo = max([match[k] for k in match if k < i], default=-1)
        hi = min([match[k] for k in match if k > i], default=len(sub_cells))
        best, best_score = None, 0.0
        for j in range(lo + 1, hi):
            if j in used or sub_cells[j].cell_type != cell.cell_type and meta.get("solution") is not True:
                continue
            score = difflib.SequenceMatcher(None, _norm(cell.source), _norm(sub_cells[j].source)).ratio()
            if _first_def(cell.source) and _first_def(cell.source) == _first_def(sub_cells[j].source):
                score += 1.0
            if score > best_score:
                best, best_score = j, score
        threshold = 0.3 if meta.get("solution") else 0.9
        if best is not None and best_score >= threshold:
            match[i] = best
            used.add(best)
            relost.append(meta["grade_id"])
    if relost:
        report.notes.append(f"grading metadata re-attached to {len(relost)} cell(s): {', '.join(relost)}")

    # 4. rebuild in release order; unmatched submission cells keep their place after the previous matched cell
    out_cells = []
    order = sorted(match.items())  # release order
    followers: dict[int, list[int]] = {}
    matched_sub = sorted(match.values())
    for j in range(len(sub_cells)):
        if j in used:
            continue
        prev = max([m for m in matched_sub if m < j], default=-1)
        followers.setdefault(prev, []).append(j)
    release_texts = {_norm(c.source) for c in rel_cells}
    added = sum(1 for v in followers.values() for j in v if _norm(sub_cells[j].source) not in release_texts)
    out_cells += [sub_cells[j] for j in followers.get(-1, [])]
    if [j for _, j in order] != sorted(j for _, j in order):
        report.notes.append("cells were reordered: put back in the release's order")
    missing_tests, missing_answers, edited, retyped = [], [], [], []
    for i, rcell in enumerate(rel_cells):
        meta = nbgrader_meta(rcell)
        if i in match:
            j = match[i]
            cell = sub_cells[j]
            if meta:
                if cell.cell_type != rcell.cell_type:
                    retyped.append(meta.get("grade_id", "?"))
                    cell = _retype(cell, rcell.cell_type)
                cell.metadata["nbgrader"] = json.loads(json.dumps(meta))
                if meta.get("locked") and _norm(cell.source) != _norm(rcell.source):
                    edited.append(meta["grade_id"])
            out_cells.append(cell)
            out_cells += [sub_cells[k] for k in followers.get(j, [])]
        elif meta.get("grade_id"):
            fresh = nbformat.from_dict(json.loads(json.dumps(rcell)))
            out_cells.append(fresh)
            if meta.get("grade") and not meta.get("solution"):
                missing_tests.append(meta["grade_id"])
            elif meta.get("solution"):
                missing_answers.append(meta["grade_id"])
    if missing_tests:
        report.notes.append(f"deleted test cell(s) re-inserted: {', '.join(missing_tests)}")
    if missing_answers:
        report.notes.append(f"answer cell(s) missing, graded as blank: {', '.join(missing_answers)}")
    if edited:
        report.notes.append(f"edited locked cell(s) restored from the release: {', '.join(edited)}")
    if retyped:
        report.notes.append(f"cell type restored: {', '.join(retyped)}")
    if added:
        report.notes.append(f"{added} cell(s) added or edited outside the answer cells")
    sub.cells = out_cells
    for cell in sub.cells:
        if "id" not in cell:
            cell["id"] = f"c{abs(hash(cell.source)) % 10**10}"
    if sub.metadata.get("kernelspec", {}).get("name") not in (None, "python3"):
        report.notes.append(f"kernel {sub.metadata['kernelspec'].get('name')!r} replaced by python3")
    sub.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    _dedupe_ids(sub)
    return sub, report


def _dedupe_ids(nb) -> None:
    seen = set()
    for n, cell in enumerate(nb.cells):
        cid = cell.get("id") or f"cell-{n}"
        while cid in seen:
            cid = f"{cid[:50]}-{n}"
        seen.add(cid)
        cell["id"] = cid


def _first_def(src: str) -> str:
    m = re.search(r"^\s*(def|class)\s+([A-Za-z_]\w*)", src, re.M)
    if m:
        return m.group(2)
    m = re.search(r"^\s*%%writefile\s+(\S+)", src, re.M)
    return m.group(1) if m else ""


def _retype(cell, cell_type: str):
    if cell_type == "code":
        new = nbformat.v4.new_code_cell(cell.source)
    else:
        new = nbformat.v4.new_markdown_cell(cell.source)
    new.metadata = cell.metadata
    if "id" in cell:
        new["id"] = cell["id"]
    return new


# Scan --------------------------------------------------------------------------------------------------------------
PROTECTED_MODULES = {
    "torch", "numpy", "course", "builtins", "sys", "math", "unittest", "IPython", "nbgrader", "sklearn",
    "torchvision", "torchbearer", "operator", "functools", "inspect", "types", "importlib", "scipy",
}  # fmt: skip
ALLOWED_ATTRIBUTE_WRITES = ("torch.backends.", "numpy.random.", "torch.hub.", "sys.path", "sys.argv")
IPYTHON_HOOKS = (
    "input_transformers",
    "ast_transformers",
    "events",
    "register_magic_function",
    "set_custom_exc",
    "showtraceback",
    "showsyntaxerror",
    "set_hook",
    "run_cell",
    "ex",
)
TRANSFORMER_LISTS = ("input_transformers", "ast_transformers")
EXITS = ("os._exit", "sys.exit", "exit", "quit", "os.kill", "os.abort", "sys.settrace", "sys.setprofile")
SUSPICIOUS_CALLS = {
    "exec": "calls exec()",
    "eval": "calls eval()",
    "compile": "calls compile()",
    "__import__": "calls __import__()",
    "globals": "uses globals()",
    "vars": "uses vars()",
    "setattr": "calls setattr()",
    "delattr": "calls delattr()",
}


def _attr_path(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_ipython":
        parts.append("get_ipython()")
    elif isinstance(node, ast.Subscript):
        parts.append(_attr_path(node.value) + "[]")
    else:
        return ""
    return ".".join(reversed(parts))


def _bound_targets(targets) -> list:
    """The outermost targets an assignment binds (unpacking tuples and lists, not descending into attributes)."""
    out = []
    for target in targets:
        if isinstance(target, ast.Tuple | ast.List):
            out += _bound_targets(target.elts)
        elif isinstance(target, ast.Starred):
            out += _bound_targets([target.value])
        else:
            out.append(target)
    return out


def _parse(src: str):
    try:
        return ast.parse(MAGIC.sub("pass", src))
    except SyntaxError:
        return None


def _module_aliases(trees) -> dict[str, str]:
    """name -> module path, for every import of a protected module."""
    aliases = {"np": "numpy", "torch": "torch", "builtins": "builtins", "__builtins__": "builtins"}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] in PROTECTED_MODULES:
                        aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PROTECTED_MODULES:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _test_names(release) -> set[str]:
    names = set()
    for cell in release.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            tree = _parse(cell.source)
            if tree:
                names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return names


def scan(sub, release, report: Report | None = None) -> Report:
    """Look for tampering in every cell a student could change (everything but locked cells)."""
    report = report or Report()
    release_trees = [t for c in release.cells if c.cell_type == "code" for t in [_parse(c.source)] if t]
    trusted_imports = {
        ast.unparse(n) for t in release_trees for n in ast.walk(t) if isinstance(n, ast.Import | ast.ImportFrom)
    }
    aliases = _module_aliases(release_trees)
    trusted_aliases = dict(aliases)
    protected_names = {
        name for name in _test_names(release) if name in aliases and aliases[name].split(".")[0] in PROTECTED_MODULES
    }
    student = [c for c in sub.cells if c.cell_type == "code" and not nbgrader_meta(c).get("locked")]
    trees = []
    for cell in student:
        tree = _parse(cell.source)
        if tree is None:
            continue
        trees.append(tree)
    aliases.update(_module_aliases(trees))
    found_t, found_s = [], []
    for tree in trees:
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            elif isinstance(node, ast.Delete):
                targets = node.targets
            for t in _bound_targets(targets):
                if isinstance(t, ast.Attribute | ast.Subscript):
                    path = _attr_path(t)
                    root = path.split(".")[0].removesuffix("[]")
                    full = aliases.get(root, root) + path[len(root) :] if root else path
                    if root in aliases and not full.startswith(ALLOWED_ATTRIBUTE_WRITES):
                        found_t.append(f"assigns {full}")
                    if path.startswith("get_ipython()"):
                        found_t.append(f"changes {path}")
                elif isinstance(t, ast.Name) and t.id in protected_names:
                    found_t.append(f"redefines {t.id}, which the tests use")
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name in protected_names:
                found_t.append(f"redefines {node.name}, which the tests use")
            if isinstance(node, ast.Import | ast.ImportFrom):
                for a in node.names:
                    bound = a.asname or a.name.split(".")[0]
                    if bound in protected_names and ast.unparse(node) not in trusted_imports:
                        if isinstance(node, ast.Import):
                            target = a.name if a.asname else a.name.split(".")[0]
                        else:
                            target = f"{node.module}.{a.name}"
                        if target != trusted_aliases.get(bound):  # the same object under the same name is fine
                            found_t.append(f"re-imports {bound} from elsewhere")
            if isinstance(node, ast.Call):
                func = node.func
                path = _attr_path(func)
                parts = path.split(".")[1:]
                hooked = any(p in IPYTHON_HOOKS or p.startswith(TRANSFORMER_LISTS) for p in parts)
                if path.startswith("get_ipython()") and hooked:
                    found_t.append(f"hooks IPython ({path})")
                elif path.startswith("get_ipython()"):
                    found_s.append(f"uses {path}")
                name = func.id if isinstance(func, ast.Name) else ""
                if name in ("setattr", "delattr") and node.args:
                    obj = _attr_path(node.args[0])
                    root = obj.split(".")[0]
                    if root in aliases and not (aliases[root] + obj[len(root) :]).startswith(ALLOWED_ATTRIBUTE_WRITES):
                        found_t.append(f"{name}() on {aliases[root]}{obj[len(root) :]}")
                        continue
                if name in SUSPICIOUS_CALLS:
                    found_s.append(SUSPICIOUS_CALLS[name])
                if path in EXITS:
                    found_s.append(f"calls {path}()")
                if path.startswith(("ctypes", "gc.get_referrers", "inspect.currentframe", "sys._getframe")):
                    found_s.append(f"uses {path}")
            if isinstance(node, ast.FunctionDef) and node.name in ("__eq__", "__ne__", "__bool__"):
                body = [b for b in node.body if not isinstance(b, ast.Expr)]
                if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Constant):
                    found_s.append(f"defines an {node.name} that always returns {body[0].value.value!r}")
    report.tampering += sorted(set(found_t))
    report.suspicious += sorted(set(found_s))
    return report
