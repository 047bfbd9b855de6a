import pandas as pd

from resbench.hub.profile import validate_config
from resbench.families.depth.report import methods


def test_methods_state_the_recipe_and_how_it_was_chosen():
    """The recipe comes from the config; the profile's note on how it was chosen (its pilot) follows it."""
    plain = methods(validate_config({}), {"runs": pd.DataFrame()})
    config = validate_config({"train": {"batch_size": 64, "lr": 0.05},
                              "report": {"recipe": "Fixed on pilot seeds 100-102 before any verdict."}})
    chosen = methods(config, {"runs": pd.DataFrame()})
    assert "batch 64" in chosen[2] and "lr 0.05" in chosen[2]
    assert chosen[2].endswith("Fixed on pilot seeds 100-102 before any verdict.")
    assert "pilot" not in plain[2]


def test_how_verdicts_are_decided_names_only_this_runs_claims():
    """The generic paragraph takes its examples from the claims it is given and names no family itself."""
    from resbench.families import FAMILIES
    from resbench.report.verdicts import method_paragraph

    generic = method_paragraph([])
    assert "e.g." not in generic and " here)" not in generic
    assert not any(c[0].replace("_", " ") in generic for f in FAMILIES for c in f.claims)
    claims = [{"id": "wide_nets", "claim": "Wide nets train faster by 1 pt.", "margin": 0.01, "power": 0.9,
               "own_power": 0.5, "paper_power": None},
              {"id": "deep_nets", "claim": "Deep nets...", "margin": 0.02, "power": 0.8, "own_power": 0.8,
               "paper_power": 0.7}]
    for c in claims:
        c.update(false_positive_rate=0.04, resampled_false_positive_rate=0.05)
    text = method_paragraph(claims)
    assert "(e.g. wide nets train faster by 1 pt)" in text
    assert "beside it (wide nets here)" in text and "printed too (deep nets here)" in text
