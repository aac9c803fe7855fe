"""Mutant bank for source/lab01/1_4_matrix_factorisation.ipynb.

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must leave every listed test cell passing.  The manually graded cell
(svd_comparison) has no mutants.

The bank is large (every wrong answer was checked when it was written); the suite grades 4 wrong answers per test
cell by default, hard-coded ones first (COURSE_MUTANTS_PER_TEST=0 grades them all).
"""

PER_TEST = 4

_SGD_HEAD = (
    "def sgd_factorise(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> tuple[torch.Tensor, torch.Tensor]:\n"
    '    """Factorise A (m x n) as U @ V.T, U (m x rank), V (n x rank), by element-wise SGD from a U(0, 1) start."""\n'
    "    m, n = A.shape\n"
)
_SGD_TAIL = (
    "\n\nU, V = sgd_factorise(A, 2)\n"
    'sgd_loss = F.mse_loss(U @ V.T, A, reduction="sum")\n'
    'print("U @ V.T =\\n", U @ V.T)\n'
    'print(f"reconstruction error (sum of squares): {float(sgd_loss):.5f}")\n'
)
_INIT = "    U = torch.rand(m, rank)\n    V = torch.rand(n, rank)\n"
_LOOP = "    for _epoch in range(num_epochs):\n        for r in range(m):\n            for c in range(n):\n"


def _sgd(body: str, ret: str = "    return U, V\n", tail: str = _SGD_TAIL) -> str:
    return _SGD_HEAD + body + ret + tail


def _step(e: str = "A[r, c] - U[r] @ V[c]", u: str = "U[r] + lr * e * V[c]", v: str = "V[c] + lr * e * U[r]"):
    return f"                e = {e}\n                U[r] = {u}\n                V[c] = {v}\n"


_SVD_HEAD = (
    "def truncated_svd_reconstruction(A: torch.Tensor, rank: int) -> torch.Tensor:\n"
    '    """The best rank-`rank` approximation of A: its SVD with all but the `rank` largest singular values '
    'set to 0."""\n'
)
_SVD_TAIL = (
    "\n\nA_svd = truncated_svd_reconstruction(A, 2)\n"
    'svd_loss = F.mse_loss(A_svd, A, reduction="sum")\n'
    'print("truncated SVD reconstruction:\\n", A_svd)\n'
    'print(f"SVD error: {float(svd_loss):.5f}   SGD error: {float(sgd_loss):.5f}")\n'
)


def _svd(body: str, tail: str = _SVD_TAIL) -> str:
    return _SVD_HEAD + body + tail


_MASK_HEAD = (
    "def sgd_factorise_masked(\n"
    "    A: torch.Tensor, M: torch.Tensor, rank: int, num_epochs=1000, lr=0.01\n"
    ") -> tuple[torch.Tensor, torch.Tensor]:\n"
    '    """Element-wise SGD factorisation A ~ U @ V.T that uses only the entries of A where the mask M is 1."""\n'
    "    m, n = A.shape\n"
)


def _masked(body: str) -> str:
    return _MASK_HEAD + body + "    return U, V\n"


def _masked_loop(cond: str = "M[r, c] != 0", step: str | None = None, init: str = _INIT) -> str:
    step = step or _step()
    inner = "".join("    " + line + "\n" for line in step.rstrip("\n").split("\n"))
    return _masked(init + _LOOP + f"                if {cond}:\n" + inner)


_COMPLETION_HEAD = "# Build M, then complete A with a rank-2 masked factorisation; store U @ V.T in A_completed.\n"
_COMPLETION_TAIL = 'print("completed matrix:\\n", A_completed)\nprint("true matrix:\\n", A)\n'


def _completion(body: str) -> str:
    return _COMPLETION_HEAD + body + _COMPLETION_TAIL


_MASK_OK = "M = torch.ones_like(A)\nM[1, 0] = 0\nM[2, 1] = 0\n"

_T_SGD = ["test_sgd_factorise"]
_T_SVD = ["test_truncated_svd"]
_T_MASK = ["test_sgd_factorise_masked"]
_T_COMP = ["test_completion"]

MUTANTS = [
    # ---------------------------------------------------------------- sgd_factorise (and U, V, sgd_loss)
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "sign_error_in_residual",
        "source": _sgd(_INIT + _LOOP + _step(e="U[r] @ V[c] - A[r, c]")),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "no_V_update",
        "source": _sgd(
            _INIT + _LOOP + "                e = A[r, c] - U[r] @ V[c]\n                U[r] = U[r] + lr * e * V[c]\n"
        ),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "zeros_init",
        "source": _sgd("    U = torch.zeros(m, rank)\n    V = torch.zeros(n, rank)\n" + _LOOP + _step()),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "U_update_uses_U",
        "source": _sgd(_INIT + _LOOP + _step(u="U[r] + lr * e * U[r]")),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "mean_gradient_instead_of_per_element",
        "source": _sgd(
            _INIT + "    for _epoch in range(num_epochs):\n"
            "        E = A - U @ V.T\n"
            "        U, V = U + lr * E @ V / (m * n), V + lr * E.T @ U / (m * n)\n"
        ),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "off_by_one_rows",
        "source": _sgd(
            _INIT
            + "    for _epoch in range(num_epochs):\n        for r in range(m - 1):\n            for c in range(n):\n"
            + _step()
        ),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "V_returned_transposed",
        "source": _sgd(
            _INIT + _LOOP + _step(),
            ret="    return U, V.T\n",
            tail=_SGD_TAIL.replace("U, V = sgd_factorise(A, 2)\n", "U, Vt = sgd_factorise(A, 2)\nV = Vt.T\n"),
        ),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "ignores_num_epochs",
        "source": _sgd(_INIT + _LOOP.replace("range(num_epochs)", "range(1000)") + _step()),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "ignores_lr",
        "source": _sgd(_INIT + _LOOP + _step(u="U[r] + 0.01 * e * V[c]", v="V[c] + 0.01 * e * U[r]")),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "residual_written_into_A",
        "source": _sgd(
            _INIT + _LOOP + "                A[r, c] = A[r, c] - U[r] @ V[c]\n"
            "                U[r] = U[r] + lr * A[r, c] * V[c]\n"
            "                V[c] = V[c] + lr * A[r, c] * U[r]\n"
            "                A[r, c] = A[r, c] + U[r] @ V[c]\n"
        ),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "only_one_epoch",
        "source": _sgd(
            _INIT + "    for r in range(m):\n"
            "        for c in range(n):\n"
            "            e = A[r, c] - U[r] @ V[c]\n"
            "            U[r] = U[r] + lr * e * V[c]\n"
            "            V[c] = V[c] + lr * e * U[r]\n"
        ),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "wrong",
        "name": "hard_coded_sgd_loss",
        "source": _sgd(
            _INIT + _LOOP + _step(),
            tail=_SGD_TAIL.replace('sgd_loss = F.mse_loss(U @ V.T, A, reduction="sum")', "sgd_loss = 0.1220"),
        ),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "correct",
        "name": "simultaneous_update_with_dot",
        "source": _sgd(
            _INIT + _LOOP + "                e = A[r, c] - torch.dot(U[r], V[c])\n"
            "                u_old = U[r].clone()\n"
            "                U[r] += lr * e * V[c]\n"
            "                V[c] += lr * e * u_old\n"
        ),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "correct",
        "name": "random_order_float64_item",
        "source": _sgd(
            "    U = torch.rand(m, rank, dtype=torch.float64)\n"
            "    V = torch.rand(n, rank, dtype=torch.float64)\n"
            "    A64 = A.double()\n"
            "    for _epoch in range(num_epochs):\n"
            "        for idx in torch.randperm(m * n).tolist():\n"
            "            r, c = divmod(idx, n)\n"
            "            e = (A64[r, c] - U[r] @ V[c]).item()\n"
            "            U[r], V[c] = U[r] + lr * e * V[c], V[c] + lr * e * U[r]\n",
            tail=_SGD_TAIL.replace(
                'sgd_loss = F.mse_loss(U @ V.T, A, reduction="sum")',
                'sgd_loss = F.mse_loss(U @ V.T, A.double(), reduction="sum").item()',
            ),
        ),
    },
    {
        "cell": "sgd_factorise",
        "tests": _T_SGD,
        "kind": "correct",
        "name": "slices_and_torch_mm",
        "source": _sgd(
            "    U = torch.rand((m, rank))\n"
            "    V = torch.rand((n, rank))\n"
            "    for epoch in range(num_epochs):\n"
            "        for r in range(m):\n"
            "            for c in range(n):\n"
            "                e = A[r, c] - (U[r, :] * V[c, :]).sum()\n"
            "                U[r, :] += lr * e * V[c, :]\n"
            "                V[c, :] += lr * e * U[r, :]\n",
            tail=_SGD_TAIL.replace(
                'sgd_loss = F.mse_loss(U @ V.T, A, reduction="sum")',
                'sgd_loss = torch.nn.functional.mse_loss(torch.mm(U, V.t()), A, reduction="sum")',
            ),
        ),
    },
    # ---------------------------------------------------------------- truncated_svd_reconstruction (A_svd, svd_loss)
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "wrong",
        "name": "no_truncation",
        "source": _svd(
            "    U_s, S, Vh = torch.linalg.svd(A, full_matrices=False)\n    return U_s @ torch.diag(S) @ Vh\n"
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "wrong",
        "name": "keeps_smallest_singular_values",
        "source": _svd(
            "    U_s, S, Vh = torch.linalg.svd(A, full_matrices=False)\n"
            "    S = S.clone()\n"
            "    S[: len(S) - rank] = 0\n"
            "    return U_s @ torch.diag(S) @ Vh\n"
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "wrong",
        "name": "Vh_transposed_again",
        "source": _svd(
            "    U_s, S, Vh = torch.linalg.svd(A, full_matrices=False)\n"
            "    S = S.clone()\n"
            "    S[rank:] = 0\n"
            "    return U_s @ torch.diag(S) @ Vh.T\n"
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "wrong",
        "name": "only_last_singular_value_zeroed",
        "source": _svd(
            "    U_s, S, Vh = torch.linalg.svd(A, full_matrices=False)\n"
            "    S = S.clone()\n"
            "    S[-1] = 0\n"
            "    return U_s @ torch.diag(S) @ Vh\n"
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "wrong",
        "name": "off_by_one_keeps_rank_plus_one",
        "source": _svd(
            "    U_s, S, Vh = torch.linalg.svd(A, full_matrices=False)\n"
            "    S = S.clone()\n"
            "    S[rank + 1 :] = 0\n"
            "    return U_s @ torch.diag(S) @ Vh\n"
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "wrong",
        "name": "full_matrices_default",
        "source": _svd(
            "    U_s, S, Vh = torch.linalg.svd(A)\n"
            "    S = S.clone()\n"
            "    S[rank:] = 0\n"
            "    return U_s @ torch.diag(S) @ Vh\n"
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "wrong",
        "name": "modifies_A_in_place",
        "source": _svd(
            "    U_s, S, Vh = torch.linalg.svd(A, full_matrices=False)\n"
            "    S[rank:] = 0\n"
            "    A.copy_(U_s @ torch.diag(S) @ Vh)\n"
            "    return A.clone()\n",
            tail=_SVD_TAIL.replace(
                "A_svd = truncated_svd_reconstruction(A, 2)\n",
                "A_svd = truncated_svd_reconstruction(A.clone(), 2)\n",
            ),
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "wrong",
        "name": "hard_coded_svd_loss",
        "source": _svd(
            "    U_s, S, Vh = torch.linalg.svd(A, full_matrices=False)\n"
            "    S = S.clone()\n"
            "    S[rank:] = 0\n"
            "    return U_s @ torch.diag(S) @ Vh\n",
            tail=_SVD_TAIL.replace('svd_loss = F.mse_loss(A_svd, A, reduction="sum")', "svd_loss = 0.12191"),
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "correct",
        "name": "slice_the_factors",
        "source": _svd(
            "    U_s, S, Vh = torch.linalg.svd(A, full_matrices=False)\n"
            "    return U_s[:, :rank] @ torch.diag(S[:rank]) @ Vh[:rank, :]\n"
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "correct",
        "name": "sum_of_outer_products_old_torch_svd",
        "source": _svd(
            "    U_s, S, V_s = torch.svd(A)\n"
            "    out = torch.zeros_like(A)\n"
            "    for i in range(rank):\n"
            "        out += S[i] * torch.outer(U_s[:, i], V_s[:, i])\n"
            "    return out\n",
            tail=_SVD_TAIL.replace(
                'svd_loss = F.mse_loss(A_svd, A, reduction="sum")', "svd_loss = ((A_svd - A) ** 2).sum().item()"
            ),
        ),
    },
    {
        "cell": "truncated_svd",
        "tests": _T_SVD,
        "kind": "correct",
        "name": "numpy_svd",
        "source": "import numpy as np\n\n\n"
        + _svd(
            "    u, s, vh = np.linalg.svd(A.numpy(), full_matrices=False)\n"
            "    s[rank:] = 0\n"
            "    return torch.from_numpy((u * s) @ vh)\n"
        ),
    },
    # ---------------------------------------------------------------- sgd_factorise_masked
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "ignores_the_mask",
        "source": _masked(_INIT + _LOOP + _step()),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "inverted_mask",
        "source": _masked_loop(cond="M[r, c] == 0"),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "fits_zeros_at_missing_entries",
        "source": _masked("    B = A * M\n" + _INIT + _LOOP + _step(e="B[r, c] - U[r] @ V[c]")),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "mask_only_on_U_update",
        "source": _masked(
            _INIT + _LOOP + "                e = A[r, c] - U[r] @ V[c]\n"
            "                U[r] = U[r] + lr * e * M[r, c] * V[c]\n"
            "                V[c] = V[c] + lr * e * U[r]\n"
        ),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "mask_indexed_transposed",
        "source": _masked_loop(cond="M[c, r] != 0"),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "sign_error_in_residual",
        "source": _masked_loop(step=_step(e="U[r] @ V[c] - A[r, c]")),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "no_V_update",
        "source": _masked_loop(
            step="                e = A[r, c] - U[r] @ V[c]\n                U[r] = U[r] + lr * e * V[c]\n"
        ),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "zeros_init",
        "source": _masked_loop(init="    U = torch.zeros(m, rank)\n    V = torch.zeros(n, rank)\n"),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "ignores_num_epochs",
        "source": _masked_loop().replace("range(num_epochs)", "range(1000)"),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "wrong",
        "name": "ignores_lr",
        "source": _masked_loop(step=_step(u="U[r] + 0.05 * e * V[c]", v="V[c] + 0.05 * e * U[r]")),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK,
        "kind": "correct",
        "name": "residual_times_mask",
        "source": _masked(_INIT + _LOOP + _step(e="(A[r, c] - U[r] @ V[c]) * M[r, c]")),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK + _T_COMP,
        "kind": "correct",
        "name": "observed_index_list_simultaneous",
        "source": _masked(
            "    U = torch.rand(m, rank, dtype=A.dtype)\n"
            "    V = torch.rand(n, rank, dtype=A.dtype)\n"
            "    observed = torch.nonzero(M).tolist()\n"
            "    for _epoch in range(num_epochs):\n"
            "        for r, c in observed:\n"
            "            e = A[r, c] - U[r] @ V[c]\n"
            "            U[r], V[c] = U[r] + lr * e * V[c], V[c] + lr * e * U[r]\n"
        ),
    },
    {
        "cell": "sgd_factorise_masked",
        "tests": _T_MASK + _T_COMP,
        "kind": "correct",
        "name": "continue_on_missing",
        "source": _masked(
            _INIT + _LOOP + "                if M[r, c] == 0:\n"
            "                    continue\n"
            "                e = A[r, c] - torch.dot(U[r], V[c])\n"
            "                u_old = U[r].clone()\n"
            "                U[r] += lr * e * V[c]\n"
            "                V[c] += lr * e * u_old\n"
        ),
    },
    # ---------------------------------------------------------------- completion (M, A_completed)
    {
        "cell": "completion",
        "tests": _T_COMP,
        "kind": "wrong",
        "name": "hard_coded_A_completed",
        "source": _completion(
            _MASK_OK + "A_completed = torch.tensor([[0.3567, 0.5948, 0.1509], [2.2158, 0.0496, 1.8342], "
            "[2.9376, 0.7369, 2.2667]])\n"
        ),
    },
    {
        "cell": "completion",
        "tests": _T_COMP,
        "kind": "wrong",
        "name": "rows_and_columns_swapped",
        "source": _completion(
            "M = torch.ones_like(A)\nM[0, 1] = 0\nM[1, 2] = 0\n"
            "U_c, V_c = sgd_factorise_masked(A, M, 2)\nA_completed = U_c @ V_c.T\n"
        ),
    },
    {
        "cell": "completion",
        "tests": _T_COMP,
        "kind": "wrong",
        "name": "inverted_mask",
        "source": _completion(
            "M = torch.zeros_like(A)\nM[1, 0] = 1\nM[2, 1] = 1\n"
            "U_c, V_c = sgd_factorise_masked(A, M, 2)\nA_completed = U_c @ V_c.T\n"
        ),
    },
    {
        "cell": "completion",
        "tests": _T_COMP,
        "kind": "wrong",
        "name": "rows_counted_from_one",
        "source": _completion(
            "M = torch.ones_like(A)\nM[2, 0] = 0\nM[2, 1] = 0\n"
            "U_c, V_c = sgd_factorise_masked(A, M, 2)\nA_completed = U_c @ V_c.T\n"
        ),
    },
    {
        "cell": "completion",
        "tests": _T_COMP,
        "kind": "wrong",
        "name": "unmasked_factorisation_of_zeroed_A",
        "source": _completion(_MASK_OK + "U_c, V_c = sgd_factorise(A * M, 2)\nA_completed = U_c @ V_c.T\n"),
    },
    {
        "cell": "completion",
        "tests": _T_COMP,
        "kind": "wrong",
        "name": "rank_one",
        "source": _completion(_MASK_OK + "U_c, V_c = sgd_factorise_masked(A, M, 1)\nA_completed = U_c @ V_c.T\n"),
    },
    {
        "cell": "completion",
        "tests": _T_COMP,
        "kind": "wrong",
        "name": "V_times_U_transposed",
        "source": _completion(_MASK_OK + "U_c, V_c = sgd_factorise_masked(A, M, 2)\nA_completed = V_c @ U_c.T\n"),
    },
    {
        "cell": "completion",
        "tests": _T_COMP,
        "kind": "correct",
        "name": "mask_literal_and_zeroed_A",
        "source": _completion(
            "M = torch.tensor([[1.0, 1.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])\n"
            "A_observed = A * M\n"
            "U_c, V_c = sgd_factorise_masked(A_observed, M, rank=2)\n"
            "A_completed = torch.mm(U_c, V_c.t())\n"
        ),
    },
    {
        "cell": "completion",
        "tests": _T_COMP,
        "kind": "correct",
        "name": "keyword_arguments_zeroed_A",
        "source": _completion(
            "M = torch.ones(3, 3)\nM[1, 0] = M[2, 1] = 0\n"
            "A_missing = A.clone()\nA_missing[M == 0] = 0.0\n"
            "U_c, V_c = sgd_factorise_masked(A=A_missing, M=M, rank=2, num_epochs=1000, lr=0.01)\n"
            "A_completed = U_c @ V_c.T\n"
        ),
    },
]
