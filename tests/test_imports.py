"""Data flows one way: code that measures a trained model does not import the training loop."""
import subprocess
import sys

MEASURING = ["resbench.trained", "resbench.experiments.landscape", "resbench.experiments.lesion",
             "resbench.experiments.construct", "resbench.train.checkpoint", "resbench.train.device"]


def test_evaluating_code_does_not_import_the_training_loop():
    code = f"import sys, {', '.join(MEASURING)}; print('resbench.train.loop' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_training_loop_is_still_one_import_away():
    from resbench.train import train_run
    from resbench.train.loop import train_run as direct

    assert train_run is direct
