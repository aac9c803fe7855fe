"""Mutant bank of lab 5.3 (visualising a CNN: forward hooks).

Each entry replaces the whole source of one solution cell.  A "wrong" mutant must make every listed test cell fail
(score below full); a "correct" one must let every listed test cell pass.
"""

_MAPS = ["test_feature_maps"]
_HEAD = '''def feature_maps(model, layer, x):
    """The output of `layer` (a sub-module of `model`) when `model` runs on `x`, captured with a forward hook."""
'''

_WRONG = {
    "hook_never_removed": """    captured = []
    layer.register_forward_hook(lambda module, inputs, output: captured.append(output.detach()))
    with torch.no_grad():
        model(x)
    return captured[0]
""",
    "returns_the_model_output": """    captured = []
    handle = layer.register_forward_hook(lambda module, inputs, output: captured.append(output.detach()))
    try:
        with torch.no_grad():
            result = model(x)
    finally:
        handle.remove()
    return result
""",
    # the hook's second argument is the layer's INPUT (a tuple)
    "captures_the_input": """    captured = []
    handle = layer.register_forward_hook(lambda module, inputs, output: captured.append(inputs[0].detach()))
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return captured[0]
""",
    "keeps_gradient_history": """    captured = []
    handle = layer.register_forward_hook(lambda module, inputs, output: captured.append(output))
    try:
        model(x)
    finally:
        handle.remove()
    return captured[0]
""",
    "no_try_finally": """    captured = []
    handle = layer.register_forward_hook(lambda module, inputs, output: captured.append(output.detach()))
    with torch.no_grad():
        model(x)
    handle.remove()
    return captured[0]
""",
    "switches_to_eval_mode": """    captured = []
    handle = layer.register_forward_hook(lambda module, inputs, output: captured.append(output.detach()))
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return captured[0]
""",
    # ignores `layer`: always the first convolution (passes the visible check)
    "always_conv1": """    with torch.no_grad():
        return model.conv1(x)
""",
    "returns_the_list": """    captured = []
    handle = layer.register_forward_hook(lambda module, inputs, output: captured.append(output.detach()))
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return captured
""",
}

_CORRECT = {
    "dict_and_clone": """    store = {}

    def hook(module, inputs, output):
        store["maps"] = output.detach().clone()

    handle = layer.register_forward_hook(hook)
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return store["maps"]
""",
    "inference_mode_and_nonlocal": """    result = None

    def hook(module, inputs, output):
        nonlocal result
        result = output

    handle = layer.register_forward_hook(hook)
    try:
        with torch.inference_mode():
            model(x)
    finally:
        handle.remove()
    return result.clone()
""",
}

MUTANTS = [
    {"cell": "feature_maps", "tests": _MAPS, "kind": "wrong", "name": k, "pack": True, "source": _HEAD + v}
    for k, v in _WRONG.items()
] + [
    {"cell": "feature_maps", "tests": _MAPS, "kind": "correct", "name": k, "source": _HEAD + v}
    for k, v in _CORRECT.items()
]
