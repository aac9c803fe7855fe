"""Mutant bank for source/lab01/1_0_tensors.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.
"""

_SUM = "# Calculate the output of this network using the weights and bias tensors\n"
_MM = "# Calculate the output of this network using matrix multiplication\n"
_TWO = "# Your solution here\n"
_PAIR = '''def pairwise_sq_dist(a, b):
    """Squared Euclidean distances between the rows of a and the rows of b."""
'''

# Correct distances computed with Python loops: "correct" for test_pairwise_sq_dist, "wrong" for test_pairwise_no_loops.
_ROW_LOOP = _PAIR + "    return torch.stack([((row - b) ** 2).sum(dim=1) for row in a])\n"
_DOUBLE_LOOP = (
    _PAIR
    + "    D = torch.zeros(a.shape[0], b.shape[0], dtype=a.dtype)\n"
    + "    for i in range(a.shape[0]):\n"
    + "        for j in range(b.shape[0]):\n"
    + "            D[i, j] = ((a[i] - b[j]) ** 2).sum()\n"
    + "    return D\n"
)

MUTANTS = [
    # ---------------------------------------------------------------- Exercise 1: y_sum (neuron with torch.sum)
    {
        "cell": "neuron_sum",
        "tests": ["test_neuron_sum"],
        "kind": "wrong",
        "name": "hard_coded_full_precision",
        "source": _SUM + "y_sum = torch.tensor([[0.15950655937194824]])\nprint(y_sum)",
    },
    {
        "cell": "neuron_sum",
        "tests": ["test_neuron_sum"],
        "kind": "wrong",
        "name": "forgot_bias",
        "source": _SUM + "y_sum = activation(torch.sum(features * weights))\nprint(y_sum)",
    },
    {
        "cell": "neuron_sum",
        "tests": ["test_neuron_sum"],
        "kind": "wrong",
        "name": "no_activation",
        "source": _SUM + "y_sum = torch.sum(features * weights) + bias\nprint(y_sum)",
    },
    {
        "cell": "neuron_sum",
        "tests": ["test_neuron_sum"],
        "kind": "wrong",
        "name": "bias_inside_sum",
        "source": _SUM + "y_sum = activation(torch.sum(features * weights + bias))\nprint(y_sum)",
    },
    {
        "cell": "neuron_sum",
        "tests": ["test_neuron_sum"],
        "kind": "wrong",
        "name": "hard_coded_printed_value",
        "source": _SUM + "y_sum = torch.tensor([[0.1595]])\nprint(y_sum)",
    },
    {
        "cell": "neuron_sum",
        "tests": ["test_neuron_sum"],
        "kind": "wrong",
        "name": "python_float",
        "source": _SUM + "y_sum = activation(torch.sum(features * weights) + bias).item()\nprint(y_sum)",
    },
    {
        "cell": "neuron_sum",
        "tests": ["test_neuron_sum"],
        "kind": "wrong",
        "name": "element_wise_no_sum",
        "source": _SUM + "y_sum = activation(features * weights + bias)\nprint(y_sum)",
    },
    {
        "cell": "neuron_sum",
        "tests": ["test_neuron_sum"],
        "kind": "correct",
        "name": "method_sum",
        "source": _SUM + "y_sum = activation((features * weights).sum() + bias)\nprint(y_sum)",
    },
    {
        "cell": "neuron_sum",
        "tests": ["test_neuron_sum"],
        "kind": "correct",
        "name": "torch_sigmoid_scalar_bias",
        "source": _SUM + "y_sum = torch.sigmoid(torch.sum(features * weights, dim=1) + bias.item())\nprint(y_sum)",
    },
    # ---------------------------------------------------------------- Exercise 2: y_mm (matrix product)
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "wrong",
        "name": "hard_coded_full_precision",
        "source": _MM + "y_mm = torch.tensor([[0.15950655937194824]]) + 0 * torch.mm(features, weights.T)\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "correct",
        "name": "functional_linear",
        "source": _MM
        + "import torch.nn.functional as F\n\n"
        + "y_mm = activation(F.linear(features, weights, bias.view(1)))\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "wrong",
        "name": "sum_instead_of_matmul",
        "source": _MM + "y_mm = activation(torch.sum(features * weights) + bias)\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "wrong",
        "name": "copy_of_y_sum",
        "source": _MM + "y_mm = y_sum.clone()  # same value as torch.mm would give\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "wrong",
        "name": "element_wise_product",
        "source": _MM + "y_mm = activation(features * weights + bias)\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "wrong",
        "name": "outer_product_wrong_transpose",
        "source": _MM + "y_mm = activation(torch.mm(features.T, weights) + bias)\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "wrong",
        "name": "forgot_bias",
        "source": _MM + "y_mm = activation(torch.mm(features, weights.view(5, 1)))\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "wrong",
        "name": "one_dimensional_result",
        "source": _MM + "y_mm = activation(features[0] @ weights[0] + bias[0])\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "wrong",
        "name": "hard_coded_value",
        "source": _MM + "y_mm = torch.tensor([[0.1595]])  # torch.mm(features, weights.T)\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "correct",
        "name": "at_operator_transpose",
        "source": _MM + "y_mm = activation(features @ weights.T + bias)\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "correct",
        "name": "matmul_reshape",
        "source": _MM + "y_mm = torch.sigmoid(torch.matmul(features, weights.reshape(5, 1)) + bias)\nprint(y_mm)",
    },
    {
        "cell": "neuron_matmul",
        "tests": ["test_neuron_matmul"],
        "kind": "correct",
        "name": "method_mm_two_lines",
        "source": _MM + "z = features.mm(weights.t()) + bias\ny_mm = activation(z)\nprint(y_mm)",
    },
    # ---------------------------------------------------------------- Exercise 3: y_two_layer
    {
        "cell": "two_layer",
        "tests": ["test_two_layer"],
        "kind": "wrong",
        "name": "hard_coded_full_precision",
        "source": _TWO + "y_two_layer = torch.tensor([[0.3170831501483917]])\nprint(y_two_layer)",
    },
    {
        "cell": "two_layer",
        "tests": ["test_two_layer"],
        "kind": "wrong",
        "name": "no_hidden_activation",
        "source": _TWO + "y_two_layer = activation((features @ W1 + B1) @ W2 + B2)\nprint(y_two_layer)",
    },
    {
        "cell": "two_layer",
        "tests": ["test_two_layer"],
        "kind": "wrong",
        "name": "no_output_activation",
        "source": _TWO + "y_two_layer = activation(features @ W1 + B1) @ W2 + B2\nprint(y_two_layer)",
    },
    {
        "cell": "two_layer",
        "tests": ["test_two_layer"],
        "kind": "wrong",
        "name": "biases_swapped_into_wrong_layer",
        "source": _TWO + "y_two_layer = activation(activation(features @ W1 + B2) @ W2 + B2)\nprint(y_two_layer)",
    },
    {
        "cell": "two_layer",
        "tests": ["test_two_layer"],
        "kind": "wrong",
        "name": "hard_coded_expected_output",
        "source": _TWO + "y_two_layer = torch.tensor([[0.3171]])\nprint(y_two_layer)",
    },
    {
        "cell": "two_layer",
        "tests": ["test_two_layer"],
        "kind": "wrong",
        "name": "forgot_biases",
        "source": _TWO + "y_two_layer = activation(activation(features @ W1) @ W2)\nprint(y_two_layer)",
    },
    {
        "cell": "two_layer",
        "tests": ["test_two_layer"],
        "kind": "correct",
        "name": "sigmoid_one_line",
        "source": _TWO + "y_two_layer = torch.sigmoid(torch.sigmoid(features @ W1 + B1) @ W2 + B2)\nprint(y_two_layer)",
    },
    {
        "cell": "two_layer",
        "tests": ["test_two_layer"],
        "kind": "correct",
        "name": "matmul_hidden_variable",
        "source": _TWO
        + "hidden = activation(torch.matmul(features, W1) + B1)\n"
        + "y_two_layer = activation(torch.matmul(hidden, W2) + B2)\nprint(y_two_layer)",
    },
    # ---------------------------------------------------------------- Exercise 4: pairwise_sq_dist
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "square_rooted_cdist",
        "source": _PAIR + "    return torch.cdist(a, b)\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "sum_over_wrong_dim",
        "source": _PAIR + "    return ((a.unsqueeze(1) - b.unsqueeze(0)) ** 2).sum(dim=1)\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "transposed_M_by_N",
        "source": _PAIR + "    return ((b.unsqueeze(1) - a.unsqueeze(0)) ** 2).sum(dim=2)\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "mean_instead_of_sum",
        "source": _PAIR + "    return ((a[:, None, :] - b[None, :, :]) ** 2).mean(dim=-1)\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "expansion_sign_error",
        "source": _PAIR + "    return (a**2).sum(1, keepdim=True) + (b**2).sum(1) + 2 * a @ b.T\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "expansion_b_norm_as_column",
        "source": _PAIR + "    return (a**2).sum(1, keepdim=True) + (b**2).sum(1, keepdim=True) - 2 * a @ b.T\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "in_place_unsqueeze_of_input",
        "source": _PAIR + "    a.unsqueeze_(1)\n    return ((a - b) ** 2).sum(-1)\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "returns_numpy",
        "source": _PAIR
        + "    an, bn = a.numpy(), b.numpy()\n    return ((an[:, None, :] - bn[None, :, :]) ** 2).sum(-1)\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "no_unsqueeze_rowwise",
        "source": _PAIR + "    return ((a - b) ** 2).sum(dim=1, keepdim=True).expand(a.shape[0], b.shape[0])\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "abs_instead_of_square",
        "source": _PAIR + "    return (a.unsqueeze(1) - b.unsqueeze(0)).abs().sum(dim=2)\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "wrong",
        "name": "hard_coded_visible_example",
        "source": _PAIR + "    return torch.tensor([[0.0, 1.0], [2.0, 1.0], [25.0, 20.0]])\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist", "test_pairwise_no_loops"],
        "kind": "correct",
        "name": "cdist_squared",
        "source": _PAIR + "    return torch.cdist(a, b) ** 2\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist", "test_pairwise_no_loops"],
        "kind": "correct",
        "name": "expansion_clamped",
        "source": _PAIR
        + "    D = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T\n    return D.clamp(min=0)\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist", "test_pairwise_no_loops"],
        "kind": "correct",
        "name": "expansion_unclamped",
        "source": _PAIR + "    return (a**2).sum(1, keepdim=True) + (b**2).sum(1) - 2 * torch.mm(a, b.t())\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "correct",
        "name": "loop_over_rows",
        "source": _ROW_LOOP,
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist"],
        "kind": "correct",
        "name": "double_python_loop",
        "source": _DOUBLE_LOOP,
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_sq_dist", "test_pairwise_no_loops"],
        "kind": "correct",
        "name": "einsum_differences",
        "source": _PAIR + "    diff = a[:, None] - b[None]\n    return torch.einsum('nmd,nmd->nm', diff, diff)\n",
    },
    # Correct distances, but with Python loops: full marks on test_pairwise_sq_dist (above), not on the loop test.
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_no_loops"],
        "kind": "wrong",
        "name": "loops_loop_over_rows",
        "source": _ROW_LOOP,
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_no_loops"],
        "kind": "wrong",
        "name": "loops_double_python_loop",
        "source": _DOUBLE_LOOP,
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_no_loops"],
        "kind": "wrong",
        "name": "loops_over_features_in_a_helper",
        "source": "def _feature_term(a, b, k):\n"
        + "    return (a[:, k, None] - b[None, :, k]) ** 2\n\n\n"
        + _PAIR
        + "    D = torch.zeros(a.shape[0], b.shape[0], dtype=a.dtype)\n"
        + "    k = 0\n"
        + "    while k < a.shape[1]:\n"
        + "        D = D + _feature_term(a, b, k)\n"
        + "        k += 1\n"
        + "    return D\n",
    },
    {
        "cell": "pairwise_sq_dist",
        "tests": ["test_pairwise_no_loops"],
        "kind": "wrong",
        "name": "loops_map_with_lambda",
        "source": _PAIR + "    return torch.stack(list(map(lambda row: ((row - b) ** 2).sum(1), a)))\n",
    },
]
