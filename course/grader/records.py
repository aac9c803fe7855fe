"""The records that cross between the grading stages (and, for ``Task`` and ``Outcome``, between processes)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What happened to one notebook of one student."""

    OK = "ok"  # graded
    MISSING = "missing"  # not handed in
    IGNORED = "ignored"  # a file that is not one of the lab's notebooks, or a second copy of one
    CORRUPT = "corrupt"  # not a readable notebook
    ERROR = "error"  # graded as far as it could be: the kernel died, a time limit, the grader failed
    TAMPERED = "tampered"  # the integrity scan found tampering with the tests: autograded tests score 0


class Status(str):
    """A row's status, as grades.csv writes it (``"error: the kernel died ..."``), with its ``kind``."""

    kind: Kind
    detail: str

    def __new__(cls, kind: Kind, detail: str = "") -> Status:
        status = super().__new__(cls, f"{kind.value}: {detail}" if detail else kind.value)
        status.kind, status.detail = kind, detail
        return status

    def __getnewargs__(self) -> tuple:  # copies and pickles rebuild it from its parts
        return (self.kind, self.detail)

    @classmethod
    def parse(cls, text: str) -> Status:
        """The status a grades.csv or scores.json line holds."""
        head, _, detail = str(text).partition(": ")
        try:
            return cls(Kind(head), detail)
        except ValueError:
            return cls(Kind.ERROR, str(text))


OK = Status(Kind.OK)


class Problem(StrEnum):
    """A finding of the grading policy about one notebook (``policy.py``)."""

    KERNEL_DIED = "kernel died"
    TIME_LIMIT = "time limit"
    CUT_SHORT = "tests cut short"  # a test cell that scored without printing its run marker
    TAMPERED = "tampered"


@dataclass
class Finding:
    problem: Problem
    text: str

    @classmethod
    def from_dict(cls, d: dict) -> Finding:
        return cls(Problem(d["problem"]), str(d["text"]))


@dataclass
class Settings:
    """How one student's notebooks are run; written into the scratch root's nbgrader_config.py."""

    judge: bool = False  # hidden tests in the judge (course/judge), not in the student's kernel
    notebook_timeout: int = 0  # seconds per notebook (0: only nbgrader's per-cell limit)
    sandbox: bool = False  # run the kernel in bubblewrap (course/sandbox.py)
    sandbox_uid: int | None = None  # as this uid (when the grader is root)
    workdir: str = ""  # the scratch root: the only place the sandbox's uid gets anything
    kernel_folder: str = ""  # where the kernels run, inside workdir ("": the notebook's folder, as nbgrader does)
    warm: bool = False  # fork the kernels from a warm parent (course/warm_kernels.py)
    warm_modules: tuple[str, ...] = ()  # what that parent imports (warm_kernels.modules_for the lab)
    warm_parent: str = ""  # the socket of the grading slot's parent (slots.py); "": one parent for this student
    profile: str = ""  # a file that gets each cell's seconds (scripts/benchmark.py); "": none

    def config(self) -> str:
        return (
            "\n# set by course grade for this student (course/grader/records.py: Settings)\n"
            f"c.SafeExecute.judge = {self.judge!r}\n"
            f"c.SafeExecute.notebook_timeout = {int(self.notebook_timeout)!r}\n"
            f"c.SafeExecute.kernel_folder = {self.kernel_folder!r}\n"
            f"c.SandboxKernelManager.sandbox = {self.sandbox!r}\n"
            f"c.SandboxKernelManager.uid = {-1 if self.sandbox_uid is None else int(self.sandbox_uid)!r}\n"
            f"c.SandboxKernelManager.workdir = {self.workdir!r}\n"
            f"c.SandboxKernelManager.warm = {self.warm!r}\n"
            f"c.SandboxKernelManager.warm_modules = {list(self.warm_modules)!r}\n"
            f"c.SandboxKernelManager.warm_parent = {self.warm_parent!r}\n"
            f"c.SafeExecute.profile = {self.profile!r}\n"
        )


@dataclass
class Task:
    """One student's notebooks and everything a worker needs to grade them (picklable: it may go to Dask)."""

    course_root: str
    lab: str
    student: str
    notebooks: dict[str, str]  # notebook name -> its text, repaired by the intake
    gradebook: bytes  # the lab's empty gradebook
    nonce: str  # the run marker's secret
    tampering: dict[str, list[str]]  # notebook name -> what the integrity scan found
    timeout: float  # seconds for the whole student
    settings: Settings = field(default_factory=Settings)
    env: dict[str, str] = field(default_factory=dict)  # threads, visible GPUs: the worker's environment
    tmp: str | None = None  # where the scratch root goes (short paths: unix sockets live there)
    feedback: bool = True


@dataclass
class NotebookScore:
    score: float
    max_score: float
    needs_manual_grade: bool
    cells: dict[str, dict]  # grade id -> score, max_score, auto_score, needs_manual_grade


@dataclass
class Outcome:
    """What grading one student produced."""

    student: str
    scores: dict[str, NotebookScore] = field(default_factory=dict)  # notebook name -> its scores
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # notebook name -> the policy's findings
    error: str = ""  # why the worker failed, if it did ("" when autograde succeeded)
    files: dict[str, bytes] = field(default_factory=dict)  # output path -> bytes (autograded/, feedback/)
    log: str = ""
    seconds: float = 0.0


@dataclass
class Row:
    """One line of grades.csv: a student's notebook."""

    student: str
    notebook: str
    score: float = 0.0
    max_score: float = 0.0
    status: Status = OK
    needs_manual_grade: bool = False
    notes: list[str] = field(default_factory=list)
    cells: dict = field(default_factory=dict)
    integrity: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.status, Status):
            self.status = Status.parse(self.status)

    def csv(self) -> dict:
        d = asdict(self)
        d.pop("cells")
        d.pop("notes")
        d["status"] = str(self.status)
        d["integrity"] = self.integrity or "; ".join(self.notes)
        d["score"] = f"{self.score:g}"
        d["max_score"] = f"{self.max_score:g}"
        d["needs_manual_grade"] = "yes" if self.needs_manual_grade else "no"
        return d
