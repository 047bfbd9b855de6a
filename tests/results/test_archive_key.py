"""Two different result sets never share an archive folder; the same one always maps to one."""
import pytest

from resbench.hub.profile import validate_config
from resbench.results import archive


@pytest.fixture
def clean_git(monkeypatch):
    state = {"git_commit": "a" * 40, "git_dirty": False, "git_diff_hash": ""}
    monkeypatch.setattr(archive, "git_info", lambda repo=None: dict(state))
    return state


QUICK = {"profile": "quick", "seeds": [0, 1, 2], "model": {"depths": [8, 20, 32, 56]}}


@pytest.mark.parametrize("change", [
    {"profile": "other"},
    {"seeds": [3, 4, 5]},
    {"model": {"depths": [8]}},
    {"lesion": {"draws": 3}},
    {"variants": {"names": ["identity"]}},
    {"landscape": {"resolution": 7}},
    {"signal": {"mlp_epochs": 3}},
    {"dataset": {"limit_train": 100}},
    {"device": "cuda"},
    {"threads": 2},  # another reduction order: other numbers
    {"fuse_seeds": "on"},
])
def test_every_result_setting_changes_the_key(clean_git, change):
    base = archive.archive_key(None, validate_config(QUICK))
    assert archive.archive_key(None, validate_config({**QUICK, **change})) != base


def test_title_and_job_grouping_keep_the_key(clean_git):
    base = archive.archive_key(None, validate_config(QUICK))
    same = validate_config({**QUICK, "group_seeds": False, "report": {"title": "Another title {x}"}})
    assert archive.archive_key(None, same) == base


def test_two_dirty_trees_of_one_commit_get_two_keys(clean_git):
    config = validate_config(QUICK)
    clean = archive.archive_key(None, config)
    clean_git.update(git_dirty=True, git_diff_hash="1111aaaa2222")
    first = archive.archive_key(None, config)
    clean_git.update(git_diff_hash="3333bbbb4444")
    second = archive.archive_key(None, config)
    assert len({clean, first, second}) == 3 and "-dirty1111aaaa" in first


def test_the_data_files_enter_the_key(clean_git, fake_cifar10):
    config = validate_config({**QUICK, "dataset": {"name": "cifar10", "root": str(fake_cifar10), "verify": False}})
    before = archive.archive_key(None, config)
    batch = fake_cifar10 / "cifar-10-batches-py" / "data_batch_1"
    batch.write_bytes(batch.read_bytes()[:-100])  # a different copy of the data
    assert archive.archive_key(None, config) != before


@pytest.mark.parametrize("damage", [lambda b: b"", lambda b: b[:9], lambda b: b"\xff\xfe" + b[2:]])
def test_a_damaged_claims_file_is_set_aside_not_archived(clean_git, tmp_path, damage):
    """A truncated or zeroed claims.json (newer than its inputs, so Snakemake keeps it) fails the archive
    job in one line and is set aside, so the next run rebuilds the report; the archive gets no copy."""
    from resbench.errors import CorruptFileError
    from resbench.hub.results import write_archive
    from resbench.results.io import write_json_atomic

    results, claims = tmp_path / "results", tmp_path / "reports" / "claims.json"
    results.mkdir()
    write_json_atomic({"profile": "quick", "claims": []}, claims)
    config = validate_config(QUICK)
    good = write_archive(results, claims, config, "k1", root=tmp_path / "archive")
    assert (good / "claims.json").read_bytes() == claims.read_bytes()
    claims.write_bytes(damage(claims.read_bytes()))
    with pytest.raises(CorruptFileError):
        write_archive(results, claims, config, "k2", root=tmp_path / "archive")
    assert not claims.exists() and claims.with_name("claims.json.corrupt").exists()
    assert not (tmp_path / "archive" / "k2" / "claims.json").exists()


def test_an_archive_is_never_overwritten_with_other_results(clean_git, tmp_path):
    """Issue 25: the same key again with the same results rewrites it in place; with other results the
    old archive is kept aside under its creation time, not overwritten."""
    from resbench.hub.results import write_archive
    from resbench.results.io import write_json_atomic

    results, claims, root = tmp_path / "results", tmp_path / "reports" / "claims.json", tmp_path / "archive"
    results.mkdir()
    config = validate_config(QUICK)
    write_json_atomic({"profile": "quick", "claims": [{"id": "degradation", "verdict": "reproduced"}]}, claims)
    first = write_archive(results, claims, config, "k", root=root)
    write_archive(results, claims, config, "k", root=root)
    assert sorted(p.name for p in root.iterdir()) == ["k"]
    write_json_atomic({"profile": "quick", "claims": [{"id": "degradation", "verdict": "inconclusive"}]}, claims)
    write_archive(results, claims, config, "k", root=root)
    kept = [p for p in root.iterdir() if p.name.startswith("k.replaced-")]
    assert len(kept) == 1 and "reproduced" in (kept[0] / "claims.json").read_text()
    assert "inconclusive" in (first / "claims.json").read_text()


def test_the_guard_holds_when_snakemake_deleted_the_manifest_first(clean_git, tmp_path):
    """Issue 34: Snakemake deletes the archive rule's output (manifest.json) before rerunning it, so a
    guard keyed on the manifest never fired: a changed table was silently overwritten. The guard reads
    the archived files themselves."""
    from resbench.hub.results import write_archive
    from resbench.results.io import write_json_atomic

    results, claims, root = tmp_path / "results", tmp_path / "reports" / "claims.json", tmp_path / "archive"
    results.mkdir()
    config = validate_config(QUICK)
    write_json_atomic({"profile": "quick", "claims": [{"id": "degradation", "verdict": "reproduced"}]}, claims)
    first = write_archive(results, claims, config, "k", root=root)
    (first / "manifest.json").unlink()  # what `snakemake --forcerun archive` does before the job
    write_archive(results, claims, config, "k", root=root)  # the same results: rewritten in place
    assert sorted(p.name for p in root.iterdir()) == ["k"]
    (first / "manifest.json").unlink()
    write_json_atomic({"profile": "quick", "claims": [{"id": "degradation", "verdict": "inconclusive"}]}, claims)
    write_archive(results, claims, config, "k", root=root)
    kept = [p for p in root.iterdir() if p.name.startswith("k.replaced-")]
    assert len(kept) == 1 and "reproduced" in (kept[0] / "claims.json").read_text()
    assert "inconclusive" in (first / "claims.json").read_text() and (first / "manifest.json").exists()


def test_a_lost_archived_file_is_written_back_only_if_it_held_these_results(clean_git, tmp_path):
    """Issue 34: a file gone from an archive entry (set aside by `resbench verify`, or removed) is written
    back when the incoming one has the digest the entry's ledger recorded; when it differs the entry held
    other results, and it is kept aside as ever."""
    import pandas as pd

    from resbench.hub.results import write_archive
    from resbench.results.io import write_json_atomic, write_table_atomic

    results, claims, root = tmp_path / "results", tmp_path / "reports" / "claims.json", tmp_path / "archive"
    config = validate_config(QUICK)
    write_table_atomic(pd.DataFrame({"run_id": ["plain8_s0"], "final_test_error": [0.25]}), results / "depth/runs.csv")
    write_json_atomic({"profile": "quick", "claims": [{"id": "degradation", "verdict": "reproduced"}]}, claims)
    entry = write_archive(results, claims, config, "k", root=root)
    held = (entry / "depth/runs.csv").read_bytes()
    (entry / "depth/runs.csv").unlink()
    write_archive(results, claims, config, "k", root=root)  # repaired in place
    assert sorted(p.name for p in root.iterdir()) == ["k"] and (entry / "depth/runs.csv").read_bytes() == held
    (entry / "depth/runs.csv").unlink()
    write_table_atomic(pd.DataFrame({"run_id": ["plain8_s0"], "final_test_error": [0.5]}), results / "depth/runs.csv")
    write_archive(results, claims, config, "k", root=root)
    kept = [p for p in root.iterdir() if p.name.startswith("k.replaced-")]
    assert len(kept) == 1 and not (kept[0] / "depth/runs.csv").exists()  # what it held is kept, short of the file
    assert b"0.5" in (entry / "depth/runs.csv").read_bytes()
