"""Wrong and alternative correct answers for lab06/6_1_transfer_learning.ipynb (see tests/mutants/__init__.py).

Every test cell of this notebook calls only its own exercise's function or class on fresh inputs, so the wrong answers
are packed: one grading run carries a wrong answer to each exercise."""

MUTANTS = [
    # --- make_transforms -------------------------------------------------------------------------------------------
    {
        "cell": "make_transforms",
        "tests": ["test_make_transforms"],
        "kind": "wrong",
        "pack": True,
        "name": "no_normalisation",
        "source": '''def make_transforms(size):
    """Return (train_transform, eval_transform) producing normalised 3 x size x size float tensors."""
    train_transform = transforms.Compose(
        [transforms.RandomResizedCrop(size), transforms.RandomHorizontalFlip(), transforms.ToTensor()]
    )
    eval_transform = transforms.Compose([transforms.Resize(size), transforms.CenterCrop(size), transforms.ToTensor()])
    return train_transform, eval_transform''',
    },
    {
        "cell": "make_transforms",
        "tests": ["test_make_transforms"],
        "kind": "wrong",
        "pack": True,
        "name": "half_normalisation",
        "source": '''def make_transforms(size):
    """Return (train_transform, eval_transform) producing normalised 3 x size x size float tensors."""
    normalise = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    train_transform = transforms.Compose(
        [transforms.RandomResizedCrop(size), transforms.RandomHorizontalFlip(), transforms.ToTensor(), normalise]
    )
    eval_transform = transforms.Compose(
        [transforms.Resize(size), transforms.CenterCrop(size), transforms.ToTensor(), normalise]
    )
    return train_transform, eval_transform''',
    },
    {
        "cell": "make_transforms",
        "tests": ["test_make_transforms"],
        "kind": "wrong",
        "pack": True,
        "name": "no_flip",
        "source": '''def make_transforms(size):
    """Return (train_transform, eval_transform) producing normalised 3 x size x size float tensors."""
    normalise = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)
    train_transform = transforms.Compose([transforms.RandomResizedCrop(size), transforms.ToTensor(), normalise])
    eval_transform = transforms.Compose(
        [transforms.Resize(size), transforms.CenterCrop(size), transforms.ToTensor(), normalise]
    )
    return train_transform, eval_transform''',
    },
    {
        "cell": "make_transforms",
        "tests": ["test_make_transforms"],
        "kind": "wrong",
        "pack": True,
        "name": "squashing_resize",
        "source": '''def make_transforms(size):
    """Return (train_transform, eval_transform) producing normalised 3 x size x size float tensors."""
    normalise = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)
    train_transform = transforms.Compose(
        [transforms.RandomResizedCrop(size), transforms.RandomHorizontalFlip(), transforms.ToTensor(), normalise]
    )
    eval_transform = transforms.Compose([transforms.Resize((size, size)), transforms.ToTensor(), normalise])
    return train_transform, eval_transform''',
    },
    {
        "cell": "make_transforms",
        "tests": ["test_make_transforms"],
        "kind": "wrong",
        "pack": True,
        "name": "no_augmentation",
        "source": '''def make_transforms(size):
    """Return (train_transform, eval_transform) producing normalised 3 x size x size float tensors."""
    normalise = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)
    eval_transform = transforms.Compose(
        [transforms.Resize(size), transforms.CenterCrop(size), transforms.ToTensor(), normalise]
    )
    return eval_transform, eval_transform''',
    },
    {
        "cell": "make_transforms",
        "tests": ["test_make_transforms"],
        "kind": "wrong",
        "pack": True,
        "name": "swapped",
        "source": '''def make_transforms(size):
    """Return (train_transform, eval_transform) producing normalised 3 x size x size float tensors."""
    normalise = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)
    train_transform = transforms.Compose(
        [transforms.RandomResizedCrop(size), transforms.RandomHorizontalFlip(), transforms.ToTensor(), normalise]
    )
    eval_transform = transforms.Compose(
        [transforms.Resize(size), transforms.CenterCrop(size), transforms.ToTensor(), normalise]
    )
    return eval_transform, train_transform''',
    },
    {
        "cell": "make_transforms",
        "tests": ["test_make_transforms"],
        "kind": "wrong",
        "pack": True,
        "name": "augmented_evaluation",
        "source": '''def make_transforms(size):
    """Return (train_transform, eval_transform) producing normalised 3 x size x size float tensors."""
    normalise = transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)
    train_transform = transforms.Compose(
        [transforms.RandomResizedCrop(size), transforms.RandomHorizontalFlip(), transforms.ToTensor(), normalise]
    )
    eval_transform = transforms.Compose(
        [transforms.Resize(size), transforms.RandomCrop(size), transforms.ToTensor(), normalise]
    )
    return train_transform, eval_transform''',
    },
    {
        "cell": "make_transforms",
        "tests": ["test_make_transforms"],
        "kind": "correct",
        "name": "transforms_v2",
        "source": '''from torchvision.transforms import v2


def make_transforms(size):
    """Return (train_transform, eval_transform) producing normalised 3 x size x size float tensors."""
    to_tensor = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize(IMAGENET_MEAN, IMAGENET_STD)]
    train_transform = v2.Compose([v2.RandomHorizontalFlip(), v2.RandomResizedCrop(size), *to_tensor])
    eval_transform = v2.Compose([v2.Resize(size), v2.CenterCrop(size), *to_tensor])
    return train_transform, eval_transform''',
    },
    # --- BetterCNN -------------------------------------------------------------------------------------------------
    {
        "cell": "better_cnn",
        "tests": ["test_better_cnn"],
        "kind": "wrong",
        "pack": True,
        "name": "fc1_from_the_original_lab",
        "source": """class BetterCNN(nn.Module):
    def __init__(self, n_channels_in, n_classes, image_size=CNN_SIZE):
        super().__init__()
        height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
        self.conv1 = nn.Conv2d(n_channels_in, 30, (5, 5))
        self.conv2 = nn.Conv2d(30, 15, (3, 3))
        n_flat = 1725
        self.fc1 = nn.Linear(n_flat, 128)
        self.fc2 = nn.Linear(128, 50)
        self.fc3 = nn.Linear(50, n_classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = F.dropout(out, 0.2, training=self.training)
        out = out.view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)""",
    },
    {
        "cell": "better_cnn",
        "tests": ["test_better_cnn"],
        "kind": "wrong",
        "pack": True,
        "name": "pools_only_no_conv_shrinkage",
        "source": """class BetterCNN(nn.Module):
    def __init__(self, n_channels_in, n_classes, image_size=CNN_SIZE):
        super().__init__()
        height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
        self.conv1 = nn.Conv2d(n_channels_in, 30, (5, 5))
        self.conv2 = nn.Conv2d(30, 15, (3, 3))
        n_flat = 15 * (height // 4) * (width // 4)
        self.fc1 = nn.Linear(n_flat, 128)
        self.fc2 = nn.Linear(128, 50)
        self.fc3 = nn.Linear(50, n_classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = F.dropout(out, 0.2, training=self.training)
        out = out.reshape(len(out), -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)""",
    },
    {
        "cell": "better_cnn",
        "tests": ["test_better_cnn"],
        "kind": "wrong",
        "pack": True,
        "name": "softmax_output",
        "source": """class BetterCNN(nn.Module):
    def __init__(self, n_channels_in, n_classes, image_size=CNN_SIZE):
        super().__init__()
        height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
        self.conv1 = nn.Conv2d(n_channels_in, 30, (5, 5))
        self.conv2 = nn.Conv2d(30, 15, (3, 3))
        n_flat = 15 * (((height - 4) // 2 - 2) // 2) * (((width - 4) // 2 - 2) // 2)
        self.fc1 = nn.Linear(n_flat, 128)
        self.fc2 = nn.Linear(128, 50)
        self.fc3 = nn.Linear(50, n_classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = F.dropout(out, 0.2, training=self.training)
        out = torch.flatten(out, 1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return F.softmax(self.fc3(out), dim=1)""",
    },
    {
        "cell": "better_cnn",
        "tests": ["test_better_cnn"],
        "kind": "wrong",
        "pack": True,
        "name": "dropout_also_in_eval_mode",
        "source": """class BetterCNN(nn.Module):
    def __init__(self, n_channels_in, n_classes, image_size=CNN_SIZE):
        super().__init__()
        height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
        self.conv1 = nn.Conv2d(n_channels_in, 30, (5, 5))
        self.conv2 = nn.Conv2d(30, 15, (3, 3))
        h = ((height - 4) // 2 - 2) // 2
        w = ((width - 4) // 2 - 2) // 2
        n_flat = 15 * h * w
        self.fc1 = nn.Linear(n_flat, 128)
        self.fc2 = nn.Linear(128, 50)
        self.fc3 = nn.Linear(50, n_classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = F.dropout(out, 0.2)
        out = out.view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)""",
    },
    {
        "cell": "better_cnn",
        "tests": ["test_better_cnn"],
        "kind": "wrong",
        "pack": True,
        "name": "no_relu_after_fc2",
        "source": """class BetterCNN(nn.Module):
    def __init__(self, n_channels_in, n_classes, image_size=CNN_SIZE):
        super().__init__()
        height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
        self.conv1 = nn.Conv2d(n_channels_in, 30, (5, 5))
        self.conv2 = nn.Conv2d(30, 15, (3, 3))
        h = ((height - 4) // 2 - 2) // 2
        w = ((width - 4) // 2 - 2) // 2
        n_flat = 15 * h * w
        self.fc1 = nn.Linear(n_flat, 128)
        self.fc2 = nn.Linear(128, 50)
        self.fc3 = nn.Linear(50, n_classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = F.dropout(out, 0.2, training=self.training)
        out = out.view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = self.fc2(out)
        return self.fc3(out)""",
    },
    {
        "cell": "better_cnn",
        "tests": ["test_better_cnn"],
        "kind": "wrong",
        "pack": True,
        "name": "flatten_hard_coded_for_64",
        "source": """class BetterCNN(nn.Module):
    def __init__(self, n_channels_in, n_classes, image_size=CNN_SIZE):
        super().__init__()
        height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
        self.conv1 = nn.Conv2d(n_channels_in, 30, (5, 5))
        self.conv2 = nn.Conv2d(30, 15, (3, 3))
        h = ((height - 4) // 2 - 2) // 2
        w = ((width - 4) // 2 - 2) // 2
        n_flat = 15 * h * w
        self.fc1 = nn.Linear(n_flat, 128)
        self.fc2 = nn.Linear(128, 50)
        self.fc3 = nn.Linear(50, n_classes)

    def forward(self, x):
        out = F.max_pool2d(F.relu(self.conv1(x)), 2)
        out = F.max_pool2d(F.relu(self.conv2(out)), 2)
        out = F.dropout(out, 0.2, training=self.training)
        out = out.view(-1, 2940)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)""",
    },
    {
        "cell": "better_cnn",
        "tests": ["test_better_cnn"],
        "kind": "wrong",
        "pack": True,
        "name": "average_pooling",
        "source": """class BetterCNN(nn.Module):
    def __init__(self, n_channels_in, n_classes, image_size=CNN_SIZE):
        super().__init__()
        height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
        self.conv1 = nn.Conv2d(n_channels_in, 30, (5, 5))
        self.conv2 = nn.Conv2d(30, 15, (3, 3))
        h = ((height - 4) // 2 - 2) // 2
        w = ((width - 4) // 2 - 2) // 2
        n_flat = 15 * h * w
        self.fc1 = nn.Linear(n_flat, 128)
        self.fc2 = nn.Linear(128, 50)
        self.fc3 = nn.Linear(50, n_classes)

    def forward(self, x):
        out = F.avg_pool2d(F.relu(self.conv1(x)), 2)
        out = F.avg_pool2d(F.relu(self.conv2(out)), 2)
        out = F.dropout(out, 0.2, training=self.training)
        out = out.view(out.shape[0], -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        return self.fc3(out)""",
    },
    {
        "cell": "better_cnn",
        "tests": ["test_better_cnn"],
        "kind": "correct",
        "name": "size_by_dummy_forward_and_modules",
        "source": """class BetterCNN(nn.Module):
    def __init__(self, n_channels_in, n_classes, image_size=CNN_SIZE):
        super().__init__()
        height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
        self.conv1 = nn.Conv2d(n_channels_in, 30, (5, 5))
        self.conv2 = nn.Conv2d(30, 15, (3, 3))
        self.pool = nn.MaxPool2d(2)
        self.dropout = nn.Dropout(0.2)
        with torch.no_grad():
            dummy = torch.zeros(1, n_channels_in, height, width)
            n_flat = self.pool(self.conv2(self.pool(self.conv1(dummy)))).numel()
        self.fc1 = nn.Linear(n_flat, 128)
        self.fc2 = nn.Linear(128, 50)
        self.fc3 = nn.Linear(50, n_classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(self.dropout(x), start_dim=1)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)""",
    },
    # --- MetricHistory ---------------------------------------------------------------------------------------------
    {
        "cell": "metric_history",
        "tests": ["test_metric_history"],
        "kind": "wrong",
        "pack": True,
        "name": "every_batch",
        "source": '''class MetricHistory(Callback):
    """Records chosen metrics at the end of every epoch into `self.history`, a list with one dict per epoch."""

    def __init__(self, keys=None):
        super().__init__()
        self.keys = None if keys is None else list(keys)
        self.history = []

    def on_step_training(self, state):
        metrics = state[torchbearer.METRICS]
        keys = list(metrics) if self.keys is None else self.keys
        self.history.append({key: float(metrics[key]) for key in keys})''',
    },
    {
        "cell": "metric_history",
        "tests": ["test_metric_history"],
        "kind": "wrong",
        "pack": True,
        "name": "end_of_training_pass",
        "source": '''class MetricHistory(Callback):
    """Records chosen metrics at the end of every epoch into `self.history`, a list with one dict per epoch."""

    def __init__(self, keys=None):
        super().__init__()
        self.keys = None if keys is None else list(keys)
        self.history = []

    def on_end_training(self, state):
        metrics = state[torchbearer.METRICS]
        keys = list(metrics) if self.keys is None else self.keys
        self.history.append({key: float(metrics[key]) for key in keys})''',
    },
    {
        "cell": "metric_history",
        "tests": ["test_metric_history"],
        "kind": "wrong",
        "pack": True,
        "name": "end_of_validation_only",
        "source": '''class MetricHistory(Callback):
    """Records chosen metrics at the end of every epoch into `self.history`, a list with one dict per epoch."""

    def __init__(self, keys=None):
        super().__init__()
        self.keys = None if keys is None else list(keys)
        self.history = []

    def on_end_validation(self, state):
        metrics = state[torchbearer.METRICS]
        keys = list(metrics) if self.keys is None else self.keys
        self.history.append({key: float(metrics[key]) for key in keys})''',
    },
    {
        "cell": "metric_history",
        "tests": ["test_metric_history"],
        "kind": "wrong",
        "pack": True,
        "name": "ignores_keys",
        "source": '''class MetricHistory(Callback):
    """Records chosen metrics at the end of every epoch into `self.history`, a list with one dict per epoch."""

    def __init__(self, keys=None):
        super().__init__()
        self.keys = None if keys is None else list(keys)
        self.history = []

    def on_end_epoch(self, state):
        self.history.append({key: float(value) for key, value in state[torchbearer.METRICS].items()})''',
    },
    {
        "cell": "metric_history",
        "tests": ["test_metric_history"],
        "kind": "wrong",
        "pack": True,
        "name": "values_without_names",
        "source": '''class MetricHistory(Callback):
    """Records chosen metrics at the end of every epoch into `self.history`, a list with one dict per epoch."""

    def __init__(self, keys=None):
        super().__init__()
        self.keys = None if keys is None else list(keys)
        self.history = []

    def on_end_epoch(self, state):
        metrics = state[torchbearer.METRICS]
        keys = list(metrics) if self.keys is None else self.keys
        self.history.append([float(metrics[key]) for key in keys])''',
    },
    {
        "cell": "metric_history",
        "tests": ["test_metric_history"],
        "kind": "wrong",
        "pack": True,
        "name": "tensor_values",
        "source": '''class MetricHistory(Callback):
    """Records chosen metrics at the end of every epoch into `self.history`, a list with one dict per epoch."""

    def __init__(self, keys=None):
        super().__init__()
        self.keys = None if keys is None else list(keys)
        self.history = []

    def on_end_epoch(self, state):
        metrics = state[torchbearer.METRICS]
        keys = list(metrics) if self.keys is None else self.keys
        self.history.append({key: torch.tensor(metrics[key]) for key in keys})''',
    },
    {
        "cell": "metric_history",
        "tests": ["test_metric_history"],
        "kind": "correct",
        "name": "filter_items",
        "source": '''class MetricHistory(Callback):
    """Records chosen metrics at the end of every epoch into `self.history`, a list with one dict per epoch."""

    def __init__(self, keys=None):
        super().__init__()
        self.keys = None if keys is None else list(keys)
        self.history = []

    def on_end_epoch(self, state):
        entry = {}
        for name, value in state[torchbearer.METRICS].items():
            if self.keys is None or name in self.keys:
                entry[name] = float(value)
        self.history.append(entry)''',
    },
]
