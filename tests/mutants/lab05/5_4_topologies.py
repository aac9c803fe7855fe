"""Mutant bank of lab 5.4 (branching, merging and residual blocks).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  Both tests build their own models, so
wrong answers are packed.
"""

_CAT = ["test_branch_concat"]
_RES = ["test_residual_block"]

_CAT_HEAD = """class BranchConcatModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.left = nn.Conv2d(1, 16, (1, 1))
        self.right = nn.Conv2d(1, 16, (5, 5), padding=2)
        self.fc1 = nn.Linear(32 * 14 * 14, 128)
        self.fc2 = nn.Linear(128, 10)
        self.dropout = nn.Dropout(0.2)

    def forward(self, x):
"""


def _cat(merge="torch.cat([left, right], dim=1)", branches="F.relu(self.left(x)), F.relu(self.right(x))",
         dropout="self.dropout(out)"):  # fmt: skip
    return f"""        left, right = {branches}
        out = {merge}
        out = F.max_pool2d(out, (2, 2))
        out = {dropout}
        out = out.view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        return self.fc2(out)
"""


_CAT_WRONG = {
    "concatenates_the_batch": _cat(merge="torch.cat([left, right], dim=0)"),
    "sums_instead": _cat(merge="left + right"),
    "right_before_left": _cat(merge="torch.cat([right, left], dim=1)"),
    # the shapes still fit fc1 (16 * 28 * 14 == 32 * 14 * 14), the features do not
    "concatenates_along_height": _cat(merge="torch.cat([left, right], dim=2)"),
    "branches_without_relu": _cat(branches="self.left(x), self.right(x)"),
    "dropout_always_on": _cat(dropout="F.dropout(out, 0.2)"),
    "forgets_dropout": _cat(dropout="out"),
}

_CAT_CORRECT = {
    # ReLU and max-pooling act on each channel separately, so they commute with the concatenation
    "relu_and_pool_after_cat": """        out = torch.cat((self.left(x), self.right(x)), 1).relu()
        out = F.max_pool2d(out, 2)
        out = F.dropout(out, p=0.2, training=self.training)
        return self.fc2(F.relu(self.fc1(torch.flatten(out, start_dim=1))))
""",
    "pool_each_branch_first": """        left = F.max_pool2d(F.relu(self.left(x)), 2)
        right = F.max_pool2d(F.relu(self.right(x)), 2)
        out = self.dropout(torch.cat([left, right], dim=-3))
        return self.fc2(F.relu(self.fc1(out.reshape(len(out), -1))))
""",
}

_RES_HEAD = """class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
"""

_RES_WRONG = {
    "no_skip_connection": """        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)))
""",
    # fails the visible check too (negative outputs)
    "relu_before_the_sum": """        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out))) + x
""",
    "skip_before_bn2": """        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out) + x))
""",
    "forgets_bn2": """        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.conv2(out) + x)
""",
    "bn1_used_twice": """        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn1(self.conv2(out)) + x)
""",
    # right values, but the caller's tensor is overwritten
    "adds_into_the_input": """        out = F.relu(self.bn1(self.conv1(x)))
        x += self.bn2(self.conv2(out))
        return F.relu(x)
""",
    "conv2_skipped": """        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(out) + x)
""",
}

_RES_CORRECT = {
    "in_place_on_the_branch": """        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = out.relu()
        out = self.bn2(self.conv2(out))
        out += identity
        return out.relu()
""",
    "modules_and_add": """        relu = nn.ReLU()
        residual = self.bn2(self.conv2(relu(self.bn1(self.conv1(x)))))
        return relu(torch.add(residual, x))
""",
}

MUTANTS = (
    [{"cell": "branch_concat", "tests": _CAT, "kind": "wrong", "name": k, "pack": True, "source": _CAT_HEAD + v}
     for k, v in _CAT_WRONG.items()]
    + [{"cell": "branch_concat", "tests": _CAT, "kind": "correct", "name": k, "source": _CAT_HEAD + v}
       for k, v in _CAT_CORRECT.items()]
    + [{"cell": "residual_block", "tests": _RES, "kind": "wrong", "name": k, "pack": True, "source": _RES_HEAD + v}
       for k, v in _RES_WRONG.items()]
    + [{"cell": "residual_block", "tests": _RES, "kind": "correct", "name": k, "source": _RES_HEAD + v}
       for k, v in _RES_CORRECT.items()]
)  # fmt: skip
