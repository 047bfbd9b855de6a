import subprocess
import sys

import pytest

from resbench.data import load_splits
from resbench.data.vision import check_dataset
from resbench.errors import DatasetMissingError
from resbench.hub.profile import validate_config


def test_fabricated_cifar10_loads_through_torchvision(fake_cifar10):
    dataset = validate_config({"dataset": {"name": "cifar10", "root": str(fake_cifar10), "val_size": 10}})["dataset"]
    splits = load_splits(dataset, verify=False)
    assert splits.sizes() == {"train": 90, "val": 10, "test": 20}
    assert splits.train_x.shape[1:] == (3, 32, 32) and splits.num_classes == 10


def test_real_data_keeps_torchvision_integrity_checks(fake_cifar10):
    dataset = validate_config({"dataset": {"name": "cifar10", "root": str(fake_cifar10)}})["dataset"]
    with pytest.raises(DatasetMissingError, match="integrity"):
        load_splits(dataset)  # verify=True: fabricated files fail the md5 check


def test_missing_dataset_says_what_goes_where(tmp_path):
    with pytest.raises(DatasetMissingError) as err:
        check_dataset("cifar10", tmp_path)
    message = str(err.value)
    assert "data_batch_1" in message and str(tmp_path / "cifar-10-batches-py") in message
    assert "--download" in message


def test_cli_reports_missing_dataset_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "resbench", "data", "mnist", "--root", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "train-images-idx3-ubyte" in proc.stderr and "Traceback" not in proc.stderr


def test_data_step_runs_the_checks_training_runs(fake_cifar10):
    """Fabricated (non-official) files: the data step refuses them as training does, and says how
    to accept a deliberately different copy; with dataset.verify false both accept them."""
    proc = subprocess.run([sys.executable, "-m", "resbench", "data", "cifar10", "--root", str(fake_cifar10)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "integrity check" in proc.stderr and "dataset.verify: false" in proc.stderr
    assert "ready" not in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "resbench", "data", "cifar10", "--root", str(fake_cifar10),
                           "--no-verify"], capture_output=True, text=True)
    assert proc.returncode == 0 and "cifar10: ready" in proc.stderr, proc.stderr
    dataset = validate_config({"dataset": {"name": "cifar10", "root": str(fake_cifar10), "val_size": 10,
                                           "verify": False}})["dataset"]
    assert load_splits(dataset).sizes()["train"] == 90


def test_unverified_data_is_a_limitation_of_the_report():
    from resbench.hub.report import limitations

    config = validate_config({"dataset": {"name": "cifar10", "verify": False}})
    assert any("md5" in line for line in limitations(config))
    assert not any("md5" in line for line in limitations(validate_config({"dataset": {"name": "cifar10"}})))
