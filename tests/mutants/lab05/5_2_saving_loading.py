"""Mutant bank of lab 5.2 (saving, loading, checkpoints and your own images).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The two tests use only their own answer
cell, so wrong answers are packed.
"""

_CKPT = ["test_checkpoint"]
_FMT = ["test_to_mnist_format"]


def _checkpoint(save_body, load_body):
    return (
        "def save_checkpoint(path, model, optimiser, epoch):\n"
        '    """Save what is needed to resume training."""\n'
        f"{save_body}\n\n\n"
        "def load_checkpoint(path, model, optimiser):\n"
        '    """Restore model and optimiser in place; return the saved epoch."""\n'
        f"{load_body}\n"
    )


_SAVE = '    torch.save({"epoch": epoch, "model": model.state_dict(), "optimiser": optimiser.state_dict()}, path)'
_LOAD = """    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimiser.load_state_dict(checkpoint["optimiser"])
    return checkpoint["epoch"]"""

_CKPT_WRONG = {
    # only the model: Adam's moments and SGD's momentum start again from zero
    "no_optimiser_state": (
        '    torch.save({"epoch": epoch, "model": model.state_dict()}, path)',
        """    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    return checkpoint["epoch"]""",
    ),
    "optimiser_saved_but_not_restored": (
        _SAVE,
        """    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    return checkpoint["epoch"]""",
    ),
    # pickles whole objects: the file no longer loads with weights_only=True
    "pickles_the_objects": (
        '    torch.save({"epoch": epoch, "model": model, "optimiser": optimiser}, path)',
        """    checkpoint = torch.load(path, weights_only=False)
    model.load_state_dict(checkpoint["model"].state_dict())
    optimiser.load_state_dict(checkpoint["optimiser"].state_dict())
    return checkpoint["epoch"]""",
    ),
    # restores into a new local optimiser: the caller's optimiser is untouched
    "restores_a_new_optimiser": (
        _SAVE,
        """    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimiser = type(optimiser)(model.parameters(), **optimiser.defaults)
    optimiser.load_state_dict(checkpoint["optimiser"])
    return checkpoint["epoch"]""",
    ),
    "returns_next_epoch": (
        _SAVE,
        """    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimiser.load_state_dict(checkpoint["optimiser"])
    return checkpoint["epoch"] + 1""",
    ),
    # saves the optimiser's hyper-parameters only, not its per-parameter state
    "param_groups_only": (
        """    state = optimiser.state_dict()
    torch.save({"epoch": epoch, "model": model.state_dict(), "groups": state["param_groups"]}, path)""",
        """    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimiser.load_state_dict({"state": {}, "param_groups": checkpoint["groups"]})
    return checkpoint["epoch"]""",
    ),
}

_CKPT_CORRECT = {
    "tutorial_key_names": (
        """    torch.save(
        {
            "epoch": epoch,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimiser.state_dict(),
        },
        path,
    )""",
        """    checkpoint = torch.load(path)
    model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    optimiser.load_state_dict(checkpoint["optimizer_state_dict"])
    return int(checkpoint["epoch"])""",
    ),
    "two_files_in_a_list": (
        "    torch.save([model.state_dict(), optimiser.state_dict(), epoch], path)",
        """    model_state, optimiser_state, epoch = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(model_state)
    optimiser.load_state_dict(optimiser_state)
    return epoch""",
    ),
}

_FMT_HEAD = '''def to_mnist_format(path):
    """Read the image file at `path` and return it as an MNIST-like float32 tensor of shape [1, 1, 28, 28]."""
'''

_READ = """    grey = Image.open(path).convert("L")
    x = torch.from_numpy(np.asarray(grey, dtype=np.float32) / 255.0)
"""
_INVERT = """    border = torch.cat([x[0], x[-1], x[:, 0], x[:, -1]])
    if border.median() > 0.5:
        x = 1.0 - x
        border = 1.0 - border
"""
_STRETCH = """    background = border.median()
    x = ((x - background) / (x.max() - background).clamp(min=1e-6)).clamp(0.0, 1.0)
"""
_CROP = """    rows = torch.nonzero((x > 0.2).any(dim=1)).flatten()
    cols = torch.nonzero((x > 0.2).any(dim=0)).flatten()
    crop = x[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
"""
_RESIZE = """    h, w = crop.shape
    scale = 20.0 / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    small = F.interpolate(crop[None, None], size=size, mode="bilinear", antialias=True)[0, 0].clamp(0.0, 1.0)
"""
_CENTRE = """    top, left = (28 - size[0]) // 2, (28 - size[1]) // 2
    out = torch.zeros(1, 1, 28, 28)
    out[0, 0, top : top + size[0], left : left + size[1]] = small
    return out
"""


def _fmt(*parts):
    return _FMT_HEAD + "".join(parts)


_FMT_WRONG = {
    "never_inverts": _fmt(
        _READ, "    border = torch.cat([x[0], x[-1], x[:, 0], x[:, -1]])\n", _STRETCH, _CROP, _RESIZE, _CENTRE
    ),
    "always_inverts": _fmt(
        _READ, "    x = 1.0 - x\n    border = torch.cat([x[0], x[-1], x[:, 0], x[:, -1]])\n", _STRETCH, _CROP, _RESIZE,
        _CENTRE,
    ),
    # the whole picture squeezed to 28x28: no crop, aspect ratio lost
    "resize_whole_image": _fmt(
        _READ, _INVERT, _STRETCH,
        '    return F.interpolate(x[None, None], size=(28, 28), mode="bilinear", antialias=True).clamp(0.0, 1.0)\n',
    ),
    "squash_to_20x20": _fmt(
        _READ, _INVERT, _STRETCH, _CROP,
        "    size = (20, 20)\n",
        '    small = F.interpolate(crop[None, None], size=size, mode="bilinear", antialias=True)[0, 0].clamp(0, 1)\n',
        _CENTRE,
    ),
    "no_contrast_stretch": _fmt(_READ, _INVERT, _CROP, _RESIZE, _CENTRE),
    "top_left_corner": _fmt(
        _READ, _INVERT, _STRETCH, _CROP, _RESIZE,
        "    out = torch.zeros(1, 1, 28, 28)\n    out[0, 0, : size[0], : size[1]] = small\n    return out\n",
    ),
    "returns_28x28": _fmt(_READ, _INVERT, _STRETCH, _CROP, _RESIZE, _CENTRE.replace("return out", "return out[0, 0]")),
    "pixel_values_0_to_255": _fmt(
        _READ, _INVERT, _STRETCH, _CROP, _RESIZE, _CENTRE.replace("return out", "return out * 255")
    ),
    # keeps the aspect ratio but never crops: small digits stay small
    "no_crop": _fmt(
        _READ, _INVERT, _STRETCH, "    crop = x\n", _RESIZE, _CENTRE
    ),
    "numpy_array": _fmt(
        _READ, _INVERT, _STRETCH, _CROP, _RESIZE, _CENTRE.replace("return out", "return out.numpy()")
    ),
}  # fmt: skip

_FMT_CORRECT = {
    "pil_pipeline_box_centred": _FMT_HEAD
    + """    from PIL import ImageOps

    image = Image.open(path).convert("L")
    pixels = np.asarray(image)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if np.median(border) > 127:
        image = ImageOps.invert(image)
    image = ImageOps.autocontrast(image, cutoff=0)
    pixels = np.asarray(image).astype(np.float32)
    pixels = np.clip(pixels - np.median(np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])), 0, None)
    image = Image.fromarray((255 * pixels / pixels.max()).astype(np.uint8))
    box = image.point(lambda v: 255 if v > 50 else 0).getbbox()
    digit = image.crop(box)
    w, h = digit.size
    scale = 20 / max(w, h)
    digit = digit.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.LANCZOS)
    canvas = Image.new("L", (28, 28), 0)
    canvas.paste(digit, ((28 - digit.size[0]) // 2, (28 - digit.size[1]) // 2))
    from torchvision.transforms.functional import to_tensor

    return to_tensor(canvas).unsqueeze(0)
""",
    "numpy_centre_of_mass_roll": _FMT_HEAD
    + """    x = np.asarray(Image.open(path).convert("L"), dtype=np.float64) / 255
    edge = np.concatenate([x[0], x[-1], x[:, 0], x[:, -1]])
    if edge.mean() > 0.5:
        x, edge = 1 - x, 1 - edge
    x = np.clip((x - np.median(edge)) / (x.max() - np.median(edge)), 0, 1)
    ys, xs = np.nonzero(x > 0.25)
    crop = torch.tensor(x[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], dtype=torch.float32)
    h, w = crop.shape
    new = (round(20 * h / max(h, w)) or 1, round(20 * w / max(h, w)) or 1)
    small = F.interpolate(crop[None, None], size=new, mode="bilinear", antialias=True, align_corners=False)
    out = torch.zeros(1, 1, 28, 28)
    top, left = (28 - new[0]) // 2, (28 - new[1]) // 2
    out[:, :, top : top + new[0], left : left + new[1]] = small.clamp(0, 1)
    grid = torch.arange(28, dtype=torch.float32)
    mass = out[0, 0] / out.sum()
    cy, cx = float((mass.sum(1) * grid).sum()), float((mass.sum(0) * grid).sum())
    dy = max(-top, min(28 - top - new[0], round(13.5 - cy)))
    dx = max(-left, min(28 - left - new[1], round(13.5 - cx)))
    return torch.roll(out, shifts=(dy, dx), dims=(2, 3))
""",
}

MUTANTS = (
    [
        {"cell": "checkpoint", "tests": _CKPT, "kind": "wrong", "name": k, "pack": True, "source": _checkpoint(*v)}
        for k, v in _CKPT_WRONG.items()
    ]
    + [
        {"cell": "checkpoint", "tests": _CKPT, "kind": "correct", "name": k, "source": _checkpoint(*v)}
        for k, v in _CKPT_CORRECT.items()
    ]
    + [
        {"cell": "to_mnist_format", "tests": _FMT, "kind": "wrong", "name": k, "pack": True, "source": v}
        for k, v in _FMT_WRONG.items()
    ]
    + [
        {"cell": "to_mnist_format", "tests": _FMT, "kind": "correct", "name": k, "source": v}
        for k, v in _FMT_CORRECT.items()
    ]
)  # fmt: skip
