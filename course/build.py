"""``course build``: source/ -> release/ (nbgrader + Colab badge and set-up cell), solutions/ and lab pages.

Everything written here is generated: instructors edit source/ (and course.toml), then run ``course build``.
``course build --check`` regenerates into a temporary folder and names every committed file that has drifted.
"""

from __future__ import annotations

import filecmp
import fnmatch
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from . import nbg, nbtools
from .config import Course, Lab

GENERATED = "course-generated"  # cell metadata key marking the cells build adds


# Release notebooks ---------------------------------------------------------------------------------------------
def badge_markdown(course: Course, rel_path: str) -> str:
    """The Open-in-Colab badge of a release notebook: it opens the student edition ([public] at the term's tag)."""
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({course.colab_url(rel_path)})"


def setup_source(course: Course) -> str:
    """The set-up cell: in Colab, pip-install the course package (the student edition, pinned to the term's tag)
    with readable output when it fails; everywhere, a hint on what to do when ``import course`` fails."""
    packages = [*course.colab_packages, course.pip_spec()]
    args = ", ".join(repr(p) for p in packages)
    shell = " ".join(f"'{p}'" if " " in p else p for p in packages)
    return (
        "# Set-up: run this cell first. In Google Colab it installs the course's helper package (pinned to this\n"
        f"# term's release, {course.public_ref}) and what Colab lacks. Elsewhere it installs nothing: it only checks\n"
        "# that the `course` package can be imported (in a clone of the student repository: pip install -e '.[lab]').\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        f"    _pkgs = [{args}]\n"
        '    _pip = subprocess.run([sys.executable, "-m", "pip", "install", *_pkgs], capture_output=True, text=True)\n'
        "    if _pip.returncode:\n"
        '        print(_pip.stdout[-3000:], _pip.stderr[-3000:], sep="\\n")\n'
        "        raise RuntimeError(\n"
        '            "pip could not install the course package (its messages are above). Check the internet "\n'
        '            "connection, then Runtime > Disconnect and delete runtime, and run this cell again."\n'
        "        )\n"
        '    print(_pip.stdout.strip().splitlines()[-1] if _pip.stdout.strip() else "installed")\n'
        "try:\n"
        "    import course\n"
        "except ImportError:\n"
        "    raise ImportError(\n"
        '        "The course package is not installed in the Python environment of this notebook.\\n"\n'
        '        "- Kaggle: switch Internet on (Settings), then run in a cell:\\n"\n'
        f'        "    %pip install {shell}\\n"\n'
        '        "- JupyterHub, VS Code or your own machine: run the same pip install in a terminal that uses the "\n'
        "        \"kernel's Python, or, in a clone of the student repository: pip install -e '.[lab]'\\n\"\n"
        '        "Then restart the kernel and run this cell again."\n'
        "    ) from None"
    )


def add_colab_cells(nb, course: Course, rel_path: str, gpu: bool = False) -> None:
    """Insert the badge and the guarded set-up cell at the top (idempotent: old generated cells are replaced).

    nbgrader runs this too (``course.colab.ColabCells``, registered in nbgrader_config.py), so a plain
    ``nbgrader generate_assignment`` writes the same release as ``course build``."""
    nb.cells = [c for c in nb.cells if GENERATED not in c.get("metadata", {})]
    badge = nbformat.v4.new_markdown_cell(badge_markdown(course, rel_path))
    badge.id = "colab-badge"
    badge.metadata[GENERATED] = "badge"
    setup = nbformat.v4.new_code_cell(setup_source(course))
    setup.id = "colab-setup"
    setup.metadata[GENERATED] = "setup"
    nb.cells[0:0] = [badge, setup]
    if gpu:
        nb.metadata["accelerator"] = "GPU"
        nb.metadata.setdefault("colab", {})["gpuType"] = "T4"
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}


class _Digest:
    """A hash of labelled inputs (the stamps of releases and solutions): each label and the hash of its bytes."""

    def __init__(self) -> None:
        import hashlib

        self._sha256 = hashlib.sha256
        self._digest = hashlib.sha256()

    def feed(self, label: str, payload: bytes) -> None:
        self._digest.update(label.encode() + b"\0" + self._sha256(payload).digest())

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


RELEASE_STAMP = "course-release"  # metadata of a release notebook: {"inputs": sha256 of what nbgrader read}
RELEASE_MODULES = ("build.py", "colab.py", "config.py", "nbg.py")  # the course package's part in writing a release
# files of a lab folder that never reach its release (nbgrader_config.py: CourseDirectory.ignore, less lab.toml, which
# says which notebooks want a GPU): a stray one must not make another machine's build differ
NOT_RELEASED = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store")


def release_inputs(course: Course, lab: Lab) -> str:
    """A hash of everything ``nbgrader generate_assignment`` and the Colab cells read to write a lab's release: the
    lab folder, the nbgrader config, course.toml, the modules that write it and nbgrader's version."""
    from importlib.metadata import version

    digest = _Digest()
    feed = digest.feed
    for path in sorted(lab.source.rglob("*")):
        rel = path.relative_to(lab.source)
        if path.is_file() and not any(fnmatch.fnmatch(part, p) for part in rel.parts for p in NOT_RELEASED):
            feed(f"lab:{rel.as_posix()}", path.read_bytes())
    for name in ("nbgrader_config.py", "course.toml"):
        feed(name, (course.root / name).read_bytes())
    package = Path(__file__).resolve().parent
    for name in RELEASE_MODULES:
        feed(f"course:{name}", (package / name).read_bytes())
    feed("nbgrader", version("nbgrader").encode())
    return digest.hexdigest()


def stamp_release(nb, inputs: str) -> None:
    """Record in a release notebook the inputs it was generated from (``course build`` keeps it while they hold)."""
    nb.metadata[RELEASE_STAMP] = {"inputs": inputs}


def _current_release(target: Path, lab: Lab, inputs: str) -> list[Path] | None:
    """The committed release's files when it was generated from exactly these inputs, else None."""
    if not target.is_dir():
        return None
    notebooks = sorted(target.glob("*.ipynb"))
    if [p.name for p in notebooks] != sorted(p.name for p in lab.notebooks):
        return None
    if any(nbtools.read(p).metadata.get(RELEASE_STAMP, {}).get("inputs") != inputs for p in notebooks):
        return None
    return sorted(p for p in target.rglob("*") if p.is_file())


def build_release(course: Course, lab: Lab, out: Path, workdir: Path) -> list[Path]:
    """Write release/<lab>/ with nbgrader, or keep the committed one when its recorded inputs are today's."""
    target = out / "release" / lab.id
    inputs = release_inputs(course, lab)
    kept = _current_release(target, lab, inputs)
    if kept is not None:
        print(f"{lab.id}: release unchanged since it was generated, kept", flush=True)
        return kept
    print(f"{lab.id}: generating the release with nbgrader", flush=True)
    root = nbg.make_root(course, lab, workdir / "root")
    release = nbg.generate(root, lab.id)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written = []
    for path in sorted(release.rglob("*")):
        rel = path.relative_to(release)
        dest = target / rel
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif path.suffix == ".ipynb":
            nb = nbtools.read(path)
            add_colab_cells(nb, course, f"release/{lab.id}/{rel.as_posix()}", gpu=lab.wants_gpu(rel.name))
            stamp_release(nb, inputs)
            nbtools.write(nb, dest)
            written.append(dest)
        else:
            shutil.copy2(path, dest)
            written.append(dest)
    return written


# Solutions -------------------------------------------------------------------------------------------------------
def solution_notebook(path: Path, course: Course, rel_path: str):
    """The source notebook with hidden tests and solution markers removed (not yet executed)."""
    nb = nbtools.read(path)
    nbtools.clear_outputs(nb)
    nbtools.remove_hidden_tests(nb)
    for cell in nb.cells:
        meta = nbtools.nbgrader_meta(cell)
        if meta.get("solution"):
            cell.source = nbtools.strip_solution_markers(cell.source).rstrip()
        cell.metadata.pop("nbgrader", None)
    note = nbformat.v4.new_markdown_cell(
        f"> **Solution notebook**, generated by `course build` from `{rel_path}` and executed. "
        "Do not edit: change the source notebook and rebuild."
    )
    note.id = "solution-note"
    note.metadata[GENERATED] = "solution-note"
    nb.cells.insert(0, note)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return nb


def execute(nb, cwd: Path, timeout: int = 1800) -> None:
    from nbclient import NotebookClient

    os.environ["PATH"] = nbg.nbgrader_env()["PATH"]
    os.environ["COURSE_PROGRESS"] = "off"  # no progress widgets in the stored outputs of solution notebooks
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    _coalesce_streams(nb)


def _coalesce_streams(nb) -> None:
    """Merge consecutive stdout (stderr) outputs of a cell: how the kernel chunks a stream depends on timing, and the
    committed solutions must not change from one build to the next because of it."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            if merged and out.get("output_type") == "stream" and merged[-1].get("output_type") == "stream":
                if merged[-1].get("name") == out.get("name"):
                    merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(out["text"])
                    continue
            merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged


def _strip_widgets(nb) -> None:
    """Drop Jupyter widget outputs (a stored Torchbearer/tqdm bar renders as "0%" outside Jupyter) and widget state."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.outputs:
            data = out.get("data", {})
            if WIDGET_MIME in data:
                rest = {k: v for k, v in data.items() if k != WIDGET_MIME and k != "text/plain"}
                if not rest:
                    continue
                out["data"] = {k: v for k, v in data.items() if k != WIDGET_MIME}
            kept.append(out)
        cell.outputs = kept
    nb.metadata.pop("widgets", None)


def build_solutions(course: Course, lab: Lab, out: Path, workdir: Path, run: bool) -> list[Path]:
    """Write solutions/<lab>/: each source notebook without hidden tests, executed in full mode.

    A notebook is executed again only when its inputs changed (``solution_inputs``): the committed solution records
    their hash and the seconds its run took; an unchanged one is kept as it is, outputs included.
    """
    target = out / "solutions" / lab.id
    committed = course.root / "solutions" / lab.id
    previous = {p.name: nbtools.read(p) for p in committed.glob("*.ipynb")} if committed.is_dir() else {}
    if target.exists():
        shutil.rmtree(target)
    written = []
    scratch = workdir / "solutions"
    shutil.copytree(lab.source, scratch, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for path in lab.notebooks:
        nb = solution_notebook(path, course, f"source/{lab.id}/{path.name}")
        inputs = solution_inputs(course, lab, path)
        old = previous.get(path.name)
        old_stamp = old.metadata.get(STAMP, {}) if old is not None else {}
        executed = old is not None and any(c.get("outputs") for c in old.cells if c.cell_type == "code")
        if executed and old_stamp.get("inputs") == inputs and nbtools.sources_equal(old, nb):
            nb = old  # unchanged inputs: keep the executed notebook as committed
            if run:
                print(f"  {path.name}: unchanged since its last run, not executed again", flush=True)
        elif run:
            started, load = time.monotonic(), _load_per_core()
            print(f"  executing {path.name} ...", flush=True)
            execute(nb, scratch)
            _strip_widgets(nb)
            seconds, load = time.monotonic() - started, max(load, _load_per_core())
            nb.metadata[STAMP] = {"inputs": inputs, "seconds": round(seconds), "load_per_core": round(load, 1)}
            print(f"  executed {path.name} in {seconds:.1f} s (load {load:.1f} per core)", flush=True)
        elif old_stamp:
            nb.metadata[STAMP] = {**old_stamp, "inputs": inputs}
        dest = target / path.name
        nbtools.write(nb, dest)
        written.append(dest)
    return written


STAMP = "course-solution"  # metadata of an executed solution: {"inputs": sha256, "seconds": int, "load_per_core": x}
QUIET = 1.5  # a run time measured while the load average per core was above this is not shown as the notebook's


def _load_per_core() -> float:
    try:
        return os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:  # pragma: no cover - no load average on this platform
        return 0.0


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# What a solution's outputs depend on besides its own notebook: the course package's student-side modules and the
# pinned stack.  (The data a notebook reads is covered by the data cache's manifest.)
RUNTIME_MODULES = ("__init__.py", "runtime.py", "data.py", "checks.py", "corrupt_mnist.py")


def solution_inputs(course: Course, lab: Lab, path: Path) -> str:
    """A hash of everything a solution notebook's executed outputs depend on: the source notebook without its hidden
    tests (a solution never runs them: editing one re-executes nothing), the other files of its lab folder (images,
    scripts), the course package's student-side modules, the pinned requirements, the data cache's manifest (file
    names and sizes) and whether real pretrained weights are present."""
    from . import data

    digest = _Digest()
    feed = digest.feed
    notebook = nbtools.read(path)
    nbtools.remove_hidden_tests(notebook)  # as solution_notebook does
    feed("notebook", nbformat.writes(notebook).encode())
    for extra in sorted(lab.source.rglob("*")):
        skip = extra.suffix == ".ipynb" or extra.name == "lab.toml" or "__pycache__" in extra.parts
        if extra.is_file() and not skip:
            feed(f"lab:{extra.relative_to(lab.source).as_posix()}", extra.read_bytes())
    package = Path(__file__).resolve().parent
    for name in RUNTIME_MODULES:
        feed(f"course:{name}", (package / name).read_bytes())
    requirements = course.root / "requirements.txt"
    if requirements.exists():
        feed("requirements", "\n".join(_lab_pins(requirements.read_text())).encode())
    feed("data", _data_manifest(data.root()).encode())
    return digest.hexdigest()


# The pinned packages whose versions can change a notebook's outputs (grading, site and test tools cannot).
LAB_PACKAGES = {"torch", "torchvision", "torchbearer", "numpy", "scipy", "matplotlib", "scikit-learn", "pillow", "tqdm"}


def _lab_pins(requirements: str) -> list[str]:
    pins = []
    for line in requirements.splitlines():
        spec = line.split("#")[0].strip()
        name = re.split(r"[=<>!~\[; ]", spec, maxsplit=1)[0].lower()
        if name in LAB_PACKAGES:
            pins.append(spec)
    return sorted(pins)


def _data_manifest(cache: Path) -> str:
    """File names and sizes of the data cache and of torch's cached weights: a notebook's outputs change when the
    data it trains on changes (the offline subset or the full set) or when real pretrained weights appear."""
    torch_home = Path(os.environ.get("TORCH_HOME", Path.home() / ".cache" / "torch"))
    lines = []
    for label, folder in (("data", cache), ("weights", torch_home / "hub" / "checkpoints")):
        if folder.is_dir():
            for f in sorted(folder.rglob("*")):
                if f.is_file() and f.suffix not in (".lock", ".tmp"):
                    lines.append(f"{label}/{f.relative_to(folder).as_posix()} {f.stat().st_size}")
    return "\n".join(lines)


# Example submissions ---------------------------------------------------------------------------------------------
def build_examples(lab: Lab, out: Path) -> list[Path]:
    """A small class for demos and tests: a solved, a blank, a renamed, a corrupt and a foreign submission."""
    target = out / "examples" / "submissions" / lab.id
    if target.exists():
        shutil.rmtree(target)
    written = []
    release = out / "release" / lab.id
    for n, path in enumerate(lab.notebooks):
        blank = nbtools.read(release / path.name)
        solved = nbtools.fill(blank, nbtools.solution_sources(nbtools.read(path)))
        files = {f"alice/{path.name}": solved, f"bob/{path.name}": blank}
        if n == 0:
            files[f"carol/Copy of {path.name}"] = solved
        for rel, nb in files.items():
            nbtools.write(nb, target / rel)
            written.append(target / rel)
        if n == 0:
            corrupt = target / "dave" / path.name
            corrupt.parent.mkdir(parents=True, exist_ok=True)
            corrupt.write_text(nbformat.writes(solved)[:1000] + "\n", encoding="utf-8")  # cut off mid-file
            foreign = target / "erin_essay.txt"
            foreign.write_text("I wrote my answers in a text file instead of the notebook.\n", encoding="utf-8")
            written += [corrupt, foreign]
    return written


# Lab pages -------------------------------------------------------------------------------------------------------
def measured_runtime(course: Course, lab: Lab, notebook: str) -> str:
    """The full-mode run time recorded in the committed solution of ``notebook``, as "≈ N s" / "≈ N min"."""
    path = course.root / "solutions" / lab.id / notebook
    if not path.exists():
        return ""
    stamp = nbtools.read(path).metadata.get(STAMP, {})
    seconds, load = stamp.get("seconds"), stamp.get("load_per_core")
    if seconds is None or load is None or load > QUIET:
        return ""  # not measured, or measured on a busy machine: the figure would mislead
    if seconds < 90:
        return f"≈ {max(5, 5 * round(seconds / 5))} s"
    return f"≈ {round(seconds / 60)} min"


def lab_page(course: Course, lab: Lab) -> str:
    meta = lab.meta
    title = meta.get("title", lab.id)
    lines = [f"# {title}", ""]
    lines += ["<!-- Generated by `course build` from source/" + lab.id + "/lab.toml: do not edit. -->", ""]
    if meta.get("intro"):
        lines += ["## Introduction", "", meta["intro"].strip(), ""]
    if meta.get("learn"):
        lines += ["Through this lab you will learn how to:", ""]
        lines += [f"* {item}" for item in meta["learn"]]
        lines.append("")
    lines += ["## The notebooks", ""]
    lines += [
        "Work through the notebooks in order. Open one in Google Colab (then *File → Save a copy in Drive*, or your "
        "work is lost when the tab closes), preview it on GitHub, or download it to run locally. Hand in the "
        "notebook file itself (`.ipynb`); a renamed copy such as `Copy of …` is fine.",
        "",
        "| Notebook | Colab | Preview | Download | Runtime, measured (2-core CPU) | Notes |",
        "|---|---|---|---|---|---|",
    ]
    runtimes = meta.get("runtimes", {})
    for path in lab.notebooks:
        rel = f"release/{lab.id}/{path.name}"
        name = nbtools.first_heading(nbtools.read(path)) or path.stem
        lines.append(
            f"| {name} | {badge_markdown(course, rel)} | [preview]({course.preview_url(rel)}) | "
            f"[download]({course.download_url(rel)}) | {measured_runtime(course, lab, path.name)} | "
            f"{runtimes.get(path.name, '')} |"
        )
    lines += [
        "",
        "The measured runtime is that of the executed solution notebook on the course's build machine (2 CPU cores, "
        "the offline data sets), recorded by `course build` when the machine was otherwise quiet (blank: not "
        "measured yet); the notes give the expected time elsewhere.",
    ]
    lines.append("")
    lines += ["## Running time and hardware", "", meta.get("runtime", "Runs on a CPU.").strip(), ""]
    lines += ["## Prerequisites for running on your own machine", ""]
    lines += [
        "Clone the repository, then `pip install -r requirements.txt` (or `conda env create -f environment.yml`) "
        "and `jupyter lab`. The notebooks need:",
        "",
    ]
    lines += [f"- {item}" for item in meta.get("prerequisites", ["Python ≥ 3.10", "torch 2.14.1"])]
    lines.append("")
    if meta.get("credits"):
        lines += ["## Acknowledgements", "", meta["credits"].strip(), ""]
    return "\n".join(lines)


def labs_index(course: Course, labs: list[Lab]) -> str:
    lines = [f"# {course.title}", "", "<!-- Generated by `course build`: do not edit. -->", ""]
    lines += ["| Lab | Topic | Runtime |", "|---|---|---|"]
    for lab in labs:
        lines.append(
            f"| [{lab.id}]({lab.slug}/README.md) | {lab.meta.get('title', lab.id)} | "
            f"{lab.meta.get('runtime_short', '')} |"
        )
    return "\n".join(lines) + "\n"


def build_pages(course: Course, labs: list[Lab], all_labs: list[Lab], out: Path) -> list[Path]:
    written = []
    for lab in labs:
        page = out / "labs" / lab.slug / "README.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(lab_page(course, lab), encoding="utf-8")
        written.append(page)
    index = out / "labs" / "README.md"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(labs_index(course, all_labs), encoding="utf-8")
    written.append(index)
    return written


# Entry points ----------------------------------------------------------------------------------------------------
def build(course: Course, labs: list[Lab], out: Path | None = None, execute_solutions: bool = True) -> list[Path]:
    """Build ``labs`` into ``out`` (the repository by default).  Two labs at a time, one per core, unless a solution
    must be executed (its run's seconds are recorded): each lab's release is made by an nbgrader process of its own
    (``course build --check`` took 25 s instead of 50)."""
    from concurrent.futures import ThreadPoolExecutor

    out = out or course.root

    def one(lab: Lab) -> list[Path]:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"build-{lab.id}-") as tmp:
            written = build_release(course, lab, out, Path(tmp))
            written += build_solutions(course, lab, out, Path(tmp), run=execute_solutions)
        written += build_examples(lab, out)
        print(f"{lab.id}: built in {time.monotonic() - started:.1f} s", flush=True)
        return written

    executes = execute_solutions and bool(stale_solutions(course, labs))
    with ThreadPoolExecutor(max_workers=1 if executes else 2) as pool:
        written = [path for paths in pool.map(one, labs) for path in paths]
    written += build_pages(course, labs, course.labs(), out)
    return written


def check(course: Course, labs: list[Lab]) -> list[str]:
    """Regenerate into a temporary folder; return one message per committed file that differs or is missing."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="build-check-") as tmp:
        fresh = Path(tmp)
        build(course, labs, out=fresh, execute_solutions=False)
        for lab in labs:
            for kind in ("release", "solutions", "examples/submissions"):
                new_dir, old_dir = fresh / kind / lab.id, course.root / kind / lab.id
                new_files = {p.relative_to(new_dir) for p in new_dir.rglob("*") if p.is_file()}
                old_files = (
                    {p.relative_to(old_dir) for p in old_dir.rglob("*") if p.is_file()} if old_dir.exists() else set()
                )
                for rel in sorted(new_files - old_files):
                    problems.append(f"{kind}/{lab.id}/{rel}: missing (run `course build {lab.id}`)")
                for rel in sorted(old_files - new_files):
                    problems.append(f"{kind}/{lab.id}/{rel}: not generated from source/ any more (delete it)")
                for rel in sorted(new_files & old_files):
                    new, old = new_dir / rel, old_dir / rel
                    if kind == "solutions" and rel.suffix == ".ipynb":
                        same = nbtools.sources_only(new) == nbtools.sources_only(old)
                    else:
                        same = filecmp.cmp(new, old, shallow=False)
                    if not same:
                        problems.append(f"{kind}/{lab.id}/{rel}: differs from what source/ generates")
        for page in sorted((fresh / "labs").rglob("*.md")):
            rel = page.relative_to(fresh)
            old = course.root / rel
            if not old.exists():
                problems.append(f"{rel}: missing")
            elif old.read_text(encoding="utf-8") != page.read_text(encoding="utf-8"):
                problems.append(f"{rel}: differs from what source/ generates")
    return problems


def stale_solutions(course: Course, labs: list[Lab]) -> list[str]:
    """Committed solutions whose recorded inputs differ from today's (``course build LAB`` executes them again)."""
    stale = []
    for lab in labs:
        for path in lab.notebooks:
            solution = course.root / "solutions" / lab.id / path.name
            if not solution.exists():
                continue
            stamp = nbtools.read(solution).metadata.get(STAMP, {})
            if stamp.get("inputs") != solution_inputs(course, lab, path):
                stale.append(f"solutions/{lab.id}/{path.name}")
    return stale


def main(course: Course, names: list[str], check_only: bool, no_execute: bool) -> int:
    labs = course.labs(names)
    if not labs:
        print("no labs under source/", file=sys.stderr)
        return 1
    if check_only:
        problems = check(course, labs)
        if problems:
            print("Generated files have drifted from source/:", file=sys.stderr)
            for p in problems:
                print(f"  {p}", file=sys.stderr)
            return 1
        names = ", ".join(lab.id for lab in labs)
        print(f"build --check: release/, solutions/, examples/ and labs/ are in sync for {names}")
        stale = stale_solutions(course, labs)
        if stale:
            # Not a failure: outputs also depend on this machine's data and weights (see solution_inputs).
            print(
                f"note: {len(stale)} solution notebooks were executed with other inputs (data, weights, course "
                "package or requirements) than this machine's; `course build` would run them again:"
            )
            for rel in stale:
                print(f"  {rel}")
        return 0
    written = build(course, labs, execute_solutions=not no_execute)
    print(f"wrote {len(written)} files")
    return 0
