"""The judge (course/judge): hidden tests run outside the student's kernel and decide from data only."""

from __future__ import annotations

import base64
import pickle

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course.judge import wire
from course.nbgrader_ext import SafeExecute


def _test_cell(source: str, grade_id: str, points: float = 2):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id,
                                 "points": points}  # fmt: skip
    return cell


STUDENT = """
import torch
def double(x):
    return 2 * x
class Shift(torch.nn.Module):
    def forward(self, x):
        return x + 1
model = Shift()
ones = torch.ones(3)
class Num:
    def __init__(self, value):
        self.value = value
    def __add__(self, other):
        return Num(self.value + (other.value if isinstance(other, Num) else other))
    __radd__ = __add__
    def __mul__(self, other):
        return Num(self.value * (other.value if isinstance(other, Num) else other))
    def __lt__(self, other):
        return self.value < other.value
def square(x):
    return (x ** 2).sum()
def loss_fn(z, y):
    return (z - y).abs().mean()
def train(X, y, epochs=3):
    w = torch.zeros(2, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    for _ in range(epochs):
        opt.zero_grad()
        loss_fn(X @ w, y).backward()
        opt.step()
    return w
def minimise(f, p, lr, epochs):
    opt = torch.optim.SGD([p], lr=lr)
    for _ in range(epochs):
        opt.zero_grad()
        f(p).backward()
        opt.step()
    return p
def schedule(make, epochs):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    sched, lrs = make(opt), []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs
def one_epoch(model, loader, opt):
    return 0.0
def fit(model, loader, opt, epochs):
    return [one_epoch(model, loader, opt) for _ in range(epochs)]
def step(net, opt):
    opt.zero_grad()
    net(torch.ones(1, 2)).sum().backward()
    opt.step()
    net.eval()
def has_cuda():
    return torch.cuda.is_available()
def run_twice(f):
    f()
    f()
def to_meta(x):
    return x.to("meta"), x.device
def build(make, seed):
    torch.manual_seed(seed)
    return make(3, 2)
kept = []
def keep(net):
    kept.append(net)
def train_kept():
    with torch.no_grad():
        kept[-1].weight.add_(1.0)
def fill(xs):
    xs.append(3)
class Box:
    def __init__(self):
        self.part = [1.5]
box = Box()
def evaluate(net, x):
    net.eval()
    with torch.no_grad():
        return net(x)
def move(batch, device):
    return [b.to(device) for b in batch]
class Keeper:
    def step(self, net):
        self.state = net.state_dict()  # no copy: later changes to the model reach it
gen = (n for n in range(3))
def save_ones(path):
    torch.save(torch.ones(2), path)
"""

MECHANISMS = """### BEGIN HIDDEN TESTS
from course.checks import Moved, Probe, make_in_kernel
check_true(box is box and box.part is not None, "handles", "one stand-in per object of the kernel")
saved = torch.cuda.is_available
torch.cuda.is_available = lambda: True  # assigned in the kernel too, where has_cuda() reads it
try:
    check_true(has_cuda() is True, "patched", "torch.cuda.is_available was not replaced in the kernel")
finally:
    torch.cuda.is_available = saved
check_true(has_cuda() is saved(), "restored", "torch.cuda.is_available was not put back")
meta, device = to_meta(torch.ones(2, 3))
check_true(meta.device.type == "meta" and meta.shape == (2, 3) and type(device) is torch.device, "meta", "data")
torch.manual_seed(11)
reference = torch.nn.Linear(3, 2)
built = build(lambda i, o: torch.nn.Linear(i, o), 11)  # a callback, run with the kernel's random state
check_close(built.weight.detach(), reference.weight.detach(), "built with the kernel's seed", atol=0)
net = torch.nn.Linear(2, 1)
before = net.weight.detach().clone()
keep(net)
train_kept()  # the kernel's copy changes in a later call: the judge's follows
check_close(net.weight.detach(), before + 1.0, "the linked module", atol=1e-6)
xs = make_in_kernel("builtins.list")
fill(xs)
check_true(list(xs) == [3], "make_in_kernel", f"the kernel's list holds {list(xs)}")
log = []
probed = torch.nn.Sequential(torch.nn.Linear(2, 2), Probe(lambda t, g, log=log: log.append((t, g)), True))
probed.train()
x = torch.randn(4, 2)
out = evaluate(probed, x)
check_true(log == [(False, False)], "Probe", f"reported {log}")
check_close(out, probed[0](x), "evaluated in eval mode", atol=1e-6)
moves = []
moved = move([Moved(torch.ones(1), lambda d, moves=moves: moves.append(d))], "cpu")
check_true(moves == ["cpu"] and torch.equal(moved[0], torch.ones(1)), "Moved", f"moves {moves}")
import copy
twin = copy.deepcopy(box)  # made in the kernel
check_true(twin is not box and twin.part == [1.5] and type(twin) is Box, "deepcopy", "a copy of the kernel's object")
check_true(type(model) is Shift and type(torch.nn.Linear(1, 1)) is torch.nn.Linear, "type", "as in the kernel")
check_true(next(gen) == 0 and next(gen) == 1 and globals().get("box") is box, "next, get", "as in the kernel")
keeper, lin = Keeper(), torch.nn.Linear(2, 2)
keeper.step(lin)
with torch.no_grad():
    lin.weight.fill_(7.0)  # the judge's change reaches the kernel's copy before the next call
keeper.step(lin)
check_close(keeper.state["weight"], torch.full((2, 2), 7.0), "the linked module, changed by the judge", atol=0)
import os
import tempfile
from pathlib import Path
from course.checks import kernel_call
folder = Path(tempfile.mkdtemp())  # the kernel's: files are the student's
save_ones(folder / "ones.pt")
check_true((folder / "ones.pt").is_file(), "files", "the kernel's file is not seen through the kernel's pathlib")
check_true(not os.path.exists(str(folder / "elsewhere")), "files", "os is the kernel's")
loaded = kernel_call("torch.load", folder / "ones.pt", weights_only=True)
check_close(loaded, torch.ones(2), "kernel_call('torch.load', ...)", atol=0)
### END HIDDEN TESTS"""


CALLBACKS = """### BEGIN HIDDEN TESTS
import functools
from torch.optim.lr_scheduler import LambdaLR
def _reference_loss(z, y):
    return ((z - y) ** 2).mean()
X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
y = torch.tensor([1.0, 2.0, 3.0])
students_loss = loss_fn
loss_fn = _reference_loss  # the student's train() now calls the judge's loss (a callback, with autograd)
try:
    w = train(X, y, epochs=4)
finally:
    loss_fn = students_loss
w_ref = torch.zeros(2, requires_grad=True)
opt = torch.optim.SGD([w_ref], lr=0.1)
for _ in range(4):
    opt.zero_grad()
    _reference_loss(X @ w_ref, y).backward()
    opt.step()
check_close(w.detach(), w_ref.detach(), "train with the reference loss", atol=1e-6)
check_number(loss_fn(torch.ones(1), torch.zeros(1)), "the student's loss is back", expected=1.0)
lrs = schedule(functools.partial(LambdaLR, lr_lambda=lambda e: 0.5 ** e), 3)
check_close(torch.tensor(lrs), [1.0, 0.5, 0.25], "lrs")
def _quad(x):
    return ((x - 3) ** 2).sum()
p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
minimise(_quad, p, 0.25, 2)
check_close(p.detach(), [2.25, 2.25], "p after two steps", atol=1e-12)
# a reference epoch that trains the student's model in the kernel: autograd runs across both processes
import copy
from torch.utils.data import DataLoader, TensorDataset
def _epoch(model, loader, opt):
    total = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item()
    return total / len(loader)
torch.manual_seed(0)
net = torch.nn.Linear(2, 1)
ref = copy.deepcopy(net)
loader = DataLoader(TensorDataset(torch.randn(8, 2), torch.randn(8, 1)), batch_size=4)
students_epoch = one_epoch
one_epoch = _epoch
try:
    losses = fit(net, loader, torch.optim.SGD(net.parameters(), lr=0.1), 2)
finally:
    one_epoch = students_epoch
ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1)
check_close(torch.tensor(losses), [_epoch(ref, loader, ref_opt) for _ in range(2)], "losses", atol=1e-6)
check_close(net.weight.detach(), ref.weight.detach(), "the trained weights", atol=1e-6)
### END HIDDEN TESTS"""


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """One notebook run by nbgrader's executor with the judge on: a student's cells and five test cells."""
    nb = new_notebook(
        cells=[
            new_code_cell(STUDENT),
            _test_cell(
                "check_close(double(torch.ones(2)), [2.0, 2.0], 'double')\n"
                "print(isinstance(model, torch.nn.Module), model(torch.zeros(2)).tolist())\n"
                "### BEGIN HIDDEN TESTS\nprint('hidden ran', ones.sum().item())\n### END HIDDEN TESTS",
                "right",
            ),
            _test_cell(
                "### BEGIN HIDDEN TESTS\ncheck_close(double(torch.ones(2)), [3.0, 3.0], 'double')\n"
                "### END HIDDEN TESTS",
                "wrong",
            ),  # fmt: skip
            _test_cell(
                "from course.checks import in_kernel\nwith in_kernel():\n    check_true(False, 'how', 'method')\n"
                "check_true(True, 'what', 'value')",
                "method",
            ),
            _test_cell(
                "a = Num(2.0)\nb = 1 + a * 3\ncheck_true(isinstance(b, Num), 'b', 'not a Num')\n"
                "check_number(b.value, 'b', expected=7.0)\ncheck_true(a < b and not b < a, 'a < b', 'compares')",
                "operators",
            ),
            _test_cell(
                "net = torch.nn.Linear(2, 1)\nopt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
                "before = net.weight.detach().clone()\nstep(net, opt)\n"
                "check_true(not torch.equal(before, net.weight.detach()) and not net.training, 'step', 'no change')\n"
                "### BEGIN HIDDEN TESTS\nclass Secret(torch.nn.Linear):\n    pass\n"
                "try:\n    step(Secret(2, 1), None)\nexcept TypeError as error:\n    print('refused:', error)\n"
                "### END HIDDEN TESTS",
                "library_objects",
            ),
            _test_cell(
                "x = torch.tensor([1.0, -2.0], requires_grad=True)\nsquare(x).backward()\n"
                "check_close(x.grad, [2.0, -4.0], 'x.grad')",
                "autograd",
            ),
            _test_cell(CALLBACKS, "callbacks"),
            _test_cell(
                "calls = []\nrun_twice(lambda: calls.append(1))  # reads the test's own list: runs in the judge\n"
                "check_true(len(calls) == 2, 'run_twice', f'called {len(calls)} times')\n" + MECHANISMS,
                "mechanisms",
            ),
            _test_cell(  # the request cell is open (a call before) when the judge fails to send the next one
                "check_close(double(torch.ones(2)), [2.0, 2.0], 'double')\n"
                "double(torch.zeros(2, dtype=torch.float8_e4m3fn))",
                "unsendable",
            ),
            _test_cell(  # an expanded scalar (stride 0) crosses; the kernel was freed for this cell at once
                "check_close(double(torch.tensor(3.0).expand(1)), [6.0], 'double')",
                "after_unsendable",
            ),
            new_code_cell(  # the student's kernel stops answering the judge
                "import course.judge.kernel_side as k\nk.serve = lambda message: print('forged')"
            ),
            _test_cell("check_close(double(torch.ones(2)), [2.0, 2.0], 'double')", "silenced"),
        ]
    )
    folder = tmp_path_factory.mktemp("judge")
    executed, _ = SafeExecute(judge=True, timeout=60).preprocess(nb, {"metadata": {"path": str(folder)}})
    return {c.metadata["nbgrader"]["grade_id"]: c.outputs for c in executed.cells if "nbgrader" in c.metadata}


def test_right_answer_passes_and_objects_stay_in_the_kernel(judged):
    (out,) = judged["right"]
    assert out.output_type == "stream"
    assert "True [1.0, 1.0]" in out.text and "hidden ran 3.0" in out.text


def test_wrong_answer_fails_with_the_checks_message(judged):
    (out,) = judged["wrong"]
    assert out.output_type == "error" and out.ename == "CheckFailed" and "double" in out.evalue
    assert out.traceback == [f"CheckFailed: {out.evalue}"]  # no line of the test's code


def test_in_kernel_checks_cost_a_share_of_the_points(judged):
    stream, result = judged["method"]
    assert "method" in stream.text
    assert result.output_type == "execute_result" and result.data["text/plain"] == "1.5"  # 2 points, 25 % lost


def test_operators_and_classes_of_the_student(judged):
    assert judged["operators"] == [], judged["operators"]


def test_library_objects_travel_and_come_back_trained(judged):
    (out,) = judged["library_objects"]
    assert out.output_type == "stream" and "refused: the judge can only send data" in out.text, out


def test_gradients_flow_through_the_students_function(judged):
    assert judged["autograd"] == [], judged["autograd"]


def test_functions_of_the_test_run_in_the_judge_when_the_students_code_calls_them(judged):
    assert judged["callbacks"] == [], judged["callbacks"]


def test_what_the_labs_tests_need_crosses_too(judged):
    """Identity of the kernel's objects, library attributes patched there, meta tensors and devices, callbacks run
    with the kernel's random state, modules that stay linked, objects built in the kernel, and the probes."""
    assert judged["mechanisms"] == [], judged["mechanisms"]


def test_a_message_the_judge_cannot_send_fails_its_test_and_frees_the_kernel(judged):
    """A value the wire does not carry fails the test that sends it, and the kernel, which waits for the judge's
    next word in its open request cell, is told so at once instead of waiting until the cell's time limit."""
    (out,) = judged["unsendable"]
    assert out.output_type == "error" and "float8_e4m3fn cannot be sent" in out.evalue, out
    assert judged["after_unsendable"] == [], judged["after_unsendable"]


def test_a_kernel_that_stops_answering_fails_the_test(judged):
    (out,) = judged["silenced"]
    assert out.output_type == "error" and "did not answer" in out.evalue


class _Boom:
    def __reduce__(self):
        return (print, ("code ran while reading a message",))


def test_a_forged_message_cannot_run_code(capsys):
    payload = base64.b64encode(pickle.dumps({"value": _Boom()})).decode()
    with pytest.raises(ValueError):
        wire.loads(payload)
    with pytest.raises(ValueError):
        wire.unpack(pickle.dumps({"value": _Boom()}))
    assert "code ran" not in capsys.readouterr().out


def test_a_forged_frame_is_only_a_bad_message():
    """The line's frames (``wire.pack``): a head whose parts do not add up to the frame, or that names a part the
    frame lacks, or a tensor whose part is not its size, is refused; nothing outside the frame is ever read."""
    import json

    import torch

    def frame(tree, parts: list[bytes]) -> bytes:
        head = json.dumps({"tree": tree, "parts": [len(p) for p in parts]}).encode()
        return len(head).to_bytes(wire.HEAD, "big") + head + b"".join(parts)

    good = wire.pack({"a": torch.arange(4)})
    forged = [
        good[:-1],
        good + b"x",
        b"",
        (1 << 40).to_bytes(wire.HEAD, "big") + b"{}",
        frame({"~raw": "int64", "shape": [4], "data": 1}, [bytes(32)]),
        frame({"~raw": "int64", "shape": [5], "data": 0}, [bytes(32)]),
        frame({"~raw": "int64", "shape": [4], "data": -1}, [bytes(32)]),
        frame({"~bytes": "0"}, [bytes(3)]),
    ]
    for bad in forged:
        with pytest.raises(ValueError):
            wire.unpack(bad)
    assert torch.equal(
        wire.unpack(frame({"~raw": "int64", "shape": [4], "data": 0}, [bytes(32)])), torch.zeros(4).long()
    )


def test_data_round_trips():
    import numpy as np
    import torch

    t = torch.arange(4.0).requires_grad_(True)
    t.grad = torch.ones(4)
    value = {"t": t, "n": np.arange(3), "xs": [1, 2.5, "a", None, (True,)], 3: {1, 2}, "dtype": torch.float64}
    handles = []
    tree = wire.encode(value, lambda obj: handles.append(obj) or {"~h": len(handles)})
    for message in (wire.loads(wire.dumps(tree)), wire.unpack(wire.pack(tree))):  # the text and the frame
        back = wire.decode(message, lambda entry: entry)
        assert torch.equal(back["t"].detach(), t.detach()) and back["t"].requires_grad
        assert torch.equal(back["t"].grad, t.grad)
        assert (back["n"] == np.arange(3)).all() and back["xs"] == [1, 2.5, "a", None, (True,)]
        assert back[3] == {1, 2} and back["dtype"] is torch.float64
    x = (10 * torch.randn(3, 6)).to(torch.bfloat16)
    for views in ([x, x.t(), x[:, ::2], x[:0], x[0, 0].expand(1)], [x.to(torch.complex64)], [x > 0]):
        for back in (wire.loads(wire.dumps(views)), wire.unpack(wire.pack(views))):
            assert all(torch.equal(a, b) and a.dtype == b.dtype for a, b in zip(back, views, strict=True))
    assert wire.unpack(wire.pack({"b": b"raw"})) == wire.loads(wire.dumps({"b": b"raw"})) == {"b": b"raw"}
    stays = wire.encode({"f": print}, lambda obj: {"~h": 7, "types": wire.type_names(obj), "repr": ""})
    assert stays["f"]["~h"] == 7


def test_the_judge_keeps_only_the_newest_graphs_of_its_functions():
    """A value that a test's function computed with autograd for the student's code is kept for its backward pass;
    a loop that never calls backward() cannot fill the judge's memory with every step's graph."""
    import torch

    from course.judge.remote import KEPT_CALLBACK_GRAPHS, Kernel

    kernel = Kernel(lambda tree: None)
    kernel._callbacks[1] = lambda x: (2 * x).sum()
    arguments = kernel.send(([torch.ones(3, requires_grad=True)], {}))
    first = kernel.answer({"callback": 1, "arguments": arguments})["graph"]
    for _ in range(KEPT_CALLBACK_GRAPHS):
        last = kernel.answer({"callback": 1, "arguments": arguments})["graph"]
    grad = kernel.send(torch.tensor(1.0))
    grads = kernel.receive(kernel.answer({"backward": last, "grad": grad})["value"])
    assert torch.equal(grads[0], torch.full((3,), 2.0))
    assert "no longer kept" in kernel.answer({"backward": first, "grad": grad})["raise"]["message"]
    assert len(kernel._graphs) == KEPT_CALLBACK_GRAPHS


def test_the_judges_socket_is_made_only_in_a_folder_of_the_graders(tmp_path, monkeypatch):
    """The kernel's runtime folder is the sandbox's to write: a student may swap the judge's new folder for a link,
    or for a folder of their own, before the judge makes its socket there.  The judge then gives up on this student
    (a lost kernel) and changes nothing outside its own folder."""
    import os
    import stat
    import tempfile

    from course.judge import channel
    from course.judge.remote import KernelError

    runtime = tmp_path / "k"
    runtime.mkdir()
    canary = tmp_path / "outside"
    canary.mkdir()
    (canary / "line").write_text("not the judge's")
    os.chmod(canary / "line", 0o600)
    connection = {"transport": "ipc", "ip": str(runtime / "kernel-ipc"), "shell_port": 1, "key": ""}

    def swapped_for_a_link(prefix, dir):
        os.symlink(canary, runtime / "judge-swapped")
        return str(runtime / "judge-swapped")

    def swapped_for_a_folder_of_the_students(prefix, dir):
        theirs = runtime / "judge-theirs"
        theirs.mkdir()
        os.chown(theirs, 65534, 65534)
        return str(theirs)

    swaps = [swapped_for_a_link] + ([swapped_for_a_folder_of_the_students] if os.geteuid() == 0 else [])
    for swap in swaps:
        monkeypatch.setattr(tempfile, "mkdtemp", swap)
        with pytest.raises((KernelError, OSError)):
            channel.Channel(connection, alive=lambda: True, answer=lambda order: {})
        assert stat.S_IMODE(os.stat(canary / "line").st_mode) == 0o600
        assert (canary / "line").read_text() == "not the judge's"


def test_grading_runs_a_notebook_up_to_its_last_graded_cell():
    """SafeExecute runs a notebook up to its last graded cell (a test, an answer, a task); the cells after it cannot
    change a grade (the hostile battery's endless experiment at the end shows they are not run)."""
    from course.nbgrader_ext import last_graded

    answer = new_code_cell("x = 1")
    answer.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": "x"}
    task = new_code_cell("")
    task.metadata["nbgrader"] = {"task": True, "grade": False, "solution": False, "grade_id": "task", "points": 1}
    lesson, experiment = new_code_cell("a = 1"), new_code_cell("while True:\n    pass")
    assert last_graded(new_notebook(cells=[lesson, answer, _test_cell("x", "t"), experiment])) == 2
    assert last_graded(new_notebook(cells=[lesson, answer, experiment])) == 1
    assert last_graded(new_notebook(cells=[lesson, task, experiment])) == 1
    assert last_graded(new_notebook(cells=[lesson, experiment])) is None  # nothing graded: run whole
