"""The report's figure saver: each family's figures in its own folder, drawn once, read back by the report."""
from __future__ import annotations

import base64
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from resbench.hub.report import figure_saver, stored_claims  # noqa: E402


def _line(values):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(values)
    ax.set_title("a long title that reaches past the axes on the right")
    return fig


def test_a_figure_is_drawn_once_and_read_back_by_the_report(tmp_path):
    calls = []

    def draw(values):
        calls.append(values)
        return _line(values)

    save, figs = figure_saver(tmp_path / "depth")
    save("curve", draw, [1, 2, 3])
    save("nothing", lambda: None)  # a figure with nothing to draw writes nothing
    png = (tmp_path / "depth/curve.png").read_bytes()
    assert png.startswith(b"\x89PNG") and (tmp_path / "depth/curve.svg").read_text().lstrip().startswith("<?xml")
    assert set(figs) == {"curve"} and base64.b64decode(figs["curve"].split(",", 1)[1]) == png
    assert not (tmp_path / "depth/nothing.png").exists()

    save, figs = figure_saver(tmp_path / "depth", drawn=True)  # the report job: the figures job drew them
    save("curve", draw, [9, 9, 9])
    assert len(calls) == 1 and base64.b64decode(figs["curve"].split(",", 1)[1]) == png
    save("missing", draw, [4])  # one the figures job did not leave is drawn here
    assert len(calls) == 2 and (tmp_path / "depth/missing.png").exists()


def test_the_tight_box_keeps_what_reaches_past_the_axes(tmp_path):
    """One layout for both files: the PNG is as wide as savefig's own tight box makes it."""
    save, _ = figure_saver(tmp_path)
    save("curve", _line, [1, 2])
    from PIL import Image

    fig = _line([1, 2])
    fig.savefig(tmp_path / "reference.png", bbox_inches="tight")
    plt.close(fig)
    ours, reference = Image.open(tmp_path / "curve.png").size, Image.open(tmp_path / "reference.png").size
    assert all(abs(o - r) <= 0.01 * r for o, r in zip(ours, reference))  # within 1% (rounding), title kept


def test_claims_written_by_an_older_resbench_are_refused_in_one_line(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps({"profile": "quick", "claims": [{"id": "degradation", "verdict": "reproduced"}]}))
    with pytest.raises(ValueError, match="older resbench.*resbench claims"):
        stored_claims(path)
