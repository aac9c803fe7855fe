"""Mutant bank for source/lab03/3_3_nn_blocks.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.
"""

_CALC = '''def calc_output(images, w1, b1, w2, b2):
    """Logits (N, 10) of the 784-256-10 network with a sigmoid hidden layer for a batch of images (N, 1, 28, 28)."""
'''
_CALC_END = "\n\n\nout = calc_output(images, w1, b1, w2, b2)\nprint(out.shape)"

_SOFT = '''def softmax(x):
    """Row-wise softmax of a tensor x of shape (N, K)."""
'''
_SOFT_END = "\n\n\nprobabilities = softmax(out)\nprint(probabilities.shape)\nprint(probabilities.sum(dim=1)[:8])"


def _net(init, forward):
    return (
        "class Network(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        f"{init}\n"
        "    def forward(self, x):\n"
        f"{forward}\n\n\n"
        "model = Network()\nmodel"
    )


_INIT = (
    "        self.fc1 = nn.Linear(784, 128)\n"
    "        self.fc2 = nn.Linear(128, 64)\n"
    "        self.fc3 = nn.Linear(64, 10)\n"
)
_FWD = (
    "        x = F.relu(self.fc1(x))\n"
    "        x = F.relu(self.fc2(x))\n"
    "        x = F.softmax(self.fc3(x), dim=1)\n"
    "        return x"
)

_SEQ_HEAD = "input_size = 784\nhidden_sizes = [128, 64]\noutput_size = 10\n\n"


def _seq(*layers):
    return _SEQ_HEAD + "seq_model = nn.Sequential(\n" + "".join(f"    {m},\n" for m in layers) + ")\nprint(seq_model)"


_LIN = ["nn.Linear(784, 128)", "nn.ReLU()", "nn.Linear(128, 64)", "nn.ReLU()", "nn.Linear(64, 10)"]


def _reshape(init, forward):
    return (
        "class Reshape(nn.Module):\n"
        '    """Reshape all dimensions but the batch one: Reshape(2, 3) maps (N, 6) to (N, 2, 3)."""\n\n'
        f"{init}\n"
        "    def forward(self, x):\n"
        f"{forward}\n\n\n"
        "print(Reshape(2, 3)(torch.arange(12.0).view(2, 6)))"
    )


_RINIT = "    def __init__(self, *shape):\n        super().__init__()\n        self.shape = shape\n"

MUTANTS = [
    # ------------------------------------------------------------------ Exercise 1: calc_output
    {
        "cell": "calc_output",
        "tests": ["test_calc_output"],
        "kind": "wrong",
        "name": "sigmoid_on_output",
        "source": _CALC + "    inputs = images.view(images.shape[0], -1)\n"
        "    return activation(activation(inputs @ w1 + b1) @ w2 + b2)" + _CALC_END,
    },
    {
        "cell": "calc_output",
        "tests": ["test_calc_output"],
        "kind": "wrong",
        "name": "no_hidden_activation",
        "source": _CALC + "    inputs = images.view(images.shape[0], -1)\n"
        "    return (inputs @ w1 + b1) @ w2 + b2" + _CALC_END,
    },
    {
        "cell": "calc_output",
        "tests": ["test_calc_output"],
        "kind": "wrong",
        "name": "hard_coded_batch",
        "source": _CALC + "    inputs = images.view(64, 784)\n"
        "    return activation(inputs @ w1 + b1) @ w2 + b2" + _CALC_END,
    },
    {
        "cell": "calc_output",
        "tests": ["test_calc_output"],
        "kind": "wrong",
        "name": "relu_hidden",
        "source": _CALC + "    inputs = images.view(images.shape[0], -1)\n"
        "    return torch.relu(inputs @ w1 + b1) @ w2 + b2" + _CALC_END,
    },
    {
        "cell": "calc_output",
        "tests": ["test_calc_output"],
        "kind": "wrong",
        "name": "resize_in_place",
        "source": _CALC + "    images.resize_(images.shape[0], 784)\n"
        "    return activation(images @ w1 + b1) @ w2 + b2" + _CALC_END,
    },
    {
        "cell": "calc_output",
        "tests": ["test_calc_output"],
        "kind": "wrong",
        "name": "forgot_output_bias",
        "source": _CALC + "    inputs = torch.flatten(images, start_dim=1)\n"
        "    return activation(inputs @ w1 + b1) @ w2" + _CALC_END,
    },
    {
        "cell": "calc_output",
        "tests": ["test_calc_output"],
        "kind": "wrong",
        "name": "softmax_on_output",
        "source": _CALC + "    inputs = images.view(images.shape[0], -1)\n"
        "    return torch.softmax(activation(inputs @ w1 + b1) @ w2 + b2, dim=1)" + _CALC_END,
    },
    {
        "cell": "calc_output",
        "tests": ["test_calc_output"],
        "kind": "correct",
        "name": "flatten_and_sigmoid",
        "source": _CALC + "    x = torch.flatten(images, start_dim=1)\n"
        "    h = torch.sigmoid(torch.matmul(x, w1) + b1)\n    return torch.matmul(h, w2) + b2" + _CALC_END,
    },
    {
        "cell": "calc_output",
        "tests": ["test_calc_output"],
        "kind": "correct",
        "name": "view_minus_one_784",
        "source": _CALC
        + "    x = images.reshape(-1, 784)\n    return activation(x.mm(w1) + b1).mm(w2) + b2"
        + _CALC_END,
    },
    # ------------------------------------------------------------------ Exercise 2: softmax
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "wrong",
        "name": "original_retrun_global_sum",
        "source": _SOFT + "    return torch.exp(x) / torch.sum(torch.exp(x))" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "wrong",
        "name": "wrong_dim",
        "source": _SOFT + "    return torch.exp(x) / torch.sum(torch.exp(x), dim=0)" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "wrong",
        "name": "missing_keepdim",
        "source": _SOFT + "    return torch.exp(x) / torch.sum(torch.exp(x), dim=1)" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "wrong",
        "name": "no_normalisation",
        "source": _SOFT + "    return torch.exp(x)" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "wrong",
        "name": "normalise_without_exp",
        "source": _SOFT + "    return x / x.sum(dim=1, keepdim=True)" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "wrong",
        "name": "in_place_exp",
        "source": _SOFT + "    e = x.exp_()\n    return e / e.sum(dim=1, keepdim=True)" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "wrong",
        "name": "calls_torch_softmax",
        "source": _SOFT + "    return F.softmax(x, dim=1)" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "wrong",
        "name": "softmax_module_under_an_alias",
        "source": _SOFT + "    layer = nn.Softmax(dim=1)\n    return layer(x)" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "wrong",
        "name": "exp_of_log_softmax",
        "source": _SOFT + "    return x.log_softmax(dim=1).exp()" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "correct",
        "name": "helper_named_row_softmax",
        "source": "def row_softmax(z):\n"
        + '    """softmax(z) of each row, shifted by the row maximum for stability."""\n'
        + "    e = torch.exp(z - z.amax(dim=1, keepdim=True))\n"
        + "    return e / torch.sum(e, dim=1, keepdim=True)\n\n\n"
        + _SOFT
        + "    return row_softmax(x)  # softmax(x) by hand"
        + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "correct",
        "name": "keepdim_stable",
        "source": _SOFT + "    e = torch.exp(x - x.max(dim=1, keepdim=True).values)\n"
        "    return e / e.sum(dim=1, keepdim=True)" + _SOFT_END,
    },
    {
        "cell": "softmax",
        "tests": ["test_softmax"],
        "kind": "correct",
        "name": "unsqueeze",
        "source": _SOFT
        + "    # (softmax over each row)\n    ex = x.exp()\n    return ex / ex.sum(1).unsqueeze(1)"
        + _SOFT_END,
    },
    # ------------------------------------------------------------------ Exercise 3: Network
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "wrong",
        "name": "sigmoid_hidden",
        "source": _net(_INIT, _FWD.replace("F.relu", "torch.sigmoid")),
    },
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "wrong",
        "name": "no_softmax",
        "source": _net(_INIT, _FWD.replace("F.softmax(self.fc3(x), dim=1)", "self.fc3(x)")),
    },
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "wrong",
        "name": "softmax_dim0",
        "source": _net(_INIT, _FWD.replace("dim=1", "dim=0")),
    },
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "wrong",
        "name": "missing_second_relu",
        "source": _net(_INIT, _FWD.replace("x = F.relu(self.fc2(x))", "x = self.fc2(x)")),
    },
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "wrong",
        "name": "wrong_hidden_sizes",
        "source": _net(_INIT.replace("128", "256"), _FWD),
    },
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "wrong",
        "name": "other_layer_names",
        "source": _net(
            "        self.hidden1 = nn.Linear(784, 128)\n        self.hidden2 = nn.Linear(128, 64)\n"
            "        self.output = nn.Linear(64, 10)\n",
            "        x = F.relu(self.hidden1(x))\n        x = F.relu(self.hidden2(x))\n"
            "        return F.softmax(self.output(x), dim=1)",
        ),
    },
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "wrong",
        "name": "log_softmax",
        "source": _net(_INIT, _FWD.replace("F.softmax", "F.log_softmax")),
    },
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "wrong",
        "name": "extra_layer",
        "source": _net(
            _INIT + "        self.fc4 = nn.Linear(10, 10)\n",
            _FWD.replace("F.softmax(self.fc3(x), dim=1)", "F.softmax(self.fc4(F.relu(self.fc3(x))), dim=1)"),
        ),
    },
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "correct",
        "name": "activation_modules",
        "source": _net(
            _INIT + "        self.relu = nn.ReLU()\n        self.softmax = nn.Softmax(dim=1)\n",
            "        x = self.relu(self.fc1(x))\n        x = self.relu(self.fc2(x))\n"
            "        return self.softmax(self.fc3(x))",
        ),
    },
    {
        "cell": "network",
        "tests": ["test_network"],
        "kind": "correct",
        "name": "flattens_and_softmax_last_dim",
        "source": _net(
            _INIT,
            "        x = x.view(x.shape[0], -1)\n        x = torch.relu(self.fc1(x))\n"
            "        x = torch.relu(self.fc2(x))\n        return torch.softmax(self.fc3(x), dim=-1)",
        ),
    },
    # ------------------------------------------------------------------ Exercise 4: seq_model
    {"cell": "seq_model", "tests": ["test_seq_model"], "kind": "wrong", "name": "no_softmax", "source": _seq(*_LIN)},
    {
        "cell": "seq_model",
        "tests": ["test_seq_model"],
        "kind": "wrong",
        "name": "softmax_dim0",
        "source": _seq(*_LIN, "nn.Softmax(dim=0)"),
    },
    {
        "cell": "seq_model",
        "tests": ["test_seq_model"],
        "kind": "wrong",
        "name": "missing_relu",
        "source": _seq(
            "nn.Linear(784, 128)", "nn.ReLU()", "nn.Linear(128, 64)", "nn.Linear(64, 10)", "nn.Softmax(dim=1)"
        ),
    },
    {
        "cell": "seq_model",
        "tests": ["test_seq_model"],
        "kind": "wrong",
        "name": "sigmoid",
        "source": _seq(*[m.replace("ReLU", "Sigmoid") for m in _LIN], "nn.Softmax(dim=1)"),
    },
    {
        "cell": "seq_model",
        "tests": ["test_seq_model"],
        "kind": "wrong",
        "name": "module_list",
        "source": _SEQ_HEAD
        + "seq_model = nn.ModuleList(["
        + ", ".join(_LIN)
        + ", nn.Softmax(dim=1)])\nprint(seq_model)",
    },
    {
        "cell": "seq_model",
        "tests": ["test_seq_model"],
        "kind": "wrong",
        "name": "relu_after_output",
        "source": _seq(*_LIN, "nn.ReLU()", "nn.Softmax(dim=1)"),
    },
    {
        "cell": "seq_model",
        "tests": ["test_seq_model"],
        "kind": "correct",
        "name": "ordered_dict",
        "source": _SEQ_HEAD + "seq_model = nn.Sequential(OrderedDict([\n"
        "    ('fc1', nn.Linear(784, 128)), ('relu1', nn.ReLU()), ('fc2', nn.Linear(128, 64)),\n"
        "    ('relu2', nn.ReLU()), ('fc3', nn.Linear(64, 10)), ('softmax', nn.Softmax(dim=-1))]))\n"
        "print(seq_model)",
    },
    {
        "cell": "seq_model",
        "tests": ["test_seq_model"],
        "kind": "correct",
        "name": "with_flatten",
        "source": _seq("nn.Flatten()", *_LIN, "nn.Softmax(dim=1)"),
    },
    # ------------------------------------------------------------------ Exercise 5: Reshape
    {
        # the original's suggested answer: right on contiguous inputs (test_reshape), fails on non-contiguous ones
        "cell": "reshape",
        "tests": ["test_reshape"],
        "kind": "correct",
        "name": "view_the_original_answer",
        "source": _reshape(_RINIT, "        return x.view(x.shape[0], *self.shape)"),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape_non_contiguous"],
        "kind": "wrong",
        "name": "view_fails_non_contiguous",
        "source": _reshape(_RINIT, "        return x.view(x.shape[0], *self.shape)"),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape_non_contiguous"],
        "kind": "wrong",
        "name": "view_with_size",
        "source": _reshape(_RINIT, "        return x.view(x.size(0), *self.shape)"),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape_non_contiguous"],
        "kind": "wrong",
        "name": "view_with_len",
        "source": _reshape(_RINIT, "        batch = len(x)\n        return x.view(batch, *self.shape)"),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape"],
        "kind": "wrong",
        "name": "forgets_batch_dim",
        "source": _reshape(_RINIT, "        return x.reshape(*self.shape)"),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape"],
        "kind": "wrong",
        "name": "minus_one_batch",
        "source": _reshape(_RINIT, "        return x.reshape(-1, *self.shape)"),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape"],
        "kind": "wrong",
        "name": "squeezes_batch_of_one",
        "source": _reshape(_RINIT, "        return x.reshape(x.shape[0], *self.shape).squeeze()"),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape"],
        "kind": "wrong",
        "name": "single_tuple_argument",
        "source": _reshape(
            "    def __init__(self, shape):\n        super().__init__()\n        self.shape = shape\n",
            "        return x.reshape(x.shape[0], *self.shape)",
        ),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape"],
        "kind": "wrong",
        "name": "not_a_module",
        "source": "class Reshape:\n    def __init__(self, *shape):\n        self.shape = shape\n\n"
        "    def __call__(self, x):\n        return x.reshape(x.shape[0], *self.shape)\n\n\n"
        "print(Reshape(2, 3)(torch.arange(12.0).view(2, 6)))",
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape"],
        "kind": "wrong",
        "name": "hard_coded_batch",
        "source": _reshape(
            _RINIT, "        return x.reshape(5, *self.shape) if x.shape[0] == 5 else x.reshape(3, *self.shape)"
        ),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape", "test_reshape_non_contiguous"],
        "kind": "correct",
        "name": "flatten_then_view",
        "source": _reshape(_RINIT, "        return x.flatten(1).view(x.size(0), *self.shape)"),
    },
    {
        "cell": "reshape",
        "tests": ["test_reshape", "test_reshape_non_contiguous"],
        "kind": "correct",
        "name": "contiguous_view_extra_repr",
        "source": _reshape(
            "    def __init__(self, *shape):\n        super().__init__()\n        self.target = tuple(shape)\n\n"
            "    def extra_repr(self):\n        return f'shape={self.target}'\n",
            "        return x.contiguous().view(x.size(0), *self.target)",
        ),
    },
]
