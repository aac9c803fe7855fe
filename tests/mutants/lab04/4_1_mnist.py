"""Mutant bank of lab 4.1 (introducing MNIST).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The test cells only read the answer
cell they grade (and reload MNIST themselves), so every wrong answer can share a grading run ("pack").
"""

_PRINT_TYPE = "\nprint(data_type, data_dtype)\n"
_PRINT_SHAPE = "\nprint(data_shape)\n"

_TYPE_WRONG = {
    "numpy_array": "import numpy as np\n\ndata_type = np.ndarray\ndata_dtype = torch.uint8",
    # thinks ToTensor has already been applied
    "float32_dtype": "data_type = torch.Tensor\ndata_dtype = torch.float32",
    "dataset_class": "data_type = type(mnist_train)\ndata_dtype = mnist_train.data.dtype",
    "int64_dtype": "data_type = torch.Tensor\ndata_dtype = torch.int64",
    "pil_image": "import PIL.Image\n\ndata_type = PIL.Image.Image\ndata_dtype = torch.uint8",
}
_TYPE_CORRECT = {
    "literal_values": "data_type = torch.Tensor\ndata_dtype = torch.uint8",
    "legacy_byte_tensor": "data_type = torch.ByteTensor\ndata_dtype = torch.uint8",
}

_SHAPE_WRONG = {
    "one_image": "data_shape = (28, 28)",
    "flattened": "data_shape = (len(mnist_train), 784)",
    "with_channel": "data_shape = (len(mnist_train), 1, 28, 28)",
    "channels_last": "data_shape = (28, 28, len(mnist_train))",
    "shape_of_first_item": "data_shape = tuple(mnist_train.data[0].shape) + (1,)",
}
_SHAPE_CORRECT = {
    "torch_size": "data_shape = mnist_train.data.shape",
    "from_len": "data_shape = (len(mnist_train), 28, 28)",
    "from_size": "data_shape = tuple(mnist_train.data.size())",
}

_LABELS_TAIL = "\n\nprint(labels_dtype, labels_shape, get_label(mnist_train, 0))\n"


def _labels(values: str, body: str) -> str:
    return (
        values
        + "\n\n\ndef get_label(dataset, i):\n"
        + '    """The label of example i of `dataset` (whose items are (input, label) pairs), as a Python int."""\n'
        + body
        + _LABELS_TAIL
    )


_GOOD_VALUES = "labels_dtype = mnist_train.targets.dtype\nlabels_shape = tuple(mnist_train.targets.shape)"
_GOOD_BODY = "    return int(dataset[i][1])"

_LABELS_WRONG = {
    # only works on a torchvision data set, not on a Subset or a TensorDataset
    "targets_attribute": _labels(_GOOD_VALUES, "    return int(dataset.targets[i])"),
    # a 0-d tensor from a TensorDataset is not an int
    "no_int_conversion": _labels(_GOOD_VALUES, "    return dataset[i][1]"),
    "one_hot_shape": _labels(
        "labels_dtype = mnist_train.targets.dtype\nlabels_shape = (len(mnist_train), 10)", _GOOD_BODY
    ),
    "int32_dtype": _labels("labels_dtype = torch.int32\nlabels_shape = tuple(mnist_train.targets.shape)", _GOOD_BODY),
    "off_by_one_index": _labels(_GOOD_VALUES, "    return int(dataset[i + 1][1]) if i + 1 < len(dataset) else -1"),
    "column_vector_shape": _labels(
        "labels_dtype = mnist_train.targets.dtype\nlabels_shape = (len(mnist_train), 1)", _GOOD_BODY
    ),
    # hard-codes the visible case
    "hard_coded_first_label": _labels(_GOOD_VALUES, "    return int(mnist_train.targets[0])"),
}
_LABELS_CORRECT = {
    "unpack_and_item": _labels(
        "labels_dtype = torch.int64\nlabels_shape = mnist_train.targets.shape",
        "    x, y = dataset[i]\n    return y.item() if isinstance(y, torch.Tensor) else int(y)",
    ),
    "literal_shape": _labels("labels_dtype = torch.long\nlabels_shape = (len(mnist_train),)", _GOOD_BODY),
}


def _entries(cell, tests, wrong, correct, tail=""):
    out = [
        {"cell": cell, "tests": tests, "kind": "wrong", "name": k, "source": v + tail, "pack": True}
        for k, v in wrong.items()
    ]
    out += [
        {"cell": cell, "tests": tests, "kind": "correct", "name": k, "source": v + tail} for k, v in correct.items()
    ]
    return out


MUTANTS = (
    _entries("data_type", ["test_data_type"], _TYPE_WRONG, _TYPE_CORRECT, _PRINT_TYPE)
    + _entries("data_shape", ["test_data_shape"], _SHAPE_WRONG, _SHAPE_CORRECT, _PRINT_SHAPE)
    + _entries("labels", ["test_labels"], _LABELS_WRONG, _LABELS_CORRECT)
)
