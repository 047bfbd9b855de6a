import pickle
from pathlib import Path

import numpy as np
import pytest
import yaml

from resbench.hub.profile import grid_spec, validate_config

REPO = Path(__file__).resolve().parents[1]


# Digits, two small depths, three epochs: trains in about a second per run (the catalog's .test/config/).
TINY = yaml.safe_load((REPO / ".test" / "config" / "unit.yaml").read_text())


@pytest.fixture
def tiny_config():
    return validate_config(TINY)


@pytest.fixture
def tiny_spec(tiny_config):
    """A grid run without the training probes (tests that probe pass them: see tests/train/test_loop.py)."""
    spec = grid_spec(tiny_config, "resnet", 8, 0)
    spec.pop("probes", None)
    return spec


def write_fake_cifar10(root: Path, n_train_per_batch: int = 20, n_test: int = 20, seed: int = 0) -> Path:
    """CIFAR-10 in its real on-disk format (pickled dicts with str keys), tiny and random."""
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)

    def batch(n):
        return {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), "labels": [int(i % 10) for i in range(n)]}

    for i in range(1, 6):
        (folder / f"data_batch_{i}").write_bytes(pickle.dumps(batch(n_train_per_batch)))
    (folder / "test_batch").write_bytes(pickle.dumps(batch(n_test)))
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": [f"class{i}" for i in range(10)]}))
    return folder


@pytest.fixture
def fake_cifar10(tmp_path):
    write_fake_cifar10(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def claims_calibrate_the_rule_that_decides(monkeypatch):
    """In every test: a family claim that calibrates a rule must have decided its verdict with that same
    rule object (`Rule.verdict` on the real data, outside the calibration's draws). A claim whose verdict
    and calibration use different rules (and so could drift apart) fails whichever test runs it."""
    from resbench import calibration

    decided, drawing = set(), []
    real_calibrate, real_verdict = calibration.calibrate, calibration.Rule.verdict

    def verdict(self, parts, alpha=calibration.ALPHA):
        if not drawing:
            decided.add(id(self))
        return real_verdict(self, parts, alpha)

    def calibrate(groups, rule, *args, **kwargs):
        import sys
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.startswith("resbench."):
            assert id(rule) in decided, f"{caller} calibrates a rule it did not decide its verdict with"
        drawing.append(1)
        try:
            return real_calibrate(groups, rule, *args, **kwargs)
        finally:
            drawing.pop()

    monkeypatch.setattr(calibration.Rule, "verdict", verdict)
    monkeypatch.setattr(calibration, "calibrate", calibrate)
