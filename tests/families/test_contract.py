"""The Family contract, checked for every registered family: adding a family adds these tests."""
import ast
import importlib
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest
import yaml

from resbench.families import FAMILIES, REPORT_MODULES, bibliography, table_paths

SRC = Path(__file__).resolve().parents[2] / "src" / "resbench"
VERDICTS = {"reproduced", "not_reproduced", "inconclusive"}


@pytest.fixture(params=FAMILIES, ids=lambda f: f.name)
def family(request):
    return request.param


def test_the_registry_finds_every_family_folder():
    folders = {p.parent.name for p in (SRC / "families").glob("*/__init__.py")}
    assert {f.name for f in FAMILIES} == folders
    assert len({f.order for f in FAMILIES}) == len(FAMILIES)


def test_declaration_is_complete(family):
    schema = yaml.safe_load((SRC / "schemas" / "config.schema.yaml").read_text())
    assert family.title and family.tables
    assert all(path.startswith(f"{family.name}/") and path.endswith((".csv", ".json")) for path in family.tables.values())
    assert set(family.archived) <= set(family.tables)
    assert family.config_key is None or family.config_key in schema["properties"]
    assert set(family.citations) <= set(bibliography()) and set(family.references) <= set(family.citations)
    assert (files("resbench") / "families" / family.template).is_file()
    report = family.report()
    for name in ("claims", "section", "metric_samples", "limitations"):
        assert callable(getattr(report, name)), name
    for probe in family.probes:
        module, _, attr = probe.factory.partition(":")
        assert callable(getattr(importlib.import_module(module), attr))
        assert probe.every_key in schema["properties"][family.config_key]["properties"]


def test_table_keys_and_metric_names_are_unique_across_families():
    table_paths()  # raises on a clash
    names = [m.name for f in FAMILIES for m in f.metrics]
    assert len(names) == len(set(names))
    ids = [f.name for f in FAMILIES]
    assert len(ids) == len(set(ids))


def test_each_reference_is_declared_by_one_family(monkeypatch):
    import dataclasses

    import resbench.families as families

    bibliography()  # the registry's own: no clash
    twin = dataclasses.replace(FAMILIES[-1], name="twin", references={"he2016": "K. He et al. 2016 (again)."})
    monkeypatch.setattr(families, "FAMILIES", (*FAMILIES, twin))
    with pytest.raises(ValueError, match="twin declares references another family declares.*he2016"):
        families.bibliography()


def test_report_side_imports_no_torch(family):
    modules = [f"resbench.families.{family.name}.{m}" for m in REPORT_MODULES
               if (SRC / "families" / family.name / f"{m}.py").exists()]
    code = (f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}]; "
            "print(sorted(m for m in ('torch', 'torchvision', 'timm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"{family.name}'s report side imports {out.strip()}"


def _imported_families(path: Path) -> set[str]:
    """resbench.families.<name> modules a source file imports (absolute or relative)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package if node.level else ""
            name = f"{base}.{node.module}" if node.level and node.module else (base if node.level else node.module)
            names = [name] + [f"{name}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for n in names:
            parts = (n or "").split(".")
            if parts[:2] == ["resbench", "families"] and len(parts) > 2 and parts[2] in {f.name for f in FAMILIES}:
                found.add(parts[2])
    return found


def test_a_family_imports_no_other_family(family):
    for path in (SRC / "families" / family.name).glob("*.py"):
        assert _imported_families(path) <= {family.name}, path


def test_shared_machinery_names_no_family():
    shared = [p for p in SRC.rglob("*.py") if "families" not in p.relative_to(SRC).parts[:1]]
    offenders = {str(p.relative_to(SRC)): sorted(_imported_families(p)) for p in shared if _imported_families(p)}
    assert offenders == {}


def _synthetic_grid() -> dict:
    """The depth grid's tables for 2 archs x 2 depths x 2 seeds, and every other family's absent."""
    rows = [{"arch": arch, "depth": depth, "seed": seed, "run_id": f"{arch}{depth}_s{seed}", "status": "completed",
             "params": 1000 * depth, "final_train_error": 0.02 + (0.01 * depth if arch == "plain" else 0) + 0.001 * seed,
             "final_test_error": 0.05 + 0.001 * seed, "test_error_at_best_val": 0.05}
            for arch in ("plain", "resnet") for depth in (8, 20) for seed in (0, 1)]
    runs = pd.DataFrame(rows)
    epochs = pd.DataFrame([{**r, "epoch": e, "train_error": r["final_train_error"], "test_error": r["final_test_error"],
                            "train_loss": 0.1, "test_loss": 0.2, "images_per_second": 100.0} for r in rows for e in (1, 2)])
    tables = {key: None for key in table_paths()}
    tables.update(runs=runs, epochs=epochs, provenance={})
    return tables


def test_claims_and_sections_on_a_synthetic_grid(family, tiny_config):
    """Each family's claims speak the verdict vocabulary, and its section is None where its tables are absent."""
    import matplotlib.pyplot as plt

    tables = _synthetic_grid()
    claims = family.report().claims(tables, tiny_config)
    assert all(c["verdict"] in VERDICTS and c["section"] for c in claims)
    saved = []

    def save(name, draw, *args):  # the report's save: a name, then what draws the figure and from what
        fig = draw(*args)
        if fig is not None:
            saved.append(name)
            plt.close(fig)

    section = family.report().section(tables, {c["id"]: c for c in claims}, tiny_config, save)
    assert section is None or isinstance(section, dict)
    if all(tables[key] is None for key in family.tables):
        assert section is None and saved == [] and family.report().metric_samples(tables) == []


def test_every_claim_a_family_decides_is_declared(family, tiny_config):
    """A family's declared claims list every id its claims() can return (so a profile that skips the
    experiment still lists the claim), once each, with a kind and a statement."""
    ids = [claim_id for claim_id, _, _ in family.claims]
    assert ids and len(ids) == len(set(ids))
    assert all(kind in ("claim", "check") and text.endswith(".") for _, kind, text in family.claims)
    made = {c["id"] for c in family.report().claims(_synthetic_grid(), tiny_config)}
    assert made <= set(ids)


def test_a_claim_whose_experiment_did_not_run_is_listed_as_not_run(tiny_config, monkeypatch):
    """On a grid alone, every other family's claims are in claims.json as not run (the quick profile
    says where they run), in family order; an undeclared claim is refused."""
    from dataclasses import replace

    from resbench.hub import report as render

    claims = render.all_claims(_synthetic_grid(), {**tiny_config, "profile": "quick"})
    assert [c["id"] for c in claims] == [claim_id for f in FAMILIES for claim_id, _, _ in f.claims]
    left = {c["id"]: c for c in claims if c["verdict"] == "not_run"}
    assert {"shortcut_variants", "cardinality", "landscape_smoothness"} <= set(left)
    assert "degradation" not in left
    assert all("config/standard.yaml" in c["sentence"] and c["power"] is None for c in left.values())
    assert {c["run_in"] for c in left.values()} == {"config/standard.yaml"}
    for c in claims:  # every claim states its regime; a decided one was decided inside it
        assert {"criterion", "values", "met", "measured"} <= set(c["regime"]) and c["regime"]["criterion"], c["id"]
        assert c["verdict"] not in ("reproduced", "not_reproduced") or c["regime"]["met"] is True, c["id"]
    assert all(c["regime"]["met"] is None for c in left.values())
    standard = render.all_claims(_synthetic_grid(), {**tiny_config, "profile": "standard"})
    assert all("config/standard.yaml" not in c["sentence"] and c["run_in"] is None
               for c in standard if c["verdict"] == "not_run")

    monkeypatch.setattr(render, "FAMILIES", tuple(replace(f, claims=()) if f.name == "depth" else f for f in FAMILIES))
    with pytest.raises(ValueError, match="family depth decides claims it does not declare"):
        render.all_claims(_synthetic_grid(), tiny_config)


def test_a_claim_the_profile_runs_only_as_an_estimate_has_its_verdict_withheld(tiny_config):
    """report.estimate_only: the claim is computed (figures, key number, estimate in its sentence) but
    its verdict is `estimate`, left to the standard profile; what the test read stays in its evidence."""
    from resbench.hub import report as render

    config = {**tiny_config, "profile": "quick"}
    decided = {c["id"]: c for c in render.all_claims(_synthetic_grid(), config)}["degradation"]
    assert decided["verdict"] in ("reproduced", "not_reproduced", "inconclusive")
    config["report"] = {**config["report"], "estimate_only": ["degradation"]}
    withheld = {c["id"]: c for c in render.all_claims(_synthetic_grid(), config)}["degradation"]
    assert withheld["verdict"] == "estimate" and withheld["run_in"] == "config/standard.yaml"
    assert withheld["sentence"].startswith("Estimate only, verdict withheld (decided by the standard profile")
    assert withheld["evidence"]["withheld_test_read"] == decided["verdict"]
    assert withheld["key_number"] == decided["key_number"] and withheld["regime"] == decided["regime"]


def test_estimate_only_names_declared_claims():
    from resbench.errors import ConfigError
    from resbench.hub.profile import validate_config

    with pytest.raises(ConfigError, match="estimate_only"):
        validate_config({"report": {"estimate_only": ["no_such_claim"]}})
