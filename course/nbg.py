"""Running nbgrader (0.9.6) in throw-away course roots.

Every build and every graded submission gets a course root of its own: the repository's nbgrader_config.py and
course.toml, the lab's source folder and a gradebook made fresh by ``generate_assignment``.  Nothing is written
into the repository, runs cannot disturb each other, and they can go in parallel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .config import Course, Lab


def nbgrader_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    # nbgrader calls `alembic` through PATH (grading.md A.9): put this interpreter's bin folder first.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONWARNINGS", "ignore")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    if extra:
        env.update(extra)
    return env


def make_root(course: Course, lab: Lab, dest: Path, with_notebooks: bool = True) -> Path:
    """A course root at ``dest`` holding the config and ``source/<lab>``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("nbgrader_config.py", "course.toml"):
        shutil.copy2(course.root / name, dest / name)
    target = dest / "source" / lab.id
    if target.exists():
        shutil.rmtree(target)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", *(() if with_notebooks else ("*.ipynb",)))
    shutil.copytree(lab.source, target, ignore=ignore)
    return dest


def run(root: Path, *args: str, timeout: float | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in ``root``; output captured, never raises on a non-zero exit."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    try:
        return subprocess.run(
            cmd, cwd=root, env=nbgrader_env(env), capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return subprocess.CompletedProcess(cmd, 124, out, err + f"\n[timed out after {timeout} s]")


def generate(root: Path, lab_id: str) -> Path:
    """``nbgrader generate_assignment``: fills root/release/<lab> and root/gradebook.db."""
    proc = run(root, "generate_assignment", lab_id, "--force")
    release = root / "release" / lab_id
    if proc.returncode != 0 or not release.is_dir():
        raise RuntimeError(f"nbgrader generate_assignment {lab_id} failed:\n{proc.stdout}\n{proc.stderr}")
    return release
