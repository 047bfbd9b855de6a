import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return subprocess.run([sys.executable, "-m", "resbench", *args], capture_output=True, text=True, cwd=ROOT)


def _verbs():
    """verb -> its sub-parser, as `resbench` builds them (the families' verbs included)."""
    from resbench.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


def test_help_lists_every_verb_in_its_group():
    from resbench.cli import USER_VERBS

    out = run("--help").stdout
    users, steps = out.split("Workflow steps")
    for verb in _verbs():
        group = users if verb in USER_VERBS else steps
        assert re.search(rf"^  {re.escape(verb)}\s+\S", group, re.M), (verb, out)  # listed with its help line
    assert set(USER_VERBS) < set(_verbs()) and {"train", "report", "compare", "config"} <= set(USER_VERBS)


def test_the_help_checker_misses_nothing(monkeypatch):
    """The test above fails when a verb is missing from --help."""
    import resbench.cli as cli

    real = cli.verb_listing
    monkeypatch.setattr(cli, "verb_listing", lambda choices: real({k: v for k, v in choices.items() if k != "data"}))
    from resbench.cli import build_parser

    assert not re.search(r"^  data\s", build_parser().format_help(), re.M)


@pytest.mark.parametrize("verb", sorted(_verbs()))
def test_every_verb_and_positional_has_help(verb):
    parser = _verbs()[verb]
    assert parser.description, f"resbench {verb} --help has no description"
    for action in parser._actions:
        if not action.option_strings:
            assert action.help, f"resbench {verb}: positional {action.dest} has no help"


# One call per verb that a user can get wrong: a file that is not there, or a value that cannot be.
BAD_CALLS = {
    "train": ["--config", "config/quick.yaml", "--arch", "plain", "--depth", "9", "--out", "{tmp}/t"],
    "aggregate": ["{tmp}/missing/summary.json", "--out", "{tmp}/agg"],
    "look": ["--round", "1", "--config-json", '{{"profile": "x"}}', "--summaries", "{tmp}/missing/summary.json",
             "--out", "{tmp}/look1.json"],
    "rounds": ["{tmp}/missing/look1.json", "--out", "{tmp}/rounds.json"],
    "lesion": ["{tmp}/missing/model.pt", "--out", "{tmp}/l.csv", "--paths-out", "{tmp}/p.csv"],
    "architectures": ["{tmp}/missing/model.pt", "--cost-out", "{tmp}/c.csv", "--deletion-out", "{tmp}/d.csv",
                      "--bottleneck-out", "{tmp}/b.csv"],
    "landscape": ["{tmp}/missing/model.pt", "--rows", "0:3", "--out", "{tmp}/s.csv"],
    "landscape-finish": ["{tmp}/missing/model.pt", "{tmp}/missing.csv", "--out", "{tmp}/s.csv",
                         "--curvature-out", "{tmp}/c.csv", "--directions-out", "{tmp}/d.pt", "--interp-out",
                         "{tmp}/i.csv", "--ratio-map-out", "{tmp}/r.csv"],
    "signal-mlp": ["--config-json", "{{not json", "--epochs-out", "{tmp}/e.csv", "--speeds-out", "{tmp}/s.csv"],
    "signal-rank": ["--config-json", '{{"seeds": "many"}}', "--out", "{tmp}/r.csv"],
    "signal-construct": ["--config-json", "{{}}", "--shallow", "{tmp}/missing/model.pt", "--deep", "{tmp}/m2.pt",
                         "--spectra", "{tmp}/m3.pt", "--identity-out", "{tmp}/i.csv", "--appended-out", "{tmp}/a.csv",
                         "--spectra-out", "{tmp}/s.csv"],
    "archive": ["--config-json", "{{}}", "--results", "{tmp}/missing", "--claims", "{tmp}/missing/claims.json",
                "--root", "{tmp}/archive"],
    "export": ["no-such-key", "--out", "{tmp}/b.tar.gz", "--root", "{tmp}/archive"],
    "compare": ["no-such-key", "{tmp}/missing", "--root", "{tmp}/archive"],
    "concat": ["{tmp}/missing.csv", "--out", "{tmp}/all.csv"],
    "report": ["--config", "config/quick.yaml", "--results", "{tmp}/missing", "--out", "{tmp}/r"],
    "claims": ["--config", "config/quick.yaml", "--results", "{tmp}/missing", "--out", "{tmp}/r/claims.json"],
    "figures": ["--config", "config/quick.yaml", "--results", "tests", "--out", "{tmp}/r", "--family", "depth"],
    "data": ["cifar10", "--root", "{tmp}/missing"],
    "verify": ["{tmp}/missing"],
    "config": ["{tmp}/missing.yaml"],
    "models": ["--params", "9"],
}


def test_every_verb_has_a_bad_call():
    assert set(BAD_CALLS) == set(_verbs())


@pytest.mark.parametrize("verb", sorted(BAD_CALLS))
def test_a_user_error_is_one_line_without_traceback(tmp_path, verb):
    proc = run(verb, *(a.format(tmp=tmp_path) for a in BAD_CALLS[verb]))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    said = [k for k, line in enumerate(lines) if line.startswith(f"resbench {verb}: error: ")]
    # the error comes last, with at most one more line saying how to fix it
    assert said and len(lines) - said[0] <= 2, proc.stderr[-3000:]


def test_bad_arguments_are_argparse_errors_naming_the_option(tmp_path):
    proc = run("train", "--depth", "eight", "--out", str(tmp_path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--depth" in proc.stderr


def test_bad_config_is_one_clear_line_and_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("train:\n  schedule: exponential\n")
    proc = run("config", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "'train.schedule' has value 'exponential'; allowed values: step, cosine, constant" in proc.stderr


def test_config_prints_defaults_and_hash(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("profile: mine\n")
    proc = run("config", str(path))
    assert proc.returncode == 0 and "momentum: 0.9" in proc.stdout and "# config hash:" in proc.stdout


def test_models_lists_registry_and_counts():
    proc = run("models", "--params", "20")
    assert "resnet_cifar" in proc.stdout and "resnet56_cifar" not in proc.stdout  # one entry per net, any depth
    assert "resnet-20: 269,722 parameters, 40.6M multiply-adds" in proc.stdout


@pytest.mark.parametrize("argv, said", [(["reprot"], "did you mean 'report'?"), (["-v", "comapre", "a", "b"],
                                                                                "did you mean 'compare'?"),
                                        (["zzz"], "unknown verb 'zzz'; resbench --help")])
def test_a_mistyped_verb_gets_a_suggestion_in_one_line(argv, said):
    proc = run(*argv)
    assert proc.returncode == 2 and said in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
