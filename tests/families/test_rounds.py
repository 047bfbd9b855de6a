"""Seeds in rounds: the look after each round decides the claims on the grid's runs at its level, stops
the decided ones (and those outside their regime), and names the groups the next round trains; the
report decides each claim at the look that stopped it, on that look's seeds."""
import numpy as np
import pandas as pd
import pytest

from resbench import calibration
from resbench.config import round_seeds, seeds_through
from resbench.hub.profile import validate_config
from resbench.hub.rounds import look, record
from resbench.report.rounds import at_its_stop, stop_round


def config(rounds: int, seeds=(0, 1, 2, 3, 4)) -> dict:
    return validate_config({"profile": "r", "seeds": list(seeds), "sequential": {"rounds": rounds},
                            "model": {"depths": [8, 20, 56], "archs": ["plain", "resnet"]}})


def grid(plain56: float, seeds, spread: float = 0.002) -> pd.DataFrame:
    """Trained nets (errors under 20%): plain-56 at `plain56`, every other net near 1%."""
    rng = np.random.default_rng(0)
    rows = []
    for arch in ("plain", "resnet"):
        for depth in (8, 20, 56):
            for seed in seeds:
                mean = plain56 if (arch, depth) == ("plain", 56) else 0.01
                e = float(mean + spread * rng.standard_normal())
                rows.append({"arch": arch, "depth": depth, "seed": seed, "run_id": f"{arch}{depth}_s{seed}",
                             "status": "completed", "params": 1, "final_train_error": e, "final_test_error": e,
                             "test_error_at_best_val": e})
    return pd.DataFrame(rows)


def test_round_seeds_follow_the_profiles_seeds():
    c = config(3)
    assert round_seeds(c, 1) == [0, 1, 2, 3, 4] and round_seeds(c, 2) == [5, 6, 7, 8, 9]
    assert round_seeds(c, 3) == [10, 11, 12, 13, 14] and seeds_through(c, 2) == list(range(10))


def test_a_clear_claim_stops_at_the_first_look_and_schedules_nothing():
    c = config(3)
    result = look(grid(0.15, range(5)), c, 1, [])
    assert result["claims"]["degradation"]["stop"] == "decided"
    assert result["claims"]["degradation"]["verdict"] == "reproduced" and result["next_groups"] == []
    assert result["look_alpha"] == pytest.approx(calibration.look_alphas(3)[0])


def test_an_undecided_claim_schedules_the_groups_it_reads_until_the_cap():
    c = config(2)
    noisy = grid(0.035, range(5), spread=0.02)  # a rise near the margin, wide seed spread: undecided
    first = look(noisy, c, 1, [])
    assert first["claims"]["degradation"]["stop"] == "next round"
    assert sorted(map(tuple, first["next_groups"])) == [(a, d) for a in ("plain", "resnet") for d in (8, 20, 56)]
    second = look(grid(0.035, range(10), spread=0.02), c, 2, [first])
    assert second["claims"]["degradation"]["stop"] in ("decided", "cap") and second["next_groups"] == []
    assert second["claims"]["degradation"]["seeds"] == 10


def test_a_claim_stopped_earlier_is_not_looked_at_again_and_the_report_reads_its_stop():
    c = config(3)
    first = look(grid(0.15, range(5)), c, 1, [])
    second = look(grid(0.15, range(10)), c, 2, [first])
    assert "degradation" not in second["claims"]
    rounds = record([second, first])
    assert stop_round(rounds, "degradation") == 1 and rounds["last_round"] == 2
    runs, design = at_its_stop(grid(0.15, range(10)), c, rounds, "degradation")
    assert sorted(runs["seed"].unique()) == [0, 1, 2, 3, 4] and design == calibration.Design(3, 1)


def test_a_claim_outside_its_regime_stops_more_seeds_would_not_reach_it():
    c = config(3)
    untrained = grid(0.15, range(5)).assign(final_train_error=lambda t: t["final_train_error"] + 0.5)
    result = look(untrained, c, 1, [])
    assert result["claims"]["degradation"]["stop"] == "outside regime" and result["next_groups"] == []


def test_seeds_beyond_the_largest_seed_are_refused():
    from resbench.errors import ConfigError
    with pytest.raises(ConfigError, match="sequential.rounds"):
        validate_config({"profile": "r", "seeds": [2**31 - 2, 2**31 - 1], "sequential": {"rounds": 2}})
