"""Corrupted MNIST, the data set of lab 5.6 (after the final exercise of DTU's MLOps PyTorch module).

    from course import corrupt_mnist

    folder = corrupt_mnist.make()       # builds <cache root>/corruptmnist/ once, in a few seconds
    train, test = corrupt_mnist.load()  # TensorDatasets: images [N, 1, 28, 28] float32 in [0, 1], targets int64

The course makes the data itself, deterministically, from the cached MNIST (``course.data.require("mnist")``), so
nothing has to be downloaded from a file-sharing site.  The corruption is a **rotation**: every image is rotated
about its centre by **its own** angle, drawn uniformly from [-50°, 50°] (bilinear interpolation, black corners).  DTU's
own generator draws one angle per 5,000-image file; we draw one per image, which is harder to spot by eye and closer
to what "random rotations" means.

The files follow DTU's layout (``data/corruptmnist/``):

    train_images_{i}.pt, train_target_{i}.pt   chunks of 5,000 training images (the last one may be shorter)
    test_images.pt, test_target.pt             the test set
    VERSION.json                               what was built; ``make`` rebuilds only when it changes

Images are float32 tensors [N, 28, 28] with values in [0, 1] (no channel dimension, as in DTU's files); targets are
int64 tensors [N].  The training set is a fixed random selection of ``train_size`` MNIST training images (default
30,000, or all of them when fewer are cached, e.g. the 5,000-image offline subset).  The test set is the **first**
``test_size`` (default 5,000) MNIST test images **in order**, so test image ``i`` is a rotated copy of MNIST test
image ``i``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

FOLDER = "corruptmnist"
VERSION = 1
SEED = 6248
MAX_ANGLE = 50.0
CHUNK = 5000
TRAIN_SIZE = 30000
TEST_SIZE = 5000

__all__ = ["make", "load", "rotate", "FOLDER", "MAX_ANGLE"]


def rotate(images, angles):
    """Rotate each image [N, 28, 28] (or [N, C, H, W]) counter-clockwise by its angle in degrees (a tensor [N]).

    The same result as ``torchvision.transforms.v2.functional.rotate(image, angle)`` with bilinear interpolation,
    for a whole batch of different angles at once.
    """
    import torch
    import torch.nn.functional as F

    squeeze = images.dim() == 3
    x = images.unsqueeze(1) if squeeze else images
    x = x.float()
    rad = torch.as_tensor(angles, dtype=torch.float32).reshape(-1) * (math.pi / 180.0)
    cos, sin = torch.cos(rad), torch.sin(rad)
    theta = torch.zeros(x.shape[0], 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = cos, -sin
    theta[:, 1, 0], theta[:, 1, 1] = sin, cos
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out[:, 0] if squeeze else out


def _stamp(n_train_available: int, train_size: int, test_size: int, chunk: int) -> dict:
    return {
        "version": VERSION,
        "seed": SEED,
        "max_angle": MAX_ANGLE,
        "rotation": "per image, uniform in [-max_angle, max_angle] degrees, bilinear",
        "mnist_train_images": n_train_available,
        "train_size": train_size,
        "test_size": test_size,
        "chunk": chunk,
    }


def make(
    root: str | Path | None = None, train_size: int | None = None, test_size: int = TEST_SIZE, chunk: int = CHUNK
) -> Path:
    """Build the corrupted MNIST into ``<root>/corruptmnist/`` (``root``: the course's data cache by default).

    Idempotent: when the folder already holds a build with the same settings it is left alone.  Returns the folder,
    which is ``<temp dir>/dl-course-labs/corruptmnist`` instead when the cache is read-only (a grading sandbox).
    """
    import torch
    from torchvision.datasets import MNIST

    from . import data

    base = Path(root) if root is not None else data.require("mnist")
    out = base / FOLDER
    mnist_train = MNIST(str(base), train=True, download=True)
    mnist_test = MNIST(str(base), train=False, download=True)
    n_avail = len(mnist_train)
    n_train = min(train_size or TRAIN_SIZE, n_avail)
    n_test = min(test_size, len(mnist_test))
    stamp = _stamp(n_avail, n_train, n_test, chunk)
    stamp["mnist_checksum"] = int(mnist_train.data[:1000].sum()) + int(mnist_test.data[:1000].sum())
    n_chunks = math.ceil(n_train / chunk)
    expected = [f"train_images_{i}.pt" for i in range(n_chunks)] + ["test_images.pt", "test_target.pt"]
    # A read-only cache (e.g. a grading sandbox) cannot hold the build: fall back to a folder in the temp directory.
    if _is_current(out, stamp, expected):
        return out
    if not _writable(base):
        out = Path(tempfile.gettempdir()) / "dl-course-labs" / FOLDER
        base = out.parent
        base.mkdir(parents=True, exist_ok=True)
        if _is_current(out, stamp, expected):
            return out

    gen = torch.Generator().manual_seed(SEED)
    pick = torch.randperm(n_avail, generator=gen)[:n_train]
    train_angles = (torch.rand(n_train, generator=gen) * 2 - 1) * MAX_ANGLE
    test_angles = (torch.rand(n_test, generator=gen) * 2 - 1) * MAX_ANGLE

    def corrupt(images_uint8, angles):
        return rotate(images_uint8.float() / 255.0, angles).clamp_(0.0, 1.0).contiguous()

    # Build in a private folder, then move it into place: processes that build at the same time (a class graded in
    # parallel) never see half-written files.
    tmp: Path | None = Path(tempfile.mkdtemp(prefix=f".{FOLDER}-build-", dir=base))
    try:
        train_x = corrupt(mnist_train.data[pick], train_angles)
        train_y = mnist_train.targets[pick].to(torch.int64)
        for i in range(n_chunks):
            part = slice(i * chunk, (i + 1) * chunk)
            torch.save(train_x[part].clone(), tmp / f"train_images_{i}.pt")
            torch.save(train_y[part].clone(), tmp / f"train_target_{i}.pt")
        torch.save(corrupt(mnist_test.data[:n_test], test_angles), tmp / "test_images.pt")
        torch.save(mnist_test.targets[:n_test].to(torch.int64).clone(), tmp / "test_target.pt")
        (tmp / "VERSION.json").write_text(json.dumps(stamp, indent=1) + "\n")
        tmp.chmod(0o755)
        for attempt in range(10):
            if _is_current(out, stamp, expected):  # another process finished the same build meanwhile
                break
            if out.exists():  # an older build: move it aside, then delete it
                old = base / f".{FOLDER}-old-{os.getpid()}-{attempt}"
                try:
                    out.rename(old)
                except OSError:
                    continue
                shutil.rmtree(old, ignore_errors=True)
            try:
                tmp.rename(out)
                tmp = None
                break
            except OSError:
                continue
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _writable(folder: Path) -> bool:
    try:
        probe = Path(tempfile.mkdtemp(prefix=f".{FOLDER}-probe-", dir=folder))
    except OSError:
        return False
    probe.rmdir()
    return True


def _is_current(out: Path, stamp: dict, expected: list[str]) -> bool:
    try:
        same = json.loads((out / "VERSION.json").read_text()) == stamp
    except (OSError, ValueError):
        return False
    return same and all((out / name).exists() for name in expected)


def load(root: str | Path | None = None):
    """``(train, test)`` TensorDatasets of the corrupted MNIST (built with the default settings if missing).

    Images come with a channel dimension, [N, 1, 28, 28] float32 in [0, 1]; targets are int64.
    """
    import torch
    from torch.utils.data import TensorDataset

    from . import data

    folder = (Path(root) if root is not None else data.root()) / FOLDER
    if not (folder / "VERSION.json").exists():
        folder = make(root)
    n_chunks = len(list(folder.glob("train_images_*.pt")))
    images = [torch.load(folder / f"train_images_{i}.pt", weights_only=True) for i in range(n_chunks)]
    targets = [torch.load(folder / f"train_target_{i}.pt", weights_only=True) for i in range(n_chunks)]
    train = TensorDataset(torch.cat(images).unsqueeze(1), torch.cat(targets))
    test = TensorDataset(
        torch.load(folder / "test_images.pt", weights_only=True).unsqueeze(1),
        torch.load(folder / "test_target.pt", weights_only=True),
    )
    return train, test
