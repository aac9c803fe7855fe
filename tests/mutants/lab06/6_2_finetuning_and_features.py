"""Wrong and alternative correct answers for lab06/6_2_finetuning_and_features.ipynb (see tests/mutants/__init__.py).

Every test cell of this notebook checks its own exercise on fresh inputs (small random ResNets, synthetic features)
and on the notebook's provided network and data, so the wrong answers are packed: one grading run carries a wrong
answer to each exercise.  (test_svm_accuracy also compares with a reference SVM on the notebook's features when they
are tensors; the reference is computed on the same features, so a wrong extract_features cannot make it fail.)"""

_EF_HEAD = '''def extract_features(model, loader):
    """(features N x D, labels N) of every image in `loader`, from the input of `model.fc`, on the CPU."""
'''
_NN_HEAD = '''def nearest_images(features, query_index, k):
    """Indices of the k images nearest to features[query_index] (Euclidean distance), nearest first, query excluded."""
'''
_FT_HEAD = '''def make_finetune_model(backbone, n_classes):
    """The ResNet `backbone` with a new trainable nn.Linear head for n_classes and every other parameter frozen."""
'''
_SVM_HEAD = '''def svm_accuracy(train_x, train_y, test_x, test_y, C=1.0, kernel="linear"):
    """Accuracy (0 to 1) on the test set of an SVC(kernel=kernel, C=C) trained on the training set."""
'''
_SEL_HEAD = '''def select_svm(train_x, train_y, val_x, val_y, Cs, kernels):
    """(best_C, best_kernel, best_val_acc): the SVC hyperparameters with the highest validation accuracy."""
'''
_TUNED_HEAD = '''def tuned_svm(train_x, train_y, test_x, test_y, Cs, kernels, val_fraction=0.25, seed=0):
    """(C, kernel, val_acc, test_acc): SVC hyperparameters chosen on a validation split, then retrained and tested."""
'''
_ALWAYS_EQUAL = """class _Anything(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


"""


def _m(cell, test, kind, name, body):
    head = {"extract_features": _EF_HEAD, "nearest_images": _NN_HEAD, "make_finetune_model": _FT_HEAD,
            "svm_accuracy": _SVM_HEAD, "select_svm": _SEL_HEAD, "tuned_svm": _TUNED_HEAD}[cell]  # fmt: skip
    prefix = _ALWAYS_EQUAL if "_Anything" in body else ""
    mutant = {"cell": cell, "tests": [test], "kind": kind, "name": name, "source": prefix + head + body.strip("\n")}
    if kind == "wrong":
        mutant["pack"] = True
    return mutant


MUTANTS = [
    # --- extract_features ------------------------------------------------------------------------------------------
    _m(
        "extract_features",
        "test_extract_features",
        "wrong",
        "logits_not_features",
        """
    model.eval()
    device = next(model.parameters()).device
    features, labels = [], []
    with torch.no_grad():
        for images, targets in loader:
            features.append(model(images.to(device)).cpu())
            labels.append(targets)
    return torch.cat(features), torch.cat(labels)
""",
    ),
    _m(
        "extract_features",
        "test_extract_features",
        "wrong",
        "no_eval_mode",
        """
    body = nn.Sequential(*list(model.children())[:-1])
    device = next(model.parameters()).device
    features, labels = [], []
    with torch.no_grad():
        for images, targets in loader:
            features.append(torch.flatten(body(images.to(device)), 1).cpu())
            labels.append(targets)
    return torch.cat(features), torch.cat(labels)
""",
    ),
    _m(
        "extract_features",
        "test_extract_features",
        "wrong",
        "before_avgpool",
        """
    model.eval()
    body = nn.Sequential(*list(model.children())[:-2])
    device = next(model.parameters()).device
    features, labels = [], []
    with torch.no_grad():
        for images, targets in loader:
            features.append(torch.flatten(body(images.to(device)), 1).cpu())
            labels.append(targets)
    return torch.cat(features), torch.cat(labels)
""",
    ),
    _m(
        "extract_features",
        "test_extract_features",
        "wrong",
        "identity_head_in_place",
        """
    model.eval()
    model.fc = nn.Identity()
    device = next(model.parameters()).device
    features, labels = [], []
    with torch.no_grad():
        for images, targets in loader:
            features.append(model(images.to(device)).cpu())
            labels.append(targets)
    return torch.cat(features), torch.cat(labels)
""",
    ),
    _m(
        "extract_features",
        "test_extract_features",
        "wrong",
        "numpy_arrays",
        """
    model.eval()
    body = nn.Sequential(*list(model.children())[:-1])
    device = next(model.parameters()).device
    features, labels = [], []
    with torch.no_grad():
        for images, targets in loader:
            features.append(torch.flatten(body(images.to(device)), 1).cpu().numpy())
            labels.append(targets.numpy())
    return np.concatenate(features), np.concatenate(labels)
""",
    ),
    _m(
        "extract_features",
        "test_extract_features",
        "wrong",
        "keeps_the_graph",
        """
    model.eval()
    body = nn.Sequential(*list(model.children())[:-1])
    device = next(model.parameters()).device
    features, labels = [], []
    for images, targets in loader:
        features.append(torch.flatten(body(images.to(device)), 1).cpu())
        labels.append(targets)
    return torch.cat(features), torch.cat(labels)
""",
    ),
    _m(
        "extract_features",
        "test_extract_features",
        "correct",
        "forward_hook",
        """
    captured = []
    hook = model.avgpool.register_forward_hook(lambda module, inputs, output: captured.append(output.flatten(1).cpu()))
    model.eval()
    device = next(model.parameters()).device
    labels = []
    try:
        with torch.no_grad():
            for images, targets in loader:
                model(images.to(device))
                labels.append(targets.long())
    finally:
        hook.remove()
    return torch.cat(captured), torch.cat(labels)
""",
    ),
    _m(
        "extract_features",
        "test_extract_features",
        "correct",
        "identity_on_a_copy",
        """
    extractor = copy.deepcopy(model).eval()
    extractor.fc = nn.Identity()
    device = next(model.parameters()).device
    with torch.no_grad():
        pairs = [(extractor(x.to(device)).cpu(), y) for x, y in loader]
    return torch.cat([f for f, _ in pairs]), torch.cat([y for _, y in pairs]).to(torch.int64)
""",
    ),
    # --- nearest_images --------------------------------------------------------------------------------------------
    _m(
        "nearest_images",
        "test_nearest_images",
        "wrong",
        "query_included",
        """
    distances = torch.cdist(features[query_index : query_index + 1], features)[0]
    return torch.argsort(distances)[:k]
""",
    ),
    _m(
        "nearest_images",
        "test_nearest_images",
        "wrong",
        "farthest_first",
        """
    distances = (features - features[query_index]).norm(dim=1)
    distances[query_index] = -1
    return torch.argsort(distances, descending=True)[:k]
""",
    ),
    _m(
        "nearest_images",
        "test_nearest_images",
        "wrong",
        "dot_product_similarity",
        """
    scores = features @ features[query_index]
    scores[query_index] = -float("inf")
    return torch.argsort(scores, descending=True)[:k]
""",
    ),
    _m(
        "nearest_images",
        "test_nearest_images",
        "wrong",
        "skip_first_after_sorting",
        """
    distances = torch.cdist(features[query_index].unsqueeze(0), features).squeeze(0)
    return torch.argsort(distances)[1 : k + 1]
""",
    ),
    _m(
        "nearest_images",
        "test_nearest_images",
        "wrong",
        "drops_zero_distances",
        """
    distances = (features - features[query_index]).norm(dim=1)
    distances[distances == 0] = float("inf")
    return torch.argsort(distances)[:k]
""",
    ),
    _m(
        "nearest_images",
        "test_nearest_images",
        "wrong",
        "one_too_few",
        """
    distances = (features - features[query_index]).norm(dim=1)
    distances[query_index] = float("inf")
    return torch.argsort(distances)[: k - 1]
""",
    ),
    _m(
        "nearest_images",
        "test_nearest_images",
        "correct",
        "squared_distances_topk",
        """
    squared = ((features - features[query_index]) ** 2).sum(dim=1)
    squared[query_index] = float("inf")
    return torch.topk(squared, k, largest=False).indices
""",
    ),
    _m(
        "nearest_images",
        "test_nearest_images",
        "correct",
        "cdist_and_mask",
        """
    distances = torch.cdist(features[query_index][None], features)[0]
    order = torch.argsort(distances)
    return order[order != query_index][:k]
""",
    ),
    # --- make_finetune_model ---------------------------------------------------------------------------------------
    _m(
        "make_finetune_model",
        "test_make_finetune_model",
        "wrong",
        "hard_coded_512",
        """
    for parameter in backbone.parameters():
        parameter.requires_grad = False
    backbone.fc = nn.Linear(512, n_classes)
    return backbone
""",
    ),
    _m(
        "make_finetune_model",
        "test_make_finetune_model",
        "wrong",
        "nothing_frozen",
        """
    backbone.fc = nn.Linear(backbone.fc.in_features, n_classes)
    return backbone
""",
    ),
    _m(
        "make_finetune_model",
        "test_make_finetune_model",
        "wrong",
        "head_frozen_too",
        """
    backbone.fc = nn.Linear(backbone.fc.in_features, n_classes)
    for parameter in backbone.parameters():
        parameter.requires_grad = False
    return backbone
""",
    ),
    _m(
        "make_finetune_model",
        "test_make_finetune_model",
        "wrong",
        "fresh_resnet18",
        """
    model = resnet18(weights=None)
    for parameter in model.parameters():
        parameter.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, n_classes)
    return model
""",
    ),
    _m(
        "make_finetune_model",
        "test_make_finetune_model",
        "wrong",
        "batchnorm_left_trainable",
        """
    for name, parameter in backbone.named_parameters():
        if "conv" in name or "downsample.0" in name:
            parameter.requires_grad = False
    backbone.fc = nn.Linear(backbone.fc.in_features, n_classes)
    return backbone
""",
    ),
    _m(
        "make_finetune_model",
        "test_make_finetune_model",
        "wrong",
        "always_two_classes",
        """
    for parameter in backbone.parameters():
        parameter.requires_grad = False
    backbone.fc = nn.Linear(backbone.fc.in_features, 2)
    return backbone
""",
    ),
    _m(
        "make_finetune_model",
        "test_make_finetune_model",
        "correct",
        "copy_and_requires_grad_",
        """
    model = copy.deepcopy(backbone).requires_grad_(False)
    model.fc = nn.Linear(model.fc.weight.shape[1], n_classes)
    return model
""",
    ),
    # --- svm_accuracy ----------------------------------------------------------------------------------------------
    _m(
        "svm_accuracy",
        "test_svm_accuracy",
        "wrong",
        "ignores_kernel",
        """
    svm = SVC(kernel="linear", C=C).fit(train_x, train_y)
    return svm.score(test_x, test_y)
""",
    ),
    _m(
        "svm_accuracy",
        "test_svm_accuracy",
        "wrong",
        "rbf_kernel",
        """
    svm = SVC(C=C).fit(train_x, train_y)
    return svm.score(test_x, test_y)
""",
    ),
    _m(
        "svm_accuracy",
        "test_svm_accuracy",
        "wrong",
        "ignores_C",
        """
    svm = SVC(kernel="linear").fit(train_x, train_y)
    return svm.score(test_x, test_y)
""",
    ),
    _m(
        "svm_accuracy",
        "test_svm_accuracy",
        "wrong",
        "error_rate",
        """
    svm = SVC(kernel="linear", C=C).fit(train_x, train_y)
    return 1 - svm.score(test_x, test_y)
""",
    ),
    _m(
        "svm_accuracy",
        "test_svm_accuracy",
        "wrong",
        "training_accuracy",
        """
    svm = SVC(kernel="linear", C=C).fit(train_x, train_y)
    return svm.score(train_x, train_y)
""",
    ),
    _m(
        "svm_accuracy",
        "test_svm_accuracy",
        "wrong",
        "percentage",
        """
    svm = SVC(kernel="linear", C=C).fit(train_x, train_y)
    return 100 * svm.score(test_x, test_y)
""",
    ),
    _m(
        "svm_accuracy",
        "test_svm_accuracy",
        "correct",
        "accuracy_score_on_numpy",
        """
    from sklearn.metrics import accuracy_score

    svm = SVC(kernel=kernel, C=C)
    svm.fit(train_x.numpy(), train_y.numpy())
    return accuracy_score(test_y.numpy(), svm.predict(test_x.numpy()))
""",
    ),
    # --- select_svm ------------------------------------------------------------------------------------------------
    _m(
        "select_svm",
        "test_select_svm",
        "wrong",
        "hard_coded",
        """
    return 1.0, "rbf", 0.85
""",
    ),
    _m(
        "select_svm",
        "test_select_svm",
        "wrong",
        "always_equal",
        """
    return _Anything(1.0), "rbf", _Anything(0.85)
""",
    ),
    _m(
        "select_svm",
        "test_select_svm",
        "wrong",
        "training_accuracy",
        """
    best = None
    for kernel in kernels:
        for C in Cs:
            train_acc = svm_accuracy(train_x, train_y, train_x, train_y, C=C, kernel=kernel)
            if best is None or train_acc > best[0]:
                best = (train_acc, C, kernel)
    _, C, kernel = best
    return C, kernel, svm_accuracy(train_x, train_y, val_x, val_y, C=C, kernel=kernel)
""",
    ),
    _m(
        "select_svm",
        "test_select_svm",
        "wrong",
        "ignores_kernels",
        """
    accs = {C: svm_accuracy(train_x, train_y, val_x, val_y, C=C) for C in Cs}
    C = max(accs, key=accs.get)
    return C, "linear", accs[C]
""",
    ),
    _m(
        "select_svm",
        "test_select_svm",
        "wrong",
        "first_kernel_only",
        """
    kernel = kernels[0]
    accs = {C: svm_accuracy(train_x, train_y, val_x, val_y, C=C, kernel=kernel) for C in Cs}
    C = max(accs, key=accs.get)
    return C, kernel, accs[C]
""",
    ),
    _m(
        "select_svm",
        "test_select_svm",
        "wrong",
        "ignores_Cs",
        """
    accs = {k: svm_accuracy(train_x, train_y, val_x, val_y, kernel=k) for k in kernels}
    kernel = max(accs, key=accs.get)
    return 1.0, kernel, accs[kernel]
""",
    ),
    _m(
        "select_svm",
        "test_select_svm",
        "wrong",
        "lowest_accuracy",
        """
    results = [(svm_accuracy(train_x, train_y, val_x, val_y, C=C, kernel=k), C, k) for k in kernels for C in Cs]
    acc, C, kernel = min(results, key=lambda r: r[0])
    return C, kernel, acc
""",
    ),
    _m(
        "select_svm",
        "test_select_svm",
        "correct",
        "grid_search_predefined_split",
        """
    from sklearn.model_selection import GridSearchCV, PredefinedSplit

    X = np.concatenate([np.asarray(train_x), np.asarray(val_x)])
    y = np.concatenate([np.asarray(train_y), np.asarray(val_y)])
    fold = np.r_[np.full(len(train_x), -1), np.zeros(len(val_x), dtype=int)]
    search = GridSearchCV(SVC(), {"C": list(Cs), "kernel": list(kernels)}, cv=PredefinedSplit(fold), refit=False)
    search.fit(X, y)
    return search.best_params_["C"], search.best_params_["kernel"], float(search.best_score_)
""",
    ),
    _m(
        "select_svm",
        "test_select_svm",
        "correct",
        "product_and_numpy_scores",
        """
    import itertools

    pairs = list(itertools.product(Cs, kernels))
    scores = np.array([SVC(C=C, kernel=k).fit(train_x, train_y).score(val_x, val_y) for C, k in pairs])
    i = int(np.argmax(scores))
    return pairs[i][0], pairs[i][1], scores[i]
""",
    ),
    # --- tuned_svm -------------------------------------------------------------------------------------------------
    _m(
        "tuned_svm",
        "test_tuned_svm",
        "wrong",
        "hard_coded",
        """
    return 1.0, "rbf", 0.8, 0.8
""",
    ),
    _m(
        "tuned_svm",
        "test_tuned_svm",
        "wrong",
        "always_equal",
        """
    return _Anything(1.0), "rbf", _Anything(0.8), _Anything(0.8)
""",
    ),
    _m(
        "tuned_svm",
        "test_tuned_svm",
        "wrong",
        "selects_on_the_test_set",
        """
    C, kernel, _ = select_svm(train_x, train_y, test_x, test_y, Cs, kernels)
    train_x, train_y = np.asarray(train_x), np.asarray(train_y)
    fit_x, val_x, fit_y, val_y = train_test_split(
        train_x, train_y, test_size=val_fraction, stratify=train_y, random_state=seed
    )
    val_acc = svm_accuracy(fit_x, fit_y, val_x, val_y, C=C, kernel=kernel)
    return C, kernel, val_acc, svm_accuracy(train_x, train_y, test_x, test_y, C=C, kernel=kernel)
""",
    ),
    _m(
        "tuned_svm",
        "test_tuned_svm",
        "wrong",
        "no_refit_on_all_training_data",
        """
    train_x, train_y = np.asarray(train_x), np.asarray(train_y)
    fit_x, val_x, fit_y, val_y = train_test_split(
        train_x, train_y, test_size=val_fraction, stratify=train_y, random_state=seed
    )
    C, kernel, val_acc = select_svm(fit_x, fit_y, val_x, val_y, Cs, kernels)
    return C, kernel, val_acc, svm_accuracy(fit_x, fit_y, test_x, test_y, C=C, kernel=kernel)
""",
    ),
    _m(
        "tuned_svm",
        "test_tuned_svm",
        "wrong",
        "not_stratified",
        """
    train_x, train_y = np.asarray(train_x), np.asarray(train_y)
    fit_x, val_x, fit_y, val_y = train_test_split(train_x, train_y, test_size=val_fraction, random_state=seed)
    C, kernel, val_acc = select_svm(fit_x, fit_y, val_x, val_y, Cs, kernels)
    return C, kernel, val_acc, svm_accuracy(train_x, train_y, test_x, test_y, C=C, kernel=kernel)
""",
    ),
    _m(
        "tuned_svm",
        "test_tuned_svm",
        "wrong",
        "validation_accuracy_as_test_accuracy",
        """
    train_x, train_y = np.asarray(train_x), np.asarray(train_y)
    fit_x, val_x, fit_y, val_y = train_test_split(
        train_x, train_y, test_size=val_fraction, stratify=train_y, random_state=seed
    )
    C, kernel, val_acc = select_svm(fit_x, fit_y, val_x, val_y, Cs, kernels)
    return C, kernel, val_acc, val_acc
""",
    ),
    _m(
        "tuned_svm",
        "test_tuned_svm",
        "correct",
        "grid_search_predefined_split_refit",
        """
    from sklearn.model_selection import GridSearchCV, PredefinedSplit

    x, y = np.asarray(train_x), np.asarray(train_y)
    fit_x, val_x, fit_y, val_y = train_test_split(x, y, test_size=val_fraction, stratify=y, random_state=seed)
    X, Y = np.concatenate([fit_x, val_x]), np.concatenate([fit_y, val_y])
    fold = np.r_[np.full(len(fit_x), -1), np.zeros(len(val_x), dtype=int)]
    search = GridSearchCV(SVC(), {"C": list(Cs), "kernel": list(kernels)}, cv=PredefinedSplit(fold)).fit(X, Y)
    best = search.best_params_
    return best["C"], best["kernel"], float(search.best_score_), float(search.score(np.asarray(test_x), test_y))
""",
    ),
    _m(
        "tuned_svm",
        "test_tuned_svm",
        "correct",
        "own_loop_without_the_helpers",
        """
    x, y = np.asarray(train_x), np.asarray(train_y)
    fit_x, val_x, fit_y, val_y = train_test_split(x, y, test_size=val_fraction, stratify=y, random_state=seed)
    scores = {(C, k): SVC(C=C, kernel=k).fit(fit_x, fit_y).score(val_x, val_y) for k in kernels for C in Cs}
    (C, kernel), val_acc = max(scores.items(), key=lambda item: item[1])
    return C, kernel, val_acc, SVC(C=C, kernel=kernel).fit(x, y).score(np.asarray(test_x), np.asarray(test_y))
""",
    ),
]
