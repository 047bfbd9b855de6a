import pytest

from resbench.hub.profile import validate_config
from resbench.train.schedule import lr_at


def train_cfg(**kw):
    return validate_config({"train": kw})["train"]


def test_he2016_step_schedule_in_iterations_with_constant_warmup():
    t = train_cfg(epochs=182, schedule="step", milestones=[32000, 48000], milestone_unit="iteration",
                  warmup="constant", warmup_lr=0.01, warmup_epochs=1.14, warmup_min_depth=110)
    ipe = 352
    assert lr_at(0, ipe, t, depth=110) == 0.01
    assert lr_at(399, ipe, t, depth=110) == 0.01
    assert lr_at(402, ipe, t, depth=110) == 0.1
    assert lr_at(0, ipe, t, depth=56) == 0.1  # only deep nets warm up
    assert lr_at(31999, ipe, t, depth=56) == 0.1
    assert lr_at(32000, ipe, t, depth=56) == pytest.approx(0.01)
    assert lr_at(48000, ipe, t, depth=56) == pytest.approx(0.001)


def test_milestones_in_epochs():
    t = train_cfg(epochs=10, schedule="step", milestones=[5], warmup_epochs=0)
    assert lr_at(4 * 10 + 9, 10, t, 20) == 0.1 and lr_at(50, 10, t, 20) == pytest.approx(0.01)


def test_cosine_with_linear_warmup():
    t = train_cfg(epochs=10, schedule="cosine", warmup_epochs=1, warmup="linear", warmup_lr=0.0)
    assert lr_at(0, 10, t, 20) == 0.0
    assert lr_at(5, 10, t, 20) == pytest.approx(0.05)
    assert lr_at(10, 10, t, 20) == pytest.approx(0.1)
    assert lr_at(55, 10, t, 20) == pytest.approx(0.05)
    assert lr_at(99, 10, t, 20) < 1e-3
