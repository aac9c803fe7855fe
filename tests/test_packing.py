"""tests/packing.py: which wrong answers may share a graded run (the static dependencies of a notebook's tests)."""

from __future__ import annotations

from tests.packing import Cell, Notebook, analyse


def notebook(*cells: tuple[str | None, str]) -> Notebook:
    """A notebook of (grade id, source) code cells."""
    analysed: list[Cell] = [analyse(source, grade_id) for grade_id, source in cells]
    return Notebook(analysed, {c.grade_id: i for i, c in enumerate(analysed) if c.grade_id})


def wrong(cell: str, test: str, source: str) -> dict:
    return {"cell": cell, "tests": [test], "kind": "wrong", "name": cell, "source": source}


def test_a_later_answer_cannot_reach_an_earlier_test_and_a_name_carries_an_earlier_one():
    nb = notebook(
        (None, "import torch\nfrom course.checks import check\nx = torch.ones(3)"),
        ("a", "def f(v):\n    return v * 2"),
        ("test_a", "check(f(x))"),
        ("b", "def g(v):\n    return f(v) + 1"),  # g calls f: a wrong f breaks g's test
        ("test_b", "check(g(x))"),
        ("c", "def h(v):\n    return v - 1"),
        ("test_c", "check(h(x))"),
    )
    a, b, c = (wrong(n, f"test_{n}", nb_source) for n, nb_source in [("a", "def f(v):\n    return v"),
               ("b", "def g(v):\n    return f(v)"), ("c", "def h(v):\n    return v")])  # fmt: skip
    assert not nb.may_share_a_run(a, b)  # test_b reads f through g
    assert nb.may_share_a_run(a, c) and nb.may_share_a_run(b, c)
    assert not nb.may_share_a_run(a, wrong("a", "test_a", "def f(v):\n    return 0"))  # one cell, one answer


def test_changing_a_shared_object_in_place_is_a_dependency():
    nb = notebook(
        (None, "import torch\nfrom course.checks import check\nw = torch.zeros(3)"),
        ("a", "def scale(t):\n    return t * 2"),
        ("test_a", "check(scale(w))"),
        ("c", "def shift(t):\n    return t + 1"),
        ("test_c", "check(shift(w))"),
    )
    c = wrong("c", "test_c", "def shift(t):\n    return t - 1")
    for source in (
        "def scale(t):\n    t.mul_(2)\n    return t",  # in place, on the argument
        "def scale(t):\n    v = t.view(-1)\n    v += 1\n    return t",  # through a view of it
        "w[0] = 5.0\ndef scale(t):\n    return t",  # the shared tensor itself
        "def scale(t):\n    t.sum().backward()\n    return t",  # through the graph
    ):
        a = wrong("a", "test_a", source)
        cells = nb.with_answers({"a": source})
        assert nb.position["a"] in nb.reads(cells, "test_c"), source
        assert not nb.may_share_a_run(a, c), source
    assert nb.may_share_a_run(wrong("a", "test_a", "def scale(t):\n    return t * 3"), c)  # reads w, changes nothing


def test_files_magics_and_code_from_text_are_read_by_every_later_test():
    nb = notebook(
        (None, "import subprocess, sys\nfrom course.checks import check"),
        ("a", "%%writefile model.py\nWIDTH = 3"),
        ("test_a", "check(open('model.py').read())"),
        ("c", "def run():\n    return subprocess.run([sys.executable, 'model.py'])"),
        ("test_c", "check(run())"),
    )
    assert analyse("%%writefile model.py\nWIDTH = 3").opaque
    assert analyse("exec('x = 1')").opaque and analyse("def f(:").opaque
    assert nb.position["a"] in nb.reads(nb.cells, "test_c")
    a = wrong("a", "test_a", "%%writefile model.py\nWIDTH = 4")
    assert not nb.may_share_a_run(a, wrong("c", "test_c", "def run():\n    return None"))


def test_a_test_cell_that_rebinds_its_helper_does_not_read_the_previous_one():
    nb = notebook(
        (None, "from course.checks import check"),
        ("a", "y_a = 1"),
        ("test_a", "def hidden_tests():\n    check(y_a)\nhidden_tests()"),
        ("b", "y_b = 2"),
        ("test_b", "def hidden_tests():\n    check(y_b)\nhidden_tests()"),
    )
    assert nb.reads(nb.cells, "test_b") == {0, nb.position["b"]}
    assert nb.may_share_a_run(wrong("a", "test_a", "y_a = 0"), wrong("b", "test_b", "y_b = 0"))
