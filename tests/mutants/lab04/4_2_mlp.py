"""Mutant bank of lab 4.2 (an MLP classifier for MNIST).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.  Every test cell calls only the answer it
grades (on its own data, or on the provided model and loaders), so the wrong answers are packed.
"""

_COUNT = '''def count_classes(loader, num_classes=10):
    """Number of examples of each class in `loader`, as an integer tensor of shape (num_classes,)."""
    counts = torch.zeros(num_classes, dtype=torch.int64)
{body}
    return counts
'''

_COUNT_WRONG = {
    # breaks when the largest class does not occur in a batch (shape mismatch)
    "bincount_without_minlength": """    for _, labels in loader:
        counts += torch.bincount(labels)""",
    "counts_batches_not_examples": """    for _, labels in loader:
        counts[labels] += 1""",
    "first_batch_only": """    for _, labels in loader:
        counts += torch.bincount(labels, minlength=num_classes)
        break""",
    # unique() returns only the classes present: wrong positions when one is missing
    "unique_counts_shifted": """    for _, labels in loader:
        values, n = torch.unique(labels, return_counts=True)
        counts[: len(n)] += n""",
    # passes the visible check on the offline data
    "hard_coded_balanced": """    counts += len(loader.dataset) // num_classes""",
    "off_by_one_class": """    for _, labels in loader:
        counts += torch.bincount((labels + 1) % num_classes, minlength=num_classes)""",
}
_COUNT_CORRECT = {
    "one_hot_sum": """    for _, labels in loader:
        counts = counts + torch.nn.functional.one_hot(labels, num_classes).sum(dim=0)""",
    "python_loop_float": """    counts = torch.zeros(num_classes)
    for _, labels in loader:
        for label in labels.tolist():
            counts[label] += 1""",
    "concatenate_then_bincount": """    all_labels = torch.cat([labels for _, labels in loader])
    counts = torch.bincount(all_labels, minlength=num_classes).int()""",
}

_LAST = '''def last_batch_size(n, batch_size, drop_last=False):
    """Size of the last batch a DataLoader gives for n examples (0 if it gives no batch)."""
{body}
'''
_LAST_WRONG = {
    # 0 when n is a multiple of the batch size
    "plain_modulo": """    if drop_last:
        return batch_size if n >= batch_size else 0
    return n % batch_size""",
    "ignores_drop_last": """    return n % batch_size or batch_size""",
    "number_of_full_batches": """    return n // batch_size""",
    "drop_last_always_full": """    if drop_last:
        return batch_size
    return n % batch_size or batch_size""",
    "always_batch_size": """    return batch_size""",
}
_LAST_CORRECT = {
    "simulate_with_dataloader": """    loader = DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
    sizes = [len(b) for b in loader]
    return sizes[-1] if sizes else 0""",
    "arithmetic": """    full, rest = divmod(n, batch_size)
    if rest and not drop_last:
        return rest
    return batch_size if full else 0""",
}

_LOADER_TAIL = (
    '\nprint(len(full_batch_loader), "full batches; the", len(trainset) - 128 * len(full_batch_loader), '
    '"other examples wait")\n'
)
_LOADER_WRONG = {
    "no_drop_last": "full_batch_loader = DataLoader(trainset, batch_size=128, shuffle=True)",
    "not_shuffled": "full_batch_loader = DataLoader(trainset, batch_size=128, drop_last=True)",
    "wrong_batch_size": "full_batch_loader = DataLoader(trainset, batch_size=100, shuffle=True, drop_last=True)",
    # DataLoader refuses to change drop_last after construction
    "set_attribute_afterwards": "full_batch_loader = DataLoader(trainset, batch_size=128, shuffle=True)\n"
    "full_batch_loader.drop_last = True",
    "truncated_dataset_instead": "full_batch_loader = DataLoader(\n"
    "    Subset(trainset, range(len(trainset) // 128 * 128)), batch_size=128, shuffle=True\n)",
    "test_set": "full_batch_loader = DataLoader(testset, batch_size=128, shuffle=True, drop_last=True)",
}
_LOADER_CORRECT = {
    "keywords": "full_batch_loader = DataLoader(dataset=trainset, shuffle=True, batch_size=128, drop_last=True)",
    "explicit_sampler": "full_batch_loader = DataLoader(\n"
    "    trainset, batch_size=128, sampler=RandomSampler(trainset), drop_last=True\n)",
}

_ACC = '''def evaluate_accuracy(model, loader):
    """Fraction (0..1) of the examples of `loader` that `model` classifies correctly, in evaluation mode."""
{body}
'''
_ACC_WRONG = {
    "mean_of_batch_accuracies": """    model.eval()
    accs = []
    with torch.no_grad():
        for inputs, labels in loader:
            accs.append((model(inputs).argmax(dim=1) == labels).float().mean().item())
    return sum(accs) / len(accs)""",
    "forgets_eval": """    correct = total = 0
    with torch.no_grad():
        for inputs, labels in loader:
            correct += (model(inputs).argmax(dim=1) == labels).sum().item()
            total += len(labels)
    return correct / total""",
    "percentage": """    model.eval()
    correct = total = 0
    with torch.no_grad():
        for inputs, labels in loader:
            correct += (model(inputs).argmax(dim=1) == labels).sum().item()
            total += len(labels)
    return 100 * correct / total""",
    "argmax_over_batch": """    model.eval()
    correct = total = 0
    with torch.no_grad():
        for inputs, labels in loader:
            correct += (model(inputs).argmax(dim=0) == labels).sum().item()
            total += len(labels)
    return correct / total""",
    "max_values_not_indices": """    model.eval()
    correct = total = 0
    with torch.no_grad():
        for inputs, labels in loader:
            correct += (model(inputs).max(dim=1)[0] == labels).sum().item()
            total += len(labels)
    return correct / total""",
    "divides_by_number_of_batches": """    model.eval()
    correct = 0
    with torch.no_grad():
        for inputs, labels in loader:
            correct += (model(inputs).argmax(dim=1) == labels).sum().item()
    return correct / (len(loader) * loader.batch_size)""",
    "hard_coded_visible": """    return 0.6""",
}
_ACC_CORRECT = {
    "tensor_result": """    model.eval()
    with torch.no_grad():
        hits = torch.cat([model(x).argmax(1) == y for x, y in loader])
    return hits.float().mean()""",
    "dataset_length": """    model.train(False)
    correct = 0
    for inputs, labels in loader:
        with torch.inference_mode():
            _, predicted = torch.max(model(inputs).data, 1)
        correct += (predicted == labels).sum().item()
    return correct / len(loader.dataset)""",
}

_CONF = '''def confusion_matrix(model, loader, num_classes=10):
    """C[i, j] = number of examples of true class i that `model` predicts as class j (an integer tensor)."""
{body}
'''
_CONF_WRONG = {
    "transposed": """    model.eval()
    C = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    with torch.no_grad():
        for inputs, labels in loader:
            for t, p in zip(labels, model(inputs).argmax(1)):
                C[p, t] += 1
    return C""",
    "forgets_eval": """    C = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    with torch.no_grad():
        for inputs, labels in loader:
            for t, p in zip(labels, model(inputs).argmax(1)):
                C[t, p] += 1
    return C""",
    # the index assignment does not accumulate repeated (t, p) pairs
    "fancy_index_no_accumulate": """    model.eval()
    C = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    with torch.no_grad():
        for inputs, labels in loader:
            C[labels, model(inputs).argmax(1)] += 1
    return C""",
    "row_normalised": """    model.eval()
    C = torch.zeros(num_classes, num_classes)
    with torch.no_grad():
        for inputs, labels in loader:
            for t, p in zip(labels, model(inputs).argmax(1)):
                C[t, p] += 1
    return C / C.sum(dim=1, keepdim=True)""",
    "last_batch_only": """    model.eval()
    with torch.no_grad():
        for inputs, labels in loader:
            C = torch.zeros(num_classes, num_classes, dtype=torch.int64)
            for t, p in zip(labels, model(inputs).argmax(1)):
                C[t, p] += 1
    return C""",
}
_CONF_CORRECT = {
    "index_put_accumulate": """    model.eval()
    C = torch.zeros(num_classes, num_classes, dtype=torch.long)
    with torch.no_grad():
        for inputs, labels in loader:
            p = model(inputs).argmax(1)
            C.index_put_((labels, p), torch.ones_like(labels), accumulate=True)
    return C""",
    "one_hot_product": """    model.eval()
    F_ = torch.nn.functional
    C = 0
    with torch.no_grad():
        for inputs, labels in loader:
            p = model(inputs).argmax(1)
            C = C + F_.one_hot(labels, num_classes).T @ F_.one_hot(p, num_classes)
    return C""",
}

_PCA = '''def per_class_accuracy(model, loader, num_classes=10):
    """Entry k: the fraction of the examples of class k that `model` classifies correctly (a float tensor)."""
{body}
'''
_PCA_WRONG = {
    # precision, not accuracy per true class
    "divides_by_predicted_count": """    model.eval()
    correct = torch.zeros(num_classes)
    predicted_total = torch.zeros(num_classes)
    with torch.no_grad():
        for inputs, labels in loader:
            p = model(inputs).argmax(1)
            predicted_total += torch.bincount(p, minlength=num_classes)
            correct += torch.bincount(labels[p == labels], minlength=num_classes)
    return correct / predicted_total""",
    "divides_by_all_examples": """    model.eval()
    correct = torch.zeros(num_classes)
    n = 0
    with torch.no_grad():
        for inputs, labels in loader:
            p = model(inputs).argmax(1)
            correct += torch.bincount(labels[p == labels], minlength=num_classes)
            n += len(labels)
    return correct / n""",
    "forgets_eval": """    correct = torch.zeros(num_classes)
    total = torch.zeros(num_classes)
    with torch.no_grad():
        for inputs, labels in loader:
            p = model(inputs).argmax(1)
            total += torch.bincount(labels, minlength=num_classes)
            correct += torch.bincount(labels[p == labels], minlength=num_classes)
    return correct / total""",
    "integer_division": """    model.eval()
    correct = torch.zeros(num_classes, dtype=torch.long)
    total = torch.zeros(num_classes, dtype=torch.long)
    with torch.no_grad():
        for inputs, labels in loader:
            p = model(inputs).argmax(1)
            total += torch.bincount(labels, minlength=num_classes)
            correct += torch.bincount(labels[p == labels], minlength=num_classes)
    return correct // total""",
    "percentages": """    model.eval()
    correct = torch.zeros(num_classes)
    total = torch.zeros(num_classes)
    with torch.no_grad():
        for inputs, labels in loader:
            p = model(inputs).argmax(1)
            total += torch.bincount(labels, minlength=num_classes)
            correct += torch.bincount(labels[p == labels], minlength=num_classes)
    return 100 * correct / total""",
}
_PCA_CORRECT = {
    "original_loop": """    model.eval()
    class_correct = [0.0] * num_classes
    class_total = [0.0] * num_classes
    with torch.no_grad():
        for images, labels in loader:
            _, predicted = torch.max(model(images), 1)
            c = predicted == labels
            for i in range(len(labels)):
                label = labels[i]
                class_correct[label] += c[i].item()
                class_total[label] += 1
    return torch.tensor(class_correct) / torch.tensor(class_total)""",
    "from_confusion_matrix": """    C = confusion_matrix(model, loader, num_classes).double()
    return C.diag() / C.sum(dim=1)""",
}


def _entries(cell, tests, template, wrong, correct):
    out = [
        {"cell": cell, "tests": tests, "kind": "wrong", "name": k, "source": template.format(body=v), "pack": True}
        for k, v in wrong.items()
    ]
    out += [
        {"cell": cell, "tests": tests, "kind": "correct", "name": k, "source": template.format(body=v)}
        for k, v in correct.items()
    ]
    return out


def _plain(cell, tests, wrong, correct, tail):
    out = [
        {"cell": cell, "tests": tests, "kind": "wrong", "name": k, "source": v + tail, "pack": True}
        for k, v in wrong.items()
    ]
    out += [
        {"cell": cell, "tests": tests, "kind": "correct", "name": k, "source": v + tail} for k, v in correct.items()
    ]
    return out


MUTANTS = (
    _entries("count_classes", ["test_count_classes"], _COUNT, _COUNT_WRONG, _COUNT_CORRECT)
    + _entries("last_batch_size", ["test_last_batch_size"], _LAST, _LAST_WRONG, _LAST_CORRECT)
    + _plain("full_batch_loader", ["test_full_batch_loader"], _LOADER_WRONG, _LOADER_CORRECT, _LOADER_TAIL)
    + _entries("evaluate_accuracy", ["test_evaluate_accuracy"], _ACC, _ACC_WRONG, _ACC_CORRECT)
    + _entries("confusion_matrix", ["test_confusion_matrix"], _CONF, _CONF_WRONG, _CONF_CORRECT)
    + _entries("per_class_accuracy", ["test_per_class_accuracy"], _PCA, _PCA_WRONG, _PCA_CORRECT)
)
