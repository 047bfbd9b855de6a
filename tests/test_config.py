import re

import pytest
import yaml

from resbench.config import config_hash
from resbench.errors import ConfigError
from resbench.families import FAMILIES
from resbench.hub.profile import grid_specs, load_config, validate_config

from .conftest import REPO


def test_defaults_fill_every_key():
    config = validate_config({})
    assert config["train"]["momentum"] == 0.9 and config["dataset"]["name"] == "digits"


@pytest.mark.parametrize("profile", ["quick", "standard", "paper"])
def test_shipped_profiles_validate(profile):
    config = load_config(REPO / "config" / f"{profile}.yaml")
    assert config["profile"] == profile


def test_standard_runs_what_quick_runs_with_its_recipe_and_seeds_and_the_rest():
    """The standard profile's verdicts on the quick claims are the quick ones (same recipe, seeds, grid);
    it adds every experiment the quick profile leaves to it."""
    quick, standard = (validate_config(load_config(REPO / "config" / f"{p}.yaml")) for p in ("quick", "standard"))
    assert config_hash(quick) == config_hash(standard) and quick["seeds"] == standard["seeds"]
    assert set(quick["model"]["depths"]) == set(standard["model"]["depths"])
    assert "resnet_sd" in standard["model"]["archs"] and standard["signal"]["append_blocks"] > 0
    assert all(standard[k]["enabled"] for k in ("variants", "landscape", "architectures"))
    # the quick profile runs every family, deciding only what it can decide in minutes; the standard decides all
    assert all(quick[k]["enabled"] for k in ("variants", "landscape", "architectures")) and quick["signal"]["append_blocks"]
    assert quick["report"]["estimate_only"] and not standard["report"]["estimate_only"]
    declared = {claim_id for family in FAMILIES for claim_id, kind, _ in family.claims}
    assert set(quick["report"]["estimate_only"]) <= declared


def test_paper_profile_is_he2016():
    config = load_config(REPO / "config" / "paper.yaml")
    assert config["model"]["depths"] == [20, 32, 44, 56, 110] and len(config["seeds"]) == 5
    assert config["train"]["milestones"] == [32000, 48000] and config["train"]["milestone_unit"] == "iteration"
    assert config["dataset"]["val_size"] == 5000 and config["dataset"]["augment"]


def test_unknown_key_is_named_with_a_suggestion():
    with pytest.raises(ConfigError, match=r"unknown config key 'lrr' \(did you mean 'lr'\?\) under 'train'"):
        validate_config({"train": {"lrr": 0.1}})


def test_bad_enum_lists_allowed_values():
    with pytest.raises(ConfigError, match="'dataset.name' has value 'cifar'; allowed values: digits, cifar10"):
        validate_config({"dataset": {"name": "cifar"}})


def test_bad_type_names_the_key():
    with pytest.raises(ConfigError, match="'train.epochs'"):
        validate_config({"train": {"epochs": "many"}})


def test_depth_must_be_6n_plus_2():
    with pytest.raises(ConfigError, match="model.depths.*21.*nearest: 20, 26"):
        validate_config({"model": {"depths": [20, 21]}})


def test_load_config_reports_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_config_hash_ignores_labels_but_not_science():
    base = validate_config({})
    assert config_hash(base) == config_hash(validate_config({"profile": "other", "seeds": [7], "threads": 2}))
    assert config_hash(base) != config_hash(validate_config({"train": {"lr": 0.05}}))


def test_the_device_preference_does_not_change_a_runs_hash():
    """auto on a GPU and cuda train the same runs: a profile naming the device reuses them."""
    hashes = {device: grid_specs(validate_config({"device": device}))[0]["config_hash"]
              for device in ("auto", "cuda", "cpu")}
    assert len(set(hashes.values())) == 1
    assert config_hash(validate_config({"device": "cuda"})) == config_hash(validate_config({}))
    assert grid_specs(validate_config({"device": "cuda"}))[0]["device"] == "cuda"  # the job still gets it


def test_run_specs_cover_the_grid():
    config = validate_config({"model": {"depths": [8, 20]}, "seeds": [0, 1]})
    ids = [s["run_id"] for s in grid_specs(config)]
    assert ids == ["plain8_s0", "plain8_s1", "plain20_s0", "plain20_s1",
                   "resnet8_s0", "resnet8_s1", "resnet20_s0", "resnet20_s1"]


def test_every_schema_key_has_description_and_default():
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())

    def walk(node, path):
        for key, sub in node.get("properties", {}).items():
            assert "description" in sub, f"{path}{key} lacks a description"
            assert "default" in sub, f"{path}{key} lacks a default"
            walk(sub, f"{path}{key}.")

    walk(schema, "")


def test_yaml_boolean_off_gets_a_quoting_hint():
    with pytest.raises(ConfigError, match="quote it"):
        validate_config({"train": {"amp": False}})


@pytest.mark.parametrize("bad, key", [
    ({"train": {"lr": float("nan")}}, "train.lr"),
    ({"train": {"lr": float("inf")}}, "train.lr"),
    ({"model": {"depths": [8.0]}}, "model.depths.0"),
    ({"train": {"epochs": 20.0}}, "train.epochs"),
    ({"seeds": [True]}, "seeds.0"),
])
def test_numbers_are_finite_and_integers_are_integers(bad, key):
    with pytest.raises(ConfigError, match=f"'{key}'"):
        validate_config(bad)


def test_landscape_seeds_come_from_the_grid_or_are_refused():
    assert validate_config({"seeds": [3, 4, 5]})["landscape"]["seeds"] == [3, 4, 5]  # derived: the family stays
    with pytest.raises(ConfigError, match=r"'landscape.seeds' has \[0\] that are not in seeds"):
        validate_config({"seeds": [3, 4, 5], "landscape": {"seeds": [0, 3]}})
    with pytest.raises(ConfigError, match=r"'landscape.depths' has \[44\] that are not in model.depths"):
        validate_config({"landscape": {"depths": [20, 44]}})
    assert validate_config({"landscape": {"enabled": False, "depths": [44]}})["landscape"]["depths"] == [44]


@pytest.mark.parametrize("content, message", [
    (b"profile: x\nreport: {title: caf\xe9}\n", "not UTF-8"),
    (b"- 1\n- 2\n", "holds a list, not a mapping"),
    (b"just a string\n", "holds a str, not a mapping"),
    (b"\x00\x01\x02garbage\xff", "not UTF-8"),
    ("\ufeffprofile: x\n".encode("utf-16"), "not UTF-8"),
    (b"{a: " * 3000 + b"1" + b"}" * 3000, "nests mappings or lists too deeply"),
])
def test_files_that_are_not_yaml_mappings_get_one_line(tmp_path, content, message):
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message) as err:
        load_config(path)
    assert "\n" not in str(err.value)


def test_a_folder_or_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="is a folder, not a YAML file"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.yaml")


def test_cli_config_on_a_non_utf8_file_prints_one_line(tmp_path):
    import subprocess
    import sys

    (tmp_path / "p.yaml").write_bytes(b"report: {title: caf\xe9}\n")
    proc = subprocess.run([sys.executable, "-m", "resbench", "config", str(tmp_path / "p.yaml")], capture_output=True,
                          text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "UTF-8" in proc.stderr


@pytest.mark.parametrize("change, key", [({"seeds": [2 ** 63]}, "seeds"), ({"train": {"lr": 1e308}}, "train.lr"),
                                         ({"train": {"warmup_lr": 1e308}}, "train.warmup_lr"),
                                         ({"dataset": {"image_size": 100_000}}, "dataset.image_size")])
def test_values_the_generators_float32_or_memory_cannot_hold_are_refused_up_front(tmp_path, change, key):
    """Issue 25: these failed inside a rule after other jobs had run (an overflow, a float cast)."""
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"profile": "p", **change}))
    with pytest.raises(ConfigError, match=re.escape(key)):
        load_config(path)


@pytest.mark.parametrize("dataset, key", [
    ({"test_size": 5}, "dataset.test_size"),            # fewer test images than digits has classes
    ({"test_size": 0.999}, "dataset.test_size"),        # no training image left for most classes
    ({"val_size": 3}, "dataset.val_size"),
    ({"val_size": 1437}, "dataset.val_size"),           # the whole training split
    ({"limit_train": 4}, "dataset.limit_train"),
    ({"limit_train": 20}, "dataset.val_size"),          # a tenth of 20 images is 2 validation images
    ({"name": "cifar100", "val_size": 50}, "dataset.val_size"),   # 100 classes
    ({"name": "cifar10", "val_size": 49_995}, "dataset.val_size"),
])
def test_splits_the_stratified_splitter_would_refuse_are_refused_up_front(dataset, key):
    with pytest.raises(ConfigError, match=f"config key '{key}'.*one per class"):
        validate_config({"dataset": dataset})


@pytest.mark.parametrize("dataset", [{}, {"test_size": 10, "val_size": 10}, {"val_size": 0}, {"limit_train": 100},
                                     {"name": "cifar100", "val_size": 5000}, {"name": "mnist", "limit_train": 60_000}])
def test_splits_at_the_edge_are_accepted(dataset):
    validate_config({"dataset": dataset})


def test_the_edge_values_do_split():
    """The check's edge is the splitter's: at the smallest accepted sizes the digits splits load."""
    from resbench.data import load_splits

    splits = load_splits(validate_config({"dataset": {"test_size": 10, "val_size": 10, "limit_train": 20}})["dataset"])
    assert splits.sizes() == {"train": 10, "val": 10, "test": 10}


def test_a_dataset_root_that_is_a_file_is_refused_up_front(tmp_path):
    (tmp_path / "data").write_text("not a folder")
    with pytest.raises(ConfigError, match="'dataset.root'.*a file, not a folder"):
        validate_config({"dataset": {"name": "cifar10", "root": str(tmp_path / "data")}})
    validate_config({"dataset": {"name": "cifar10", "root": str(tmp_path / "absent")}})  # the data step says where
    validate_config({"dataset": {"root": str(tmp_path / "data")}})  # digits reads no root


@pytest.mark.parametrize("override, key", [
    ({"landscape": {"depths": [8, 8]}}, "landscape.depths"),
    ({"signal": {"mlp_layers": [1, 1]}}, "signal.mlp_layers"),
    ({"model": {"stochastic_depth_depths": [8, 8]}}, "model.stochastic_depth_depths"),
    ({"landscape": {"direction_seed": 2 ** 64}}, "landscape.direction_seed"),
    ({"landscape": {"seeds": [2 ** 40]}}, "landscape.seeds"),
    ({"profile": "p" * 300}, "profile"),
    ({"report": {"title": "t" * 140_000}}, "report.title"),
    ({"report": {"recipe": "r" * 140_000}}, "report.recipe"),
])
def test_values_that_would_fail_inside_a_job_are_refused_naming_the_key(override, key):
    """Duplicates where the schema refuses them elsewhere, integers past what torch takes, names past a file
    name's length and free text past one command-line argument: refused before any job runs."""
    with pytest.raises(ConfigError, match=re.escape(key.split(".")[-1])):
        validate_config(override)
