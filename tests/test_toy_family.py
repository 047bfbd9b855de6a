"""Issue 33: adding a family touches its folder, its rule file, the Snakefile's include, the schema and a
profile — nothing else. A toy family (tests/toy_family/) is added to a copy of the repository that way,
and the workflow plans it, runs it, and its table and section reach the report."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO
from .test_workflow import SNAKEMAKE

pytestmark = pytest.mark.e2e
TOY = Path(__file__).parent / "toy_family"


def add_toy_family(repo: Path) -> list[str]:
    """Copy the repository and add the toy family; return the files touched (relative to the copy)."""
    shutil.copytree(REPO / "src", repo / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for part in ("workflow", "profiles", "config", "envs"):
        shutil.copytree(REPO / part, repo / part)
    shutil.copy(REPO / "Snakefile", repo / "Snakefile")
    folder = repo / "src/resbench/families/toy"
    folder.mkdir()
    for source, name in (("family_init.py", "__init__.py"), ("family_report.py", "report.py"),
                         ("family_cli.py", "cli.py"), ("section.html.j2", "section.html.j2")):
        shutil.copy(TOY / source, folder / name)
    shutil.copy(TOY / "toy.smk", repo / "workflow/rules/toy.smk")
    snakefile = (repo / "Snakefile").read_text()
    include = 'include: "workflow/rules/report.smk"'
    (repo / "Snakefile").write_text(snakefile.replace(include, 'include: "workflow/rules/toy.smk"\n' + include))
    schema_path = repo / "src/resbench/schemas/config.schema.yaml"
    schema = yaml.safe_load(schema_path.read_text())
    schema["properties"]["toy"] = {"type": "object", "additionalProperties": False, "default": {},
                                   "properties": {"enabled": {"type": "boolean", "default": True}}}
    schema_path.write_text(yaml.safe_dump(schema, sort_keys=False))
    profile = {"profile": "toy", "seeds": [0, 1], "model": {"depths": [8], "archs": ["plain", "resnet"]},
               "dataset": {"limit_train": 200}, "train": {"epochs": 1, "warmup_epochs": 0}, "toy": {"enabled": True},
               **{k: {"enabled": False} for k in ("lesion", "variants", "landscape", "signal", "architectures")}}
    (repo / "config/toy.yaml").write_text(yaml.safe_dump(profile))
    return ["src/resbench/families/toy/", "workflow/rules/toy.smk", "Snakefile", schema_path.relative_to(repo).as_posix(),
            "config/toy.yaml"]


def test_a_toy_family_is_its_folder_a_rule_file_an_include_a_schema_block_and_a_profile(tmp_path):
    repo = tmp_path / "repo"
    touched = add_toy_family(repo)
    assert len(touched) == 5
    env = {**os.environ, "PYTHONPATH": str(repo / "src"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    run = lambda *args: subprocess.run([*SNAKEMAKE, "--configfile", "config/toy.yaml", *args], cwd=repo, env=env,  # noqa: E731
                                       capture_output=True, text=True, timeout=900)
    dry = run("-n")
    assert dry.returncode == 0 and "rule toy:" in dry.stdout, dry.stdout[-2000:] + dry.stderr[-2000:]
    real = run("--cores", "2")
    assert real.returncode == 0, real.stdout[-3000:] + real.stderr[-3000:]
    errors = (repo / "results/toy/toy/errors.csv").read_text()
    assert errors.splitlines()[0] == "arch,error" and len(errors.splitlines()) == 3
    html = (repo / "reports/toy/report.html").read_text()
    assert 'id="toy"' in html and 'class="toy-arch">resnet<' in html
    help_text = subprocess.run([sys.executable, "-m", "resbench", "toy", "--help"], env=env, capture_output=True,
                               text=True, timeout=120)
    assert help_text.returncode == 0 and "one row per architecture" in help_text.stdout
