"""Mutant bank of lab 5.1 (a simple CNN and a better one).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  Every test cell of this notebook uses only
its own answer cell (and fresh inputs), so wrong answers are packed: several go through one grading run.
"""

_SIZE = ["test_conv_output_size"]
_SHAPE = ["test_conv1_shape"]
_SHAPE73 = ["test_conv1_shape_7x3"]
_FWD = ["test_better_cnn_forward"]
_ACC = ["test_better_cnn_accuracy"]

_SIZE_WRONG = {
    "missing_plus_one": "return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride",
    "padding_counted_once": "return (size + padding - dilation * (kernel_size - 1) - 1) // stride + 1",
    "ignores_dilation": "return (size + 2 * padding - kernel_size) // stride + 1",
    "true_division_float": "return (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1",
    "ceil_instead_of_floor": (
        "import math\n    return math.ceil((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1"
    ),
    "ignores_stride_and_padding": "return size - kernel_size + 1",
    # passes both visible cases
    "hard_coded_cases": "return 28 if padding else 24",
}

_SIZE_CORRECT = {
    "effective_kernel_and_int_floor": (
        "import math\n"
        "    effective = dilation * (kernel_size - 1) + 1\n"
        "    return int(math.floor((size + 2 * padding - effective) / stride)) + 1"
    ),
    "ask_pytorch": (
        "out = torch.nn.Conv1d(1, 1, kernel_size, stride=stride, padding=padding, dilation=dilation)(\n"
        "        torch.zeros(1, 1, size)\n"
        "    )\n"
        "    return out.shape[-1]"
    ),
}

_SHAPE_WRONG = {
    "same_as_input": "conv1_shape = (128, 32, 28, 28)",
    "channels_last": "conv1_shape = (128, 24, 24, 32)",
    "after_pooling": "conv1_shape = (128, 32, 12, 12)",
    "kernel_minus_size": "conv1_shape = (128, 32, 23, 23)",
    "one_channel": "conv1_shape = (128, 1, 24, 24)",
}

_SHAPE73_WRONG = {
    "height_and_width_swapped": "conv1_shape_7x3 = (128, 32, 26, 22)",
    "both_with_kernel_7": "conv1_shape_7x3 = (128, 32, 22, 22)",
    "unchanged_5x5": "conv1_shape_7x3 = (128, 32, 24, 24)",
    "off_by_one": "conv1_shape_7x3 = (128, 32, 21, 25)",
}

_INIT = """class BetterCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 30, (5, 5))
        self.conv2 = nn.Conv2d(30, 15, (3, 3))
        self.fc1 = nn.Linear(15 * 5**2, 128)
        self.fc2 = nn.Linear(128, 50)
        self.fc3 = nn.Linear(50, 10)
        self.dropout = nn.Dropout(0.2)

    def forward(self, x):
"""

_FWD_WRONG = {
    # the original lab's bug: dropout stays on in eval mode (fails the visible check too)
    "functional_dropout_always_on": (
        ["test_better_cnn_forward"],
        """        out = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        out = F.max_pool2d(F.relu(self.conv2(out)), (2, 2))
        out = F.dropout(out, 0.2)
        out = out.view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)
""",
    ),
    "no_relu_after_fc2": (
        ["test_better_cnn_forward"],
        """        out = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        out = F.max_pool2d(F.relu(self.conv2(out)), (2, 2))
        out = self.dropout(out).view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = self.fc2(out)
        return self.fc3(out)
""",
    ),
    "average_pooling": (
        ["test_better_cnn_forward"],
        """        out = F.avg_pool2d(F.relu(self.conv1(x)), (2, 2))
        out = F.avg_pool2d(F.relu(self.conv2(out)), (2, 2))
        out = self.dropout(out).view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)
""",
    ),
    # channels-last flatten: trains as well, but saved weights no longer mean the same thing
    "flatten_channels_last": (
        ["test_better_cnn_forward"],
        """        out = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        out = F.max_pool2d(F.relu(self.conv2(out)), (2, 2))
        out = self.dropout(out).permute(0, 2, 3, 1).reshape(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)
""",
    ),
    # probabilities instead of logits: CrossEntropyLoss then trains slowly (about 84 % in the hidden test's run,
    # too close to its 85 % bar to count on)
    "softmax_output": (
        ["test_better_cnn_forward"],
        """        out = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        out = F.max_pool2d(F.relu(self.conv2(out)), (2, 2))
        out = self.dropout(out).view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return F.softmax(self.fc3(out), dim=1)
""",
    ),
    "missing_second_pooling": (
        ["test_better_cnn_forward", "test_better_cnn_accuracy"],
        """        out = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        out = F.relu(self.conv2(out))
        out = self.dropout(out).view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)
""",
    ),
    # flattens the batch dimension too
    "flatten_everything": (
        ["test_better_cnn_forward", "test_better_cnn_accuracy"],
        """        out = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        out = F.max_pool2d(F.relu(self.conv2(out)), (2, 2))
        out = self.dropout(out).flatten()
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)
""",
    ),
    "missing_return": (
        ["test_better_cnn_forward", "test_better_cnn_accuracy"],
        """        out = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        out = F.max_pool2d(F.relu(self.conv2(out)), (2, 2))
        out = self.dropout(out).view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        out = self.fc3(out)
""",
    ),
    # hard-codes the batch size of the data loader
    "batch_size_hard_coded": (
        ["test_better_cnn_forward", "test_better_cnn_accuracy"],
        """        out = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        out = F.max_pool2d(F.relu(self.conv2(out)), (2, 2))
        out = self.dropout(out).view(128, -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)
""",
    ),
}

_FWD_CORRECT = {
    # max-pooling and ReLU commute, and dropout may come through F.dropout with training=self.training
    "pool_before_relu_functional_dropout": """        out = F.relu(F.max_pool2d(self.conv1(x), 2))
        out = F.relu(F.max_pool2d(self.conv2(out), 2))
        out = F.dropout(out, 0.2, training=self.training)
        out = torch.flatten(out, 1)
        out = torch.relu(self.fc1(out))
        out = torch.relu(self.fc2(out))
        return self.fc3(out)
""",
    "nn_functional_layers_and_reshape": """        pool = nn.MaxPool2d(2)
        out = pool(nn.ReLU()(self.conv1(x)))
        out = pool(nn.ReLU()(self.conv2(out)))
        out = self.dropout(out).reshape(-1, 15 * 5 * 5)
        out = self.fc1(out).clamp(min=0)
        out = self.fc2(out).clamp(min=0)
        return self.fc3(out)
""",
}

MUTANTS = (
    [
        {"cell": "conv_output_size", "tests": _SIZE, "kind": "wrong", "name": k, "pack": True,
         "source": "def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):\n    " + v}
        for k, v in _SIZE_WRONG.items()
    ]
    + [
        {"cell": "conv_output_size", "tests": _SIZE, "kind": "correct", "name": k,
         "source": "def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):\n    " + v}
        for k, v in _SIZE_CORRECT.items()
    ]
    + [{"cell": "conv1_shape", "tests": _SHAPE, "kind": "wrong", "name": k, "pack": True, "source": v}
       for k, v in _SHAPE_WRONG.items()]
    + [{"cell": "conv1_shape_7x3", "tests": _SHAPE73, "kind": "wrong", "name": k, "pack": True, "source": v}
       for k, v in _SHAPE73_WRONG.items()]
    + [
        {"cell": "better_cnn", "tests": tests, "kind": "wrong", "name": k, "pack": True, "source": _INIT + body}
        for k, (tests, body) in _FWD_WRONG.items()
    ]
    + [
        {"cell": "better_cnn", "tests": _FWD + _ACC, "kind": "correct", "name": k, "source": _INIT + body}
        for k, body in _FWD_CORRECT.items()
    ]
)  # fmt: skip
