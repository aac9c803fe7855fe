"""Mutant bank of lab 5.6 (corrupted MNIST and the three scripts).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  The main.py test runs all three scripts,
so wrong main.py answers are graded alone; the other tests use only their own answer cell and are packed.
"""

_CORRUPTION = ["test_corruption"]
_ANGLE = ["test_estimate_angle"]
_MODEL = ["test_model_py"]
_DATA = ["test_data_py"]
_MAIN = ["test_main_py"]

# --- corruption ------------------------------------------------------------------------------------------------
_CORRUPTION_WRONG = {k: f'corruption = "{k}"' for k in ("shift", "scaling", "blur", "gaussian noise")}

# --- estimate_angle --------------------------------------------------------------------------------------------
_ANGLE_HEAD = '''def estimate_angle(corrupted, original):
    """The counter-clockwise rotation (degrees) that turns `original` [28, 28] into (about) `corrupted` [28, 28]."""
'''


def _search(coarse="torch.arange(-90.0, 90.5, 1.0)", fine=True, target="corrupted", pick="min", result="best"):
    refine = "    best = best_of(torch.arange(best - 1.0, best + 1.05, 0.1))\n" if fine else ""
    return f"""    def best_of(angles):
        errors = torch.tensor([
            ((TF.rotate(original[None], float(a), interpolation=TF.InterpolationMode.BILINEAR)[0] - {target}) ** 2).mean()
            for a in angles
        ])
        return float(angles[errors.arg{pick}()])

    best = best_of({coarse})
{refine}    return {result}
"""  # noqa: E501


_ANGLE_WRONG = {
    "sign_flipped": _search(result="-best"),
    "radians": _search(result="best * 3.141592653589793 / 180"),
    # assumes the answer: only [-50, 50] is searched
    "searches_only_plus_minus_50": _search(coarse="torch.arange(-50.0, 50.5, 1.0)"),
    "coarse_steps_of_10_degrees": _search(coarse="torch.arange(-90.0, 90.5, 10.0)", fine=False),
    "worst_match": _search(pick="max"),
    # compares the rotated original with itself: always 0
    "compares_with_the_original": _search(target="original"),
}

_ANGLE_CORRECT = {
    "batched_rotation_and_half_degree_steps": """    from course.corrupt_mnist import rotate

    angles = torch.arange(-100.0, 100.25, 0.5)
    candidates = rotate(original.expand(len(angles), 28, 28), angles)
    errors = ((candidates - corrupted) ** 2).flatten(1).sum(1)
    return angles[errors.argmin()]
""",
    "correlation_and_loop": """    best, best_score = 0.0, -float("inf")
    for tenth in range(-900, 901, 5):
        angle = tenth / 10
        rotated = TF.rotate(original.unsqueeze(0), angle, interpolation=TF.InterpolationMode.BILINEAR).squeeze(0)
        score = float((rotated * corrupted).sum() / (rotated.norm() * corrupted.norm() + 1e-8))
        if score > best_score:
            best, best_score = angle, score
    return best
""",
}

# --- model.py ----------------------------------------------------------------------------------------------------
_MODEL_HEAD = '''%%writefile model.py
"""The model: a small CNN for 28x28 grey images and 10 classes."""

import torch
from torch import nn
import torch.nn.functional as F


class MyAwesomeModel(nn.Module):
    """A CNN for corrupted MNIST: images [B, 1, 28, 28] in, logits [B, 10] out."""

'''

_CNN_INIT = """    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc = nn.Linear(64 * 5 * 5, 10)
        self.dropout = nn.Dropout(0.3)

"""

_MODEL_WRONG = {
    # an MLP that expects flattened images [B, 784]
    "expects_flat_input": """    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))
""",
    "dropout_on_in_eval": _CNN_INIT
    + """    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(F.dropout(x.flatten(1), 0.3))
""",
    "batch_size_hard_coded": _CNN_INIT
    + """    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(self.dropout(x.view(64, -1)))
""",
    # 5.8 million parameters: too big for the CPU budget
    "huge_mlp": """    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 2048)
        self.fc2 = nn.Linear(2048, 2048)
        self.fc3 = nn.Linear(2048, 10)

    def forward(self, x):
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
""",
    "extra_output_dimension": _CNN_INIT
    + """    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(self.dropout(x.flatten(1))).unsqueeze(1)
""",
}

_MODEL_CORRECT = {
    # listed first: it is graded together with the alternative main.py, so it must also reach 85 %
    "functional_cnn_with_batch_norm": """    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 24, 3, padding=1), nn.BatchNorm2d(24)
        self.conv2, self.bn2 = nn.Conv2d(24, 48, 3, padding=1), nn.BatchNorm2d(48)
        self.head = nn.Linear(48 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.head(x.flatten(1))
""",
    # DTU's solution
    "dtu_solution": """    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.conv3 = nn.Conv2d(64, 128, 3, 1)
        self.dropout = nn.Dropout(0.5)
        self.fc1 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.max_pool2d(x, 2, 2)
        x = torch.relu(self.conv2(x))
        x = torch.max_pool2d(x, 2, 2)
        x = torch.relu(self.conv3(x))
        x = torch.max_pool2d(x, 2, 2)
        x = torch.flatten(x, 1)
        x = self.dropout(x)
        return self.fc1(x)
""",
}

_MODEL_MAIN = """

if __name__ == "__main__":
    model = MyAwesomeModel()
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    print("output shape:", tuple(model(torch.zeros(1, 1, 28, 28)).shape))
"""

# --- data.py -----------------------------------------------------------------------------------------------------
_DATA_HEAD = '''%%writefile data.py
"""Loading the corrupted MNIST files."""

from pathlib import Path

import torch
from torch.utils.data import TensorDataset


def corrupt_mnist(data_dir="data/corruptmnist"):
    """Return (train, test) TensorDatasets: images [N, 1, 28, 28] float32, targets [N] int64."""
    folder = Path(data_dir)
'''

_TEST_PART = """    test_images = torch.load(folder / "test_images.pt", weights_only=True).float().unsqueeze(1)
    test_targets = torch.load(folder / "test_target.pt", weights_only=True).long()
    return train, TensorDataset(test_images, test_targets)
"""

_DATA_WRONG = {
    "only_the_first_file": """    train = TensorDataset(
        torch.load(folder / "train_images_0.pt", weights_only=True).unsqueeze(1),
        torch.load(folder / "train_target_0.pt", weights_only=True),
    )
""",
    # DTU's HEAD solution loads exactly six files
    "six_files_hard_coded": """    load = lambda name: torch.load(folder / name, weights_only=True)
    images = torch.cat([load(f"train_images_{i}.pt") for i in range(6)])
    targets = torch.cat([load(f"train_target_{i}.pt") for i in range(6)])
    train = TensorDataset(images.unsqueeze(1), targets)
""",
    "no_channel_dimension": """    n = len(list(folder.glob("train_images_*.pt")))
    images = torch.cat([torch.load(folder / f"train_images_{i}.pt", weights_only=True) for i in range(n)])
    targets = torch.cat([torch.load(folder / f"train_target_{i}.pt", weights_only=True) for i in range(n)])
    train = TensorDataset(images, targets)
""",
    "normalised_images": """    n = len(list(folder.glob("train_images_*.pt")))
    images = torch.cat([torch.load(folder / f"train_images_{i}.pt", weights_only=True) for i in range(n)])
    targets = torch.cat([torch.load(folder / f"train_target_{i}.pt", weights_only=True) for i in range(n)])
    train = TensorDataset(((images - 0.1307) / 0.3081).unsqueeze(1), targets)
""",
    "float_targets": """    n = len(list(folder.glob("train_images_*.pt")))
    images = torch.cat([torch.load(folder / f"train_images_{i}.pt", weights_only=True) for i in range(n)])
    targets = torch.cat([torch.load(folder / f"train_target_{i}.pt", weights_only=True) for i in range(n)])
    train = TensorDataset(images.unsqueeze(1), targets.float())
""",
    # images in numeric order, targets in alphabetical order (train_target_10 before train_target_2)
    "mismatched_file_order": """    number = lambda path: int(path.stem.split("_")[-1])
    image_files = sorted(folder.glob("train_images_*.pt"), key=number)
    target_files = sorted(folder.glob("train_target_*.pt"))
    images = torch.cat([torch.load(f, weights_only=True) for f in image_files])
    targets = torch.cat([torch.load(f, weights_only=True) for f in target_files])
    train = TensorDataset(images.unsqueeze(1), targets)
""",
}

_DATA_CORRECT = {
    # alphabetical order for both lists keeps every image with its target
    "glob_sorted_alphabetically": """    image_files = sorted(folder.glob("train_images_*.pt"))
    target_files = sorted(folder.glob("train_target_*.pt"))
    images = torch.cat([torch.load(f, weights_only=True) for f in image_files])
    targets = torch.cat([torch.load(f, weights_only=True) for f in target_files])
    train = TensorDataset(images[:, None].float(), targets.to(torch.int64))
""",
    "count_then_load": """    n = sum(1 for _ in folder.glob("train_images_*.pt"))
    images = [torch.load(folder / f"train_images_{i}.pt", weights_only=True) for i in range(n)]
    targets = [torch.load(folder / f"train_target_{i}.pt", weights_only=True) for i in range(n)]
    train = TensorDataset(torch.cat(images).view(-1, 1, 28, 28), torch.cat(targets))
""",
}

# --- main.py -----------------------------------------------------------------------------------------------------
_MAIN_TOP = '''%%writefile main.py
"""Train and evaluate a model on corrupted MNIST.

    python main.py train [--lr 1e-3] [--epochs 5] [--batch-size 64] [--data data/corruptmnist]
    python main.py evaluate model.pth [--data data/corruptmnist]
"""

import argparse
import sys

import matplotlib

matplotlib.use("Agg")  # draw into files, no window needed
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader

from data import corrupt_mnist
from model import MyAwesomeModel


def get_device():
    """CUDA if there is a GPU, Apple's MPS on a Mac with one, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def train(lr, epochs, batch_size, data_dir):
    """Train MyAwesomeModel; save its weights to model.pth and the loss per step to training_loss.png."""
    print(f"training with lr={lr}, epochs={epochs}, batch_size={batch_size}, data from {data_dir}")
'''

_MAIN_MIDDLE = '''

def evaluate(model_checkpoint, data_dir):
    """Print the test accuracy of the model whose state_dict is in `model_checkpoint`."""
    print(f"evaluating {model_checkpoint}")
'''

_MAIN_BOTTOM = """

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p_train = commands.add_parser("train", help="train a model, save it to model.pth")
    p_train.add_argument("--lr", type=float, default=1e-3, help="learning rate")
    p_train.add_argument("--epochs", type=int, default=5)
    p_train.add_argument("--batch-size", type=int, default=64)
    p_train.add_argument("--data", default="data/corruptmnist", help="folder of the .pt files")
    p_evaluate = commands.add_parser("evaluate", help="print the test accuracy of a saved model")
    p_evaluate.add_argument("model_checkpoint", help="a file written by `train`, e.g. model.pth")
    p_evaluate.add_argument("--data", default="data/corruptmnist", help="folder of the .pt files")
    args = parser.parse_args(argv)
    if args.command == "train":
        train(args.lr, args.epochs, args.batch_size, args.data)
    else:
        evaluate(args.model_checkpoint, args.data)


if __name__ == "__main__":
    main(sys.argv[1:])
"""


def _train(optimiser="torch.optim.Adam(model.parameters(), lr=lr)", save="model.state_dict()", plot=True):
    figure = (
        """    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(losses)
    ax.set_xlabel("training step")
    ax.set_ylabel("training loss")
    fig.savefig("training_loss.png")
"""
        if plot
        else ""
    )
    return f"""    device = get_device()
    train_set, _ = corrupt_mnist(data_dir)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    model = MyAwesomeModel().to(device)
    optimiser = {optimiser}
    losses = []
    for epoch in range(epochs):
        model.train()
        for images, targets in loader:
            optimiser.zero_grad()
            loss = nn.functional.cross_entropy(model(images.to(device)), targets.to(device))
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        print(f"epoch {{epoch}}: loss {{losses[-1]:.3f}}")
    torch.save({save}, "model.pth")
{figure}"""


def _evaluate(load=True, loading="torch.load(model_checkpoint, weights_only=True)"):
    restore = f"    model.load_state_dict({loading})\n" if load else ""
    return f"""    device = get_device()
    _, test_set = corrupt_mnist(data_dir)
    model = MyAwesomeModel()
{restore}    model.to(device).eval()
    correct = 0
    with torch.no_grad():
        for images, targets in DataLoader(test_set, batch_size=500):
            correct += (model(images.to(device)).argmax(1) == targets.to(device)).sum().item()
    print(f"Test accuracy: {{100 * correct / len(test_set):.2f}} %")
"""


def _main(train_body, evaluate_body):
    return _MAIN_TOP + train_body + _MAIN_MIDDLE + evaluate_body + _MAIN_BOTTOM


_MAIN_WRONG = {
    # evaluates a freshly initialised model: about 10 %, and not what model.pth gives
    "evaluate_forgets_the_weights": _main(_train(), _evaluate(load=False)),
    "no_loss_plot": _main(_train(plot=False), _evaluate()),
    # pickles the module: the file no longer loads as a state_dict with weights_only=True
    "saves_the_whole_model": _main(
        _train(save="model"), _evaluate(loading="torch.load(model_checkpoint, weights_only=False).state_dict()")
    ),
    # plain SGD with the default learning rate learns far too slowly for two epochs
    "plain_sgd": _main(_train(optimiser="torch.optim.SGD(model.parameters(), lr=lr)"), _evaluate()),
}

_MAIN_CORRECT = {
    "percent_output_and_batch_500": _main(_train(), _evaluate()),
}

MUTANTS = (
    [{"cell": "corruption", "tests": _CORRUPTION, "kind": "wrong", "name": k, "pack": True, "source": v}
     for k, v in _CORRUPTION_WRONG.items()]
    + [{"cell": "estimate_angle", "tests": _ANGLE, "kind": "wrong", "name": k, "pack": True, "source": _ANGLE_HEAD + v}
       for k, v in _ANGLE_WRONG.items()]
    + [{"cell": "estimate_angle", "tests": _ANGLE, "kind": "correct", "name": k, "source": _ANGLE_HEAD + v}
       for k, v in _ANGLE_CORRECT.items()]
    + [{"cell": "model_py", "tests": _MODEL, "kind": "wrong", "name": k, "pack": True,
        "source": _MODEL_HEAD + v + _MODEL_MAIN} for k, v in _MODEL_WRONG.items()]
    + [{"cell": "model_py", "tests": _MODEL, "kind": "correct", "name": k, "source": _MODEL_HEAD + v + _MODEL_MAIN}
       for k, v in _MODEL_CORRECT.items()]
    + [{"cell": "data_py", "tests": _DATA, "kind": "wrong", "name": k, "pack": True,
        "source": _DATA_HEAD + v + _TEST_PART} for k, v in _DATA_WRONG.items()]
    + [{"cell": "data_py", "tests": _DATA, "kind": "correct", "name": k, "source": _DATA_HEAD + v + _TEST_PART}
       for k, v in _DATA_CORRECT.items()]
    + [{"cell": "main_py", "tests": _MAIN, "kind": "wrong", "name": k, "source": v} for k, v in _MAIN_WRONG.items()]
    + [{"cell": "main_py", "tests": _MAIN, "kind": "correct", "name": k, "source": v} for k, v in _MAIN_CORRECT.items()]
)  # fmt: skip
