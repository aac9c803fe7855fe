"""The data sets the labs use: one registry, one cache root, online fetch and offline import.

Notebooks load data with torchvision's own API pointed at the cache root, e.g.

    from torchvision.datasets import MNIST
    train = MNIST(course.data.root(), train=True, download=True)

With internet, torchvision downloads into the cache on first use (``course data fetch`` does it ahead of time).
Offline, ``course data import PATH`` fills the same layout from local copies, and torchvision finds the files and
downloads nothing.  The cache root is ``$COURSE_DATA_DIR`` or, by default, ``~/.cache/dl-course-labs/data``
(``$XDG_CACHE_HOME`` is honoured).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

OFFLINE_NOTE = "OFFLINE_SUBSET.txt"


def root() -> Path:
    """The cache root (created if needed)."""
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        path = Path(env).expanduser()
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")).expanduser()
        path = cache / "dl-course-labs" / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    files: tuple[str, ...]  # paths under root() that must exist for the data set to count as cached
    source: str  # where `fetch` gets it


def _idx(folder: str) -> tuple[str, ...]:
    stems = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    return tuple(f"{folder}/raw/{s}" for s in stems)


REGISTRY: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("mnist", "MNIST handwritten digits, 60,000 training and 10,000 test images", _idx("MNIST"),
                "torchvision.datasets.MNIST"),
        Dataset("fashion_mnist", "Fashion-MNIST (Zalando), 60,000 training and 10,000 test images",
                _idx("FashionMNIST"), "torchvision.datasets.FashionMNIST"),
        Dataset("cifar10", "CIFAR-10, 50,000 training and 10,000 test colour images",
                ("cifar-10-batches-py/batches.meta",), "torchvision.datasets.CIFAR10"),
        Dataset("hymenoptera", "ants and bees photos of PyTorch's transfer-learning tutorial",
                ("hymenoptera_data/train", "hymenoptera_data/val"),
                "https://download.pytorch.org/tutorial/hymenoptera_data.zip"),
        Dataset("imagenet_class_index", "the 1000 ImageNet class names", ("imagenet_class_index.json",),
                "https://s3.amazonaws.com/deep-learning-models/image-models/imagenet_class_index.json"),
    )
}  # fmt: skip

IMAGENET_INDEX_SHA256 = "ecae206bed9024d38507c0c6a3f8c4dc079f465ad34e44c3ffd0ea5ddf6cfa50"


def is_cached(name: str) -> bool:
    base = root()
    return all((base / f).exists() for f in REGISTRY[name].files)


def is_offline_subset(name: str) -> bool:
    """True when the cached training set is a stand-in subset (MNIST offline: 5,000 real training images)."""
    folder = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST"}.get(name)
    return bool(folder) and (root() / folder / OFFLINE_NOTE).exists()


def require(name: str) -> Path:
    """The cache root, after making sure ``name`` is there (downloading it if it is not and the network allows)."""
    if not is_cached(name):
        try:
            fetch(name)
        except Exception as exc:  # no network, most likely
            raise RuntimeError(
                f"The data set {name!r} is not in the cache ({root()}) and could not be downloaded ({exc}). "
                f"With internet: `course data fetch {name}`; offline: `course data import PATH`."
            ) from exc
    return root()


# Online ------------------------------------------------------------------------------------------------------
def fetch(name: str) -> None:
    """Download one data set into the cache with torchvision's own downloaders."""
    base = str(root())
    if name == "mnist":
        from torchvision.datasets import MNIST

        for train in (True, False):
            MNIST(base, train=train, download=True)
    elif name == "fashion_mnist":
        from torchvision.datasets import FashionMNIST

        for train in (True, False):
            FashionMNIST(base, train=train, download=True)
    elif name == "cifar10":
        from torchvision.datasets import CIFAR10

        for train in (True, False):
            CIFAR10(base, train=train, download=True)
    elif name == "hymenoptera":
        from torchvision.datasets.utils import download_and_extract_archive

        download_and_extract_archive(REGISTRY[name].source, base)
    elif name == "imagenet_class_index":
        from torchvision.datasets.utils import download_url

        download_url(REGISTRY[name].source, base, filename="imagenet_class_index.json")
        if _sha256(root() / "imagenet_class_index.json") != IMAGENET_INDEX_SHA256:
            raise RuntimeError("imagenet_class_index.json does not have the expected checksum")
    else:
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(REGISTRY)}")


# Offline -----------------------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _gunzip(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(src, "rb") as fin, open(dest, "wb") as fout:
        shutil.copyfileobj(fin, fout)


def _write_idx_images(images: list[bytes], dest: Path) -> None:
    with open(dest, "wb") as fh:
        fh.write(struct.pack(">IIII", 0x00000803, len(images), 28, 28))
        for row in images:
            fh.write(row)


def _write_idx_labels(labels: list[int], dest: Path) -> None:
    with open(dest, "wb") as fh:
        fh.write(struct.pack(">II", 0x00000801, len(labels)))
        fh.write(bytes(labels))


def _import_mnist_subset(csv_gz: Path, raw: Path) -> int:
    """Write torchvision's idx training files from the 5,000-image CSV (785 columns, label last)."""
    images, labels = [], []
    with gzip.open(csv_gz, "rt") as fh:
        for line in fh:
            values = [int(v) for v in line.strip().split(",")]
            if len(values) != 785:
                continue
            images.append(bytes(values[:784]))
            labels.append(values[784])
    raw.mkdir(parents=True, exist_ok=True)
    _write_idx_images(images, raw / "train-images-idx3-ubyte")
    _write_idx_labels(labels, raw / "train-labels-idx1-ubyte")
    return len(images)


def import_path(path: Path) -> list[str]:
    """Fill the cache from local copies; returns what was imported.

    Understands the course's offline data folder (``MNIST/raw`` test files and ``MNIST/mnist_5k.csv.gz``,
    ``hymenoptera_data/``, ``imagenet_class_index.json``) and a folder of the four Fashion-MNIST idx ``.gz`` files
    (Debian's ``dataset-fashion-mnist`` puts them in ``/usr/share/datasets/fashion-mnist``).
    """
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    base = root()
    done: list[str] = []

    mnist_raw = path / "MNIST" / "raw"
    if mnist_raw.is_dir():
        out = base / "MNIST" / "raw"
        for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte"):
            if (mnist_raw / f"{stem}.gz").exists():
                _gunzip(mnist_raw / f"{stem}.gz", out / stem)
        subset = path / "MNIST" / "mnist_5k.csv.gz"
        if not (mnist_raw / "train-images-idx3-ubyte.gz").exists() and subset.exists():
            n = _import_mnist_subset(subset, out)
            (base / "MNIST" / OFFLINE_NOTE).write_text(
                f"The MNIST training set here is an offline stand-in: {n} real MNIST training images "
                "(the first 500 of each class). The test set is the full 10,000 images.\n"
            )
            done.append(f"mnist (test: 10,000 images; train: offline subset of {n} real images)")
        elif (mnist_raw / "train-labels-idx1-ubyte.gz").exists():
            _gunzip(mnist_raw / "train-labels-idx1-ubyte.gz", out / "train-labels-idx1-ubyte")
            (base / "MNIST" / OFFLINE_NOTE).unlink(missing_ok=True)
            done.append("mnist (full)")

    fashion = [path / f"{s.split('/')[-1]}.gz" for s in _idx("FashionMNIST")]
    if "fashion" in path.name.lower() and all(f.exists() for f in fashion):
        for f in fashion:
            _gunzip(f, base / "FashionMNIST" / "raw" / f.name[:-3])
        done.append("fashion_mnist (full)")

    ants = path / "hymenoptera_data"
    if (ants / "train").is_dir() and (ants / "val").is_dir():
        shutil.copytree(ants, base / "hymenoptera_data", dirs_exist_ok=True)
        done.append("hymenoptera")

    index = path / "imagenet_class_index.json"
    if index.is_file():
        json.loads(index.read_text())  # refuse a corrupt file early
        shutil.copy2(index, base / "imagenet_class_index.json")
        done.append("imagenet_class_index")
    return done


def imagenet_classes() -> list[str]:
    """The 1000 ImageNet class names in index order (from the cache; fetched when missing and online)."""
    require("imagenet_class_index")
    data = json.loads((root() / "imagenet_class_index.json").read_text())
    return [data[str(i)][1] for i in range(len(data))]


# CLI ---------------------------------------------------------------------------------------------------------
def fetch_cli(names: list[str]) -> int:
    failed = 0
    for name in names or list(REGISTRY):
        try:
            fetch(name)
            print(f"{name}: ok")
        except Exception as exc:
            failed += 1
            print(f"{name}: could not fetch ({exc})", file=sys.stderr)
    return 1 if failed else 0


def import_cli(path: Path) -> int:
    try:
        done = import_path(path)
    except (OSError, ValueError) as exc:
        print(f"course data import: {exc}", file=sys.stderr)
        return 1
    if not done:
        print(f"course data import: found nothing to import in {path}", file=sys.stderr)
        return 1
    for item in done:
        print(f"imported {item} into {root()}")
    return 0


def list_cli() -> int:
    print(f"cache root: {root()}")
    for name, ds in REGISTRY.items():
        state = "cached" if is_cached(name) else "missing"
        if state == "cached" and is_offline_subset(name):
            state = "cached (offline training subset)"
        print(f"  {name:22s} {state:34s} {ds.description}")
    return 0
