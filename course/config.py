"""Where things are: the repository, its course.toml and its labs."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LAB_DIR = re.compile(r"^lab\d\d$")


def repo_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder above ``start`` (default: cwd) holding course.toml and source/."""
    env = os.environ.get("COURSE_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "course.toml").is_file() and (folder / "source").is_dir():
            return folder
    package_parent = Path(__file__).resolve().parent.parent
    if (package_parent / "course.toml").is_file():
        return package_parent
    raise FileNotFoundError("not inside the course repository (no course.toml with a source/ folder above here)")


@dataclass
class Lab:
    id: str  # the nbgrader assignment id, e.g. "lab01"
    source: Path  # source/<id>
    meta: dict = field(default_factory=dict)  # source/<id>/lab.toml

    @property
    def slug(self) -> str:
        """The lab page's folder name, e.g. ``lab01_introducing_pytorch``."""
        return self.meta.get("slug") or self.id

    def wants_gpu(self, notebook: str) -> bool:
        """Whether the notebook's Colab badge opens a GPU runtime: ``gpu = true`` in lab.toml for every notebook of
        the lab, or ``gpu = ["4_4_gpu.ipynb", ...]`` for some."""
        gpu = self.meta.get("gpu", False)
        return notebook in gpu if isinstance(gpu, list) else bool(gpu)

    @property
    def judged(self) -> bool:
        """Whether the lab's hidden tests run in the judge, outside the student's kernel (``judge = true`` in
        lab.toml; see course/judge); otherwise they run in the student's kernel, guarded by run markers."""
        return bool(self.meta.get("judge", False))

    @property
    def notebooks(self) -> list[Path]:
        return sorted(p for p in self.source.glob("*.ipynb"))


@dataclass
class Course:
    root: Path
    id: str
    title: str
    repository: str
    ref: str
    colab_packages: list[str]
    settings: dict = field(default_factory=dict)  # the whole course.toml: [public], [labs.<id>], [late] ...

    @classmethod
    def load(cls, root: Path | None = None) -> Course:
        root = repo_root(root)
        settings = tomllib.loads((root / "course.toml").read_text())
        data = settings["course"]
        return cls(
            root=root,
            id=data["id"],
            title=data.get("title", data["id"]),
            repository=data["repository"],
            ref=data.get("ref", "main"),
            colab_packages=list(data.get("colab_packages", [])),
            settings=settings,
        )

    def lab_settings(self, lab_id: str) -> dict:
        """``[labs.<lab_id>]`` of course.toml (due date, solutions date, weight...); empty when absent."""
        return dict(self.settings.get("labs", {}).get(lab_id, {}))

    def labs(self, names: list[str] | None = None) -> list[Lab]:
        found = {}
        for folder in sorted((self.root / "source").iterdir()):
            if folder.is_dir() and LAB_DIR.match(folder.name):
                meta_file = folder / "lab.toml"
                meta = tomllib.loads(meta_file.read_text()) if meta_file.exists() else {}
                found[folder.name] = Lab(folder.name, folder, meta)
        if not names:
            return list(found.values())
        wanted = []
        for name in names:
            key = name if name in found else f"lab{int(name):02d}" if name.isdigit() else name
            if key not in found:
                raise SystemExit(f"unknown lab {name!r}; labs: {', '.join(found) or 'none'}")
            wanted.append(found[key])
        return wanted

    # The student edition ([public]) ------------------------------------------------------------------------------
    @property
    def public(self) -> dict:
        """``[public]`` of course.toml: the student edition's repository, its ref (the term's tag) and site URL.

        Badges, previews, downloads and the Colab install point at the student edition, never at this (instructor)
        repository; without a ``[public]`` section they fall back to ``[course]`` (a course without hidden parts)."""
        public = dict(self.settings.get("public", {}))
        public.setdefault("repository", self.repository)
        public.setdefault("ref", self.ref)
        public.setdefault("site_url", "")
        return public

    @property
    def public_repository(self) -> str:
        return self.public["repository"]

    @property
    def public_ref(self) -> str:
        return self.public["ref"]

    @property
    def site_url(self) -> str:
        return self.public["site_url"]

    # Links (all into the student edition) ---------------------------------------------------------------------------
    def colab_url(self, rel_path: str) -> str:
        return f"https://colab.research.google.com/github/{self.public_repository}/blob/{self.public_ref}/{rel_path}"

    def preview_url(self, rel_path: str) -> str:
        return f"https://github.com/{self.public_repository}/blob/{self.public_ref}/{rel_path}"

    def download_url(self, rel_path: str) -> str:
        return f"https://raw.githubusercontent.com/{self.public_repository}/{self.public_ref}/{rel_path}"

    def pip_spec(self) -> str:
        """What the Colab set-up cell installs: the student edition's package at the term's tag."""
        return f"dl-course-labs @ git+https://github.com/{self.public_repository}@{self.public_ref}"
