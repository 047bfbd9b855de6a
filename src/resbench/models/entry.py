"""What builds a run's model from its spec: a registered name and its keyword arguments. Pure (no
torch), so the training loop and the trained-model reader share it without importing each other."""
from __future__ import annotations


def model_entry(spec: dict, in_chans: int, num_classes: int) -> tuple[str, dict]:
    """(registered model name, keyword arguments) that build a run's model: a variant's `model` +
    `model_args`, or the depth grid's `<arch>_cifar`. A model.pt stores both, so it is rebuilt
    from the registry without knowing any architecture's layer names."""
    if "model" in spec:  # `sized_by_depth: false`: a net whose size its name fixes (no depth argument)
        sized = {"depth": spec["depth"]} if spec.get("sized_by_depth", True) else {}
        return spec["model"], {**sized, **spec["model_args"], "in_chans": in_chans, "num_classes": num_classes}
    extra = {"drop_path_rate": spec["drop_path_rate"]} if "drop_path_rate" in spec else {}
    return f"{spec['arch']}_cifar", {"depth": spec["depth"], "shortcut": spec["shortcut"], **extra,
                                     "in_chans": in_chans, "num_classes": num_classes}
