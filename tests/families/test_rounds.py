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
    tables, design = at_its_stop({"runs": grid(0.15, range(10)), "rounds": rounds}, c, "degradation")
    assert sorted(tables["runs"]["seed"].unique()) == [0, 1, 2, 3, 4] and design == calibration.Design(3, 1)


def test_a_claim_outside_its_regime_stops_more_seeds_would_not_reach_it():
    c = config(3)
    untrained = grid(0.15, range(5)).assign(final_train_error=lambda t: t["final_train_error"] + 0.5)
    result = look(untrained, c, 1, [])
    assert result["claims"]["degradation"]["stop"] == "outside regime" and result["next_groups"] == []


def test_seeds_beyond_the_largest_seed_are_refused():
    from resbench.errors import ConfigError
    with pytest.raises(ConfigError, match="sequential.rounds"):
        validate_config({"profile": "r", "seeds": [2**31 - 2, 2**31 - 1], "sequential": {"rounds": 2}})


AXIS21 = np.linspace(-1, 1, 21)  # the landscape regime's spacing (0.1)


def surface_frame(shares: dict) -> pd.DataFrame:
    """{(arch, depth): [rough?] per seed} -> 21x21 surfaces (rough: a bumpy bowl, else a smooth basin)."""
    a, b = np.meshgrid(AXIS21, AXIS21, indexing="ij")
    smooth, rough = 2.3 - 2.2 * np.exp(-3 * (a ** 2 + b ** 2)), 1 + 4 * (a ** 2 + b ** 2) + 0.6 * np.cos(7 * a) * np.cos(7 * b)
    rows = []
    for (arch, depth), kinds in shares.items():
        for seed, is_rough in enumerate(kinds):
            loss = rough if is_rough else smooth
            rows += [{"arch": arch, "depth": depth, "seed": seed, "run_id": f"{arch}{depth}_s{seed}", "i": i, "j": j,
                      "alpha": AXIS21[i], "beta": AXIS21[j], "loss": loss[i, j]} for i in range(21) for j in range(21)]
    return pd.DataFrame(rows)


def landscape_config(rounds: int, estimate_only=()) -> dict:
    return validate_config({"profile": "r", "seeds": [0, 1, 2, 3, 4], "sequential": {"rounds": rounds},
                            "model": {"depths": [8, 20, 56], "archs": ["plain", "resnet"]},
                            "landscape": {"depths": [20, 56], "seeds": [0, 1, 2, 3, 4], "resolution": 21},
                            "report": {"estimate_only": list(estimate_only)}})


def test_an_undecided_landscape_claim_maps_the_next_rounds_seeds_of_its_groups():
    """Loss surfaces are of the grid's runs: the look decides the smoothness claim on the surfaces mapped
    so far (cut to the round's seeds) and, undecided, names the mapped groups for the next round; a
    profile that only estimates the claim adds no seeds for it."""
    from resbench.families.landscape.plan import mapped_runs, mapped_seeds

    mixed = [True, False, True, False, True]  # plain-56 rough in 3 of 5 seeds: undecided at the first look
    surf = surface_frame({("plain", 56): mixed, ("resnet", 56): [False] * 5, ("resnet", 20): [False] * 5})
    curvature = surf[["run_id", "arch", "depth", "seed"]].drop_duplicates().assign(lambda_max=1.0)
    tables = {"landscape": surf, "landscape_curvature": curvature}
    first = look(grid(0.15, range(5)), landscape_config(2), 1, [], tables)
    assert first["claims"]["degradation"]["stop"] == "decided"
    assert first["claims"]["landscape_smoothness"]["stop"] == "next round", first["claims"]["landscape_smoothness"]
    assert sorted(map(tuple, first["next_groups"])) == [("plain", 20), ("plain", 56), ("resnet", 20), ("resnet", 56)]
    estimated = look(grid(0.15, range(5)), landscape_config(2, ["landscape_smoothness"]), 1, [], tables)
    assert "landscape_smoothness" not in estimated["claims"] and estimated["next_groups"] == []

    c = landscape_config(2) | {"landscape": {**landscape_config(2)["landscape"], "seeds": [0, 1]}}
    assert mapped_seeds(c, 2) == {0, 1, 5, 6}  # landscape seeds keep their places among each round's seeds
    specs = {f"{a}{d}_s{s}": {"arch": a, "depth": d, "seed": s} for a in ("plain", "resnet") for d in (8, 20, 56)
             for s in range(10)}
    assert mapped_runs(c, specs) == sorted(f"{a}{d}_s{s}" for a in ("plain", "resnet") for d in (20, 56) for s in (0, 1, 5, 6))
