"""A trained model is rebuilt from the registered name and arguments its model.pt stores, so any
registered architecture loads, whatever its layers are called."""
import json

import torch
from timm.models import register_model
from torch import nn

from resbench.train import checkpoint
from resbench.trained import load_trained, model_entry


class _Tiny(nn.Module):  # none of the CIFAR nets' key names (stem.0.weight, head.weight)
    def __init__(self, width: int = 4, in_chans: int = 1, num_classes: int = 10, **_):
        super().__init__()
        self.features = nn.Linear(in_chans * 64, width)
        self.classifier = nn.Linear(width, num_classes)

    def forward(self, x):
        return self.classifier(torch.relu(self.features(x.flatten(1))))


@register_model
def tiny_test_net(**kwargs):
    return _Tiny(**kwargs)


def test_a_model_is_rebuilt_from_its_stored_name_and_arguments(tmp_path):
    torch.manual_seed(0)
    kwargs = {"width": 7, "in_chans": 1, "num_classes": 3}
    net = tiny_test_net(**kwargs)
    spec = {"run_id": "tiny_s0", "config_hash": "abc"}
    checkpoint.save_atomic({"spec_json": json.dumps(spec), "model_name": "tiny_test_net",
                            "model_kwargs": json.dumps(kwargs), "model": net.state_dict(), "status": "completed"},
                           tmp_path / "model.pt")
    loaded, loaded_spec = load_trained(tmp_path / "model.pt", config_hash="abc")
    x = torch.randn(5, 1, 8, 8)
    assert isinstance(loaded, _Tiny) and loaded.features.out_features == 7 and loaded_spec == spec
    assert torch.equal(loaded(x), net.eval()(x))


def test_model_entry_names_the_registered_net_of_every_run_kind(tiny_config):
    from resbench.hub.profile import grid_spec
    from resbench.families.variants.plan import variant_specs

    assert model_entry(grid_spec(tiny_config, "resnet_sd", 8, 0), 1, 10) == (
        "resnet_sd_cifar", {"depth": 8, "shortcut": "A", "drop_path_rate": 0.5, "in_chans": 1, "num_classes": 10})
    config = {**tiny_config, "variants": {**tiny_config["variants"], "enabled": True, "names": ["gate_shortcut_b6"]}}
    name, kwargs = model_entry(variant_specs(config)[0], 3, 100)
    assert name == "resnet_gate_shortcut_cifar" and kwargs["gate_bias"] == -6.0 and kwargs["num_classes"] == 100


def test_two_jobs_reading_one_damaged_model_both_fail_in_one_line_and_it_is_set_aside_once(tmp_path):
    """Issue 25: the first reader sets the damaged file aside; the second finds it gone and says so,
    with no FileNotFoundError traceback; one .corrupt file remains for inspection."""
    import pytest

    from resbench.errors import CorruptFileError

    path = tmp_path / "model.pt"
    path.write_bytes(b"\0" * 64)
    errors = []
    for _ in range(2):
        with pytest.raises(CorruptFileError) as err:
            load_trained(path)
        errors.append(str(err.value))
    assert "moved to model.pt.corrupt" in errors[0] and "is missing" in errors[1]
    assert all("\n" not in e for e in errors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt.corrupt"]
