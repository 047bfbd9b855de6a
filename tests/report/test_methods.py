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
