"""Lab 5's own data and weights: course.corrupt_mnist (lab 5.6), the BetterCNN weights file (labs 5.1-5.3) and the
digit images of lab 5.2 (tools/make_digits.py)."""

from __future__ import annotations

import importlib.util
import json
import struct

import pytest
import torch

from course import corrupt_mnist, nbtools
from tests.conftest import ROOT

LAB = ROOT / "source" / "lab05"


# A miniature MNIST: idx files that torchvision reads without downloading anything ----------------------------------
def _pattern(i: int) -> bytes:
    """An asymmetric "L" whose brightness encodes the image's index (rotations change it visibly)."""
    image = bytearray(784)
    value = 100 + i % 150
    for r in range(4, 24):
        for c in range(9, 13):
            image[r * 28 + c] = value
    for r in range(20, 24):
        for c in range(9, 22):
            image[r * 28 + c] = value
    return bytes(image)


def _fake_mnist(root, n_train=130, n_test=40):
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        with open(raw / f"{prefix}-images-idx3-ubyte", "wb") as fh:
            fh.write(struct.pack(">IIII", 0x803, n, 28, 28) + b"".join(_pattern(i) for i in range(n)))
        with open(raw / f"{prefix}-labels-idx1-ubyte", "wb") as fh:
            fh.write(struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n)))
    return root


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = _fake_mnist(tmp_path / "cache")
    monkeypatch.setenv("COURSE_DATA_DIR", str(root))
    return root


def _originals(root, train):
    from torchvision.datasets import MNIST

    data = MNIST(str(root), train=train, download=True)
    return data.data.float() / 255, data.targets


def test_make_writes_dtu_layout(cache):
    folder = corrupt_mnist.make(chunk=50)
    assert folder == cache / "corruptmnist"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        ["VERSION.json", "test_images.pt", "test_target.pt"]
        + [f"train_{kind}_{i}.pt" for kind in ("images", "target") for i in range(3)]
    )
    sizes = [len(torch.load(folder / f"train_images_{i}.pt", weights_only=True)) for i in range(3)]
    assert sizes == [50, 50, 30]  # all 130 training images, in chunks
    for stem in ("train_images_0", "test_images"):
        images = torch.load(folder / f"{stem}.pt", weights_only=True)
        assert images.dtype == torch.float32 and images.shape[1:] == (28, 28)
        assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0 and float(images.max()) > 0.3
    for stem in ("train_target_0", "test_target"):
        assert torch.load(folder / f"{stem}.pt", weights_only=True).dtype == torch.int64
    _, test_labels = _originals(cache, train=False)
    assert torch.equal(torch.load(folder / "test_target.pt", weights_only=True), test_labels)  # test set in order
    stamp = json.loads((folder / "VERSION.json").read_text())
    assert stamp["version"] == corrupt_mnist.VERSION and stamp["max_angle"] == 50.0 and stamp["train_size"] == 130


def test_make_is_deterministic_and_idempotent(cache, tmp_path):
    first = corrupt_mnist.make(chunk=50)
    other = corrupt_mnist.make(_fake_mnist(tmp_path / "elsewhere"), chunk=50)
    for name in ("train_images_1.pt", "train_target_2.pt", "test_images.pt"):
        assert torch.equal(torch.load(first / name, weights_only=True), torch.load(other / name, weights_only=True))
    stamp_time = (first / "VERSION.json").stat().st_mtime_ns
    data_time = (first / "test_images.pt").stat().st_mtime_ns
    assert corrupt_mnist.make(chunk=50) == first  # same settings: nothing rebuilt
    assert (first / "VERSION.json").stat().st_mtime_ns == stamp_time
    assert (first / "test_images.pt").stat().st_mtime_ns == data_time
    corrupt_mnist.make(train_size=60, chunk=50)  # other settings: rebuilt, stale chunks removed
    assert sorted(p.name for p in first.glob("train_images_*.pt")) == ["train_images_0.pt", "train_images_1.pt"]
    assert json.loads((first / "VERSION.json").read_text())["train_size"] == 60


def test_concurrent_builds_do_not_collide(cache):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        folders = list(pool.map(lambda _: corrupt_mnist.make(chunk=50), range(3)))
    assert folders == [cache / "corruptmnist"] * 3
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) == []  # no build folders left behind
    train, test = corrupt_mnist.load()
    assert len(train) == 130 and len(test) == 40


def test_read_only_cache_builds_in_the_temp_folder(cache, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(corrupt_mnist, "_writable", lambda folder: False)  # as in a grading sandbox
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "private_tmp"))
    (tmp_path / "private_tmp").mkdir()
    folder = corrupt_mnist.make(chunk=50)
    assert folder == tmp_path / "private_tmp" / "dl-course-labs" / "corruptmnist"
    assert not (cache / "corruptmnist").exists()
    assert corrupt_mnist.make(chunk=50) == folder  # found again, not rebuilt
    assert len(torch.load(folder / "test_images.pt", weights_only=True)) == 40


def test_rotate_matches_torchvision():
    import torchvision.transforms.v2.functional as TF

    images = torch.rand(3, 28, 28)
    angles = torch.tensor([-47.5, 0.0, 33.3])
    batch = corrupt_mnist.rotate(images, angles)
    for image, angle, rotated in zip(images, angles, batch, strict=True):
        expected = TF.rotate(image[None], float(angle), interpolation=TF.InterpolationMode.BILINEAR)[0]
        torch.testing.assert_close(rotated, expected, atol=1e-5, rtol=0)


def _estimate_angles(corrupted, originals):
    """Brute-force the rotation of each corrupted image against its original (0.25° steps)."""
    candidates = torch.arange(-60.0, 60.25, 0.25)
    estimated = []
    for image, original in zip(corrupted, originals, strict=True):
        rotated = corrupt_mnist.rotate(original.expand(len(candidates), 28, 28), candidates)
        errors = ((rotated - image) ** 2).mean(dim=(1, 2))
        best = int(errors.argmin())
        assert float(errors[best]) < 1e-4  # the corruption is a rotation, nothing else
        estimated.append(float(candidates[best]))
    return torch.tensor(estimated)


def test_every_image_is_rotated_by_its_own_angle_within_50_degrees(cache):
    folder = corrupt_mnist.make(chunk=50)
    originals, labels = _originals(cache, train=False)
    angles = _estimate_angles(torch.load(folder / "test_images.pt", weights_only=True), originals)
    assert float(angles.abs().max()) <= 50.5
    assert float(angles.abs().max()) > 35  # the angles reach far out ...
    assert len(set(angles.round().tolist())) > 25  # ... and differ from image to image (40 images)

    # training chunk 0: a random selection of the training images, each rotated by its own angle (not one per chunk)
    train = torch.load(folder / "train_images_0.pt", weights_only=True)
    targets = torch.load(folder / "train_target_0.pt", weights_only=True)
    train_originals, _ = _originals(cache, train=True)
    index = (train.amax(dim=(1, 2)) * 255).round().long() - 100  # the brightness of the pattern encodes the index
    assert len(set(index.tolist())) == 50 and index.tolist() != list(range(50))
    assert torch.equal(targets, index % 10)  # every image keeps its label
    angles = _estimate_angles(train, train_originals[index])
    assert float(angles.abs().max()) <= 50.5 and len(set(angles.round().tolist())) > 30


def test_load_returns_tensor_datasets(cache):
    corrupt_mnist.make(chunk=50)
    train, test = corrupt_mnist.load()
    assert isinstance(train, torch.utils.data.TensorDataset) and isinstance(test, torch.utils.data.TensorDataset)
    assert train.tensors[0].shape == (130, 1, 28, 28) and train.tensors[1].shape == (130,)
    assert test.tensors[0].shape == (40, 1, 28, 28) and test.tensors[1].dtype == torch.int64
    # the training set is every cached MNIST training image once (a permutation): labels 0-9 thirteen times each
    assert torch.bincount(train.tensors[1], minlength=10).tolist() == [13] * 10


# The BetterCNN weights: what lab 5.1 saves must load into the class of labs 5.2 and 5.3 --------------------------
def _better_cnn_class(stem: str):
    """Execute the BetterCNN cell (the solution, as a student who solved lab 5.1 would paste it) of a notebook."""
    nb = nbtools.read(LAB / f"{stem}.ipynb")
    source = nbtools.solution_sources(nb)["better_cnn"]
    namespace = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional}
    exec(compile(source, f"{stem}:better_cnn", "exec"), namespace)
    return namespace["BetterCNN"]


def test_bettercnn_weights_saved_by_lab_5_1_load_in_labs_5_2_and_5_3(tmp_path):
    cells = {stem: "\n".join(c.source for c in nbtools.read(LAB / f"{stem}.ipynb").cells) for stem in
             ("5_1_cnn", "5_2_saving_loading", "5_3_visualise")}  # fmt: skip
    assert 'WEIGHTS = Path("bettercnn.weights")' in cells["5_1_cnn"]
    assert "torch.save(model.state_dict(), WEIGHTS)" in cells["5_1_cnn"]
    for stem in ("5_2_saving_loading", "5_3_visualise"):
        assert 'WEIGHTS = Path("bettercnn.weights")' in cells[stem]
        assert 'torch.load(WEIGHTS, map_location="cpu", weights_only=True)' in cells[stem]

    torch.manual_seed(0)
    trained = _better_cnn_class("5_1_cnn")()
    path = tmp_path / "bettercnn.weights"
    torch.save(trained.state_dict(), path)  # the line of lab 5.1
    trained.eval()
    x = torch.rand(5, 1, 28, 28)
    expected = trained(x)
    for stem in ("5_2_saving_loading", "5_3_visualise"):
        model = _better_cnn_class(stem)()
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))  # strict: every name and shape
        model.eval()
        torch.testing.assert_close(model(x), expected)

    # the file the original lab shipped had 32 filters in conv1: it must not fit (lab 5.2 shows this error)
    legacy = dict(trained.state_dict())
    legacy["conv1.weight"], legacy["conv1.bias"] = torch.zeros(32, 1, 5, 5), torch.zeros(32)
    legacy["conv2.weight"] = torch.zeros(15, 32, 3, 3)
    with pytest.raises(RuntimeError, match="size mismatch"):
        _better_cnn_class("5_2_saving_loading")().load_state_dict(legacy)


# The digit images of lab 5.2 ----------------------------------------------------------------------------------------
def test_digit_images_are_shipped_unlike_mnist_and_reproducible(tmp_path):
    import numpy as np
    from PIL import Image

    spec = importlib.util.spec_from_file_location("make_digits", ROOT / "tools" / "make_digits.py")
    make_digits = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_digits)
    make_digits.main([str(tmp_path)])
    light_backgrounds = 0
    for d in range(10):
        shipped = Image.open(LAB / "digits" / f"{d}.png")
        assert shipped.mode == "RGB" and shipped.size != (28, 28)
        assert (LAB / "digits" / f"{d}.png").stat().st_size < 8000
        pixels = np.asarray(shipped)
        assert np.array_equal(pixels, np.asarray(Image.open(tmp_path / f"{d}.png")))  # the tool makes these images
        border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]).mean()
        light_backgrounds += border > 127
    assert 5 <= light_backgrounds < 10  # mostly dark ink on light paper, but not only
