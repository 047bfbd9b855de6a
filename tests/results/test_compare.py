import json
import shutil

import numpy as np
import pandas as pd
import pytest

from resbench.cli import main
from resbench.hub.profile import validate_config


AVX2 = {"hardware": {"cpu": "AMD EPYC", "cpu_features": ["avx2"], "gpu": None},
        "versions": {"torch": "2.14.1", "numpy": "2.4.6"}}
AVX512 = {"hardware": {"cpu": "Intel(R) Xeon(R) Processor", "cpu_features": ["avx2", "avx512f"], "gpu": None},
          "versions": {"torch": "2.14.1", "numpy": "2.4.6"}}


def write_set(folder, config, plain_shift=0.0, seed=0, made_on=AVX2):
    """A small archive: 3 seeds of plain/ResNet at two depths, claims, config and manifest."""
    rng = np.random.default_rng(seed)
    rows = []
    for arch in ("plain", "resnet"):
        for depth in (8, 20):
            for s in range(3):
                err = 0.05 + 0.005 * rng.standard_normal() + (plain_shift if arch == "plain" and depth == 20 else 0)
                rows.append({"arch": arch, "depth": depth, "seed": s, "run_id": f"{arch}{depth}_s{s}",
                             "final_test_error": err, "final_train_error": err / 2, "status": "completed"})
    (folder / "depth").mkdir(parents=True)
    pd.DataFrame(rows).to_csv(folder / "depth" / "runs.csv", index=False)
    verdict = "reproduced" if plain_shift else "not_reproduced"
    (folder / "claims.json").write_text(json.dumps({"claims": [
        {"id": "degradation", "verdict": verdict, "key_number": f"rise {plain_shift}"}]}))
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "manifest.json").write_text(json.dumps({"key": folder.name, "created": "2026-11-25T00:00:00",
                                                                **made_on}))
    return folder


@pytest.fixture
def config():
    return validate_config({"profile": "t"})


def compare(tmp_path, base, head, *extra):
    out = tmp_path / "out"
    code = main(["compare", str(base), str(head), "--out-dir", str(out), *extra])
    return code, (out / "compare.md").read_text() if (out / "compare.md").exists() else "", out


def test_a_result_set_compared_with_itself_reports_no_change(tmp_path, config):
    a = write_set(tmp_path / "a", config)
    code, md, _ = compare(tmp_path, a, a)
    assert code == 0
    assert "No significant error regression and no changed verdict" in md
    assert "regression" not in md.split("### Metrics")[1]


def test_an_injected_regression_is_detected_first_and_fails(tmp_path, config):
    base = write_set(tmp_path / "base", config)
    head = tmp_path / "head"
    shutil.copytree(base, head)
    runs = pd.read_csv(head / "depth" / "runs.csv")
    runs.loc[(runs["arch"] == "plain") & (runs["depth"] == 20), "final_test_error"] += 0.2
    runs.to_csv(head / "depth" / "runs.csv", index=False)
    code, md, out = compare(tmp_path, base, head)
    assert code == 1
    first_row = md.split("### Metrics")[1].splitlines()[4]
    assert "regression" in first_row and "final_test_error" in first_row and "plain-20" in first_row
    assert "1 significant error regression" in md
    assert (out / "compare.html").exists()


def test_a_changed_verdict_is_listed_first(tmp_path, config):
    base = write_set(tmp_path / "base", config)
    head = write_set(tmp_path / "head", config, plain_shift=0.3)
    code, md, _ = compare(tmp_path, base, head)
    assert code == 1
    assert "| ⚠️ changed | degradation | not_reproduced | reproduced |" in md


def test_a_claim_no_longer_reproduced_fails_the_comparison_with_both_sides_evidence(tmp_path, config):
    base = write_set(tmp_path / "base", config, plain_shift=0.3)
    head = tmp_path / "head"
    shutil.copytree(base, head)
    (head / "claims.json").write_text(json.dumps({"claims": [
        {"id": "degradation", "verdict": "inconclusive", "sentence": "Too few trained seeds."}]}))
    (base / "claims.json").write_text(json.dumps({"claims": [
        {"id": "degradation", "verdict": "reproduced", "sentence": "Plain error rises by 30 points."}]}))
    code, md, _ = compare(tmp_path, base, head)
    assert code == 1 and "1 claim(s) no longer reproduced" in md
    assert "| ❌ lost | degradation | reproduced | inconclusive |" in md
    assert "Plain error rises by 30 points." in md and "Too few trained seeds." in md
    assert compare(tmp_path, head, base)[0] == 0  # gaining a claim is no regression
    other = json.loads(json.dumps(config))
    other["train"]["lr"] = 0.05
    (head / "config.json").write_text(json.dumps(other))
    code, md, _ = compare(tmp_path, base, head)  # another config: reported, not gated
    assert code == 0 and "the configs differ" in md


def test_a_config_mismatch_is_named_and_can_be_refused(tmp_path, config, capsys):
    base = write_set(tmp_path / "base", config)
    other = json.loads(json.dumps(config))
    other["train"]["lr"] = 0.05
    head = write_set(tmp_path / "head", other)
    code, md, _ = compare(tmp_path, base, head)
    assert code == 0 and "| `train.lr` | `0.1` | `0.05` |" in md
    code, _, _ = compare(tmp_path, base, head, "--config-mismatch", "refuse")
    assert code == 2 and "train.lr" in capsys.readouterr().err


def test_runs_made_on_different_machines_say_so_beside_a_moved_number(tmp_path, config):
    base = write_set(tmp_path / "base", config)
    same = write_set(tmp_path / "same", config, seed=1)
    assert "different machines" not in compare(tmp_path, base, same)[1]
    head = write_set(tmp_path / "head", config, plain_shift=0.3, made_on=AVX512)
    code, md, out = compare(tmp_path, base, head)
    assert code == 1  # the gate is the code's: a machine change is named, not excused
    headline = md.splitlines()[2]
    assert "changed verdict" in headline and "different machines or packages" in headline
    section = md.split("### Made on different machines or packages")[1].split("###")[0]
    assert "| `hardware.cpu` | AMD EPYC | Intel(R) Xeon(R) Processor |" in section
    assert "| `hardware.cpu_features` | avx2 | avx2, avx512f |" in section
    assert "torch" not in section  # equal versions are not listed
    html = (out / "compare.html").read_text()
    assert "Made on different machines or packages" in html and "avx2, avx512f" in html


def test_compare_html_escapes_hostile_strings(tmp_path, config):
    hostile = json.loads(json.dumps(config))
    hostile["report"]["title"] = "<script>alert(1)</script>"
    base = write_set(tmp_path / "base", config)
    head = write_set(tmp_path / "head", hostile)
    _, _, out = compare(tmp_path, base, head)
    html = (out / "compare.html").read_text()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_bundles_and_unknown_names(tmp_path, config, monkeypatch):
    a = write_set(tmp_path / "archive" / "abc123-def", config)
    monkeypatch.chdir(tmp_path)
    assert main(["export", "abc123-def", "--out", "bundle.tar.gz"]) == 0
    code, md, _ = compare(tmp_path, "bundle.tar.gz", "abc123-def")
    assert code == 0 and "No significant" in md
    assert main(["compare", "no-such-thing", str(a), "--out-dir", "x"]) == 2


def test_a_result_set_missing_a_table_a_family_needs_is_one_line_and_exit_2(tmp_path, config, capsys):
    """Issue 34: compare against an archive folder whose depth/runs.csv is gone said KeyError: 'runs' and
    exited 1 (what CI reads as a regression); now one line naming the file, exit 2, for either side."""
    a = write_set(tmp_path / "a", config)
    b = write_set(tmp_path / "b", config)
    (b / "depth" / "runs.csv").unlink()
    pd.DataFrame([{"arch": "plain", "depth": 8, "seed": 0, "images_per_second": 100.0}]).to_csv(
        b / "depth" / "epochs.csv", index=False)  # another of the suite's tables: a partial result set
    for base, head in ((a, b), (b, a)):
        code, _, _ = compare(tmp_path, base, head)
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and "depth/runs.csv" in err[0] and "Traceback" not in err[0], err
