"""The report's figure saver: each family's figures in its own folder, drawn once, read back by the report."""
from __future__ import annotations

import base64
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from resbench.hub.figures import FigureJobs, crop_svg, ink_box  # noqa: E402
from resbench.hub.report import stored_claims  # noqa: E402


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

    jobs = FigureJobs()
    save, figs = jobs.saver(tmp_path / "depth")
    save("curve", draw, [1, 2, 3])
    save("nothing", lambda: None)  # a figure with nothing to draw writes nothing
    assert not calls and jobs.run() == ["curve"]  # queued, drawn by run
    png = (tmp_path / "depth/curve.png").read_bytes()
    assert png.startswith(b"\x89PNG") and (tmp_path / "depth/curve.svg").read_text().lstrip().startswith("<?xml")
    assert set(figs) == {"curve"} and base64.b64decode(figs["curve"].split(",", 1)[1]) == png
    assert not (tmp_path / "depth/nothing.png").exists()

    save, figs = jobs.saver(tmp_path / "depth", drawn=True)  # the report job: the figures job drew them
    save("curve", draw, [9, 9, 9])
    save("missing", draw, [4])  # one the figures job did not leave is drawn here
    assert jobs.run() == ["missing"] and calls == [[1, 2, 3], [4]] and (tmp_path / "depth/missing.png").exists()
    assert base64.b64decode(figs["curve"].split(",", 1)[1]) == png and set(figs) == {"curve", "missing"}


def _laid_out(values):
    fig = _line(values)
    fig.set_size_inches(5, 2)  # wide enough for the title
    fig.tight_layout()
    return fig


def _legend_beside(values):
    """Nothing touches the canvas's edge, but the legend lies wholly past it (no ink of it to crop to)."""
    fig = _laid_out(values)
    fig.legend(["a line"], loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


@pytest.mark.parametrize("draw", [_laid_out, _line, _legend_beside],
                         ids=["laid out: cropped", "title past the canvas", "legend beside the canvas"])
def test_the_tight_box_keeps_what_reaches_past_the_axes(tmp_path, draw, monkeypatch):
    """The PNG is as big as savefig's own tight box makes it (a title past the canvas kept), and the
    SVG's view box is the PNG's box in points."""
    import resbench.hub.figures as figures

    tight = []
    monkeypatch.setattr(figures, "_save_tight", lambda *a, _f=figures._save_tight: tight.append(1) or _f(*a))
    jobs = FigureJobs()
    jobs.saver(tmp_path)[0]("curve", draw, [1, 2])
    jobs.run()
    from PIL import Image

    fig = draw([1, 2])
    fig.savefig(tmp_path / "reference.png", bbox_inches="tight")
    plt.close(fig)
    ours, reference = Image.open(tmp_path / "curve.png").size, Image.open(tmp_path / "reference.png").size
    # within 2%, the long title kept (a text box reaches a few pixels past its ink, below the baseline)
    assert all(abs(o - r) <= 0.02 * r for o, r in zip(ours, reference))
    svg = (tmp_path / "curve.svg").read_text()
    size = [float(svg.split(f'{k}="', 1)[1].split("pt", 1)[0]) for k in ("width", "height")]
    dpi = matplotlib.rcParams["savefig.dpi"]
    assert all(abs(pt - px * 72 / dpi) <= 0.01 * pt for pt, px in zip(size, ours))
    assert bool(tight) == (draw is not _laid_out)  # only a figure past its canvas needs savefig's extra layout


def test_the_ink_box_is_what_differs_from_the_background():
    import numpy as np

    image = np.full((10, 12, 4), 255, dtype=np.uint8)
    image[3:5, 4:9] = (0, 0, 0, 255)
    assert ink_box(image, (255, 255, 255, 255)) == (3, 5, 4, 9)
    assert ink_box(np.full_like(image, 255), (255, 255, 255, 255)) is None


def test_an_svg_is_cropped_by_its_header_or_refused():
    svg = b'<svg width="216pt" height="144pt" viewBox="0 0 216 144" xmlns="x"><g/></svg>'
    assert crop_svg(svg, 1.5, 2, 100, 50) == (b'<svg width="100.00pt" height="50.00pt" '
                                              b'viewBox="1.50 2.00 100.00 50.00" xmlns="x"><g/></svg>')
    with pytest.raises(ValueError, match="header changed"):
        crop_svg(b"<svg/>", 0, 0, 1, 1)


def test_figures_drawn_in_worker_processes_are_those_drawn_in_one(tmp_path):
    """The same bytes from two processes as from one (and the same bytes twice: no date, fixed ids)."""
    written = {}
    for workers in (1, 2, 1):
        jobs = FigureJobs(workers)
        save, figs = jobs.saver(tmp_path / str(len(written)))
        for i in range(3):
            save(f"fig{i}", _line, [i, 1, i])
        save("empty", lambda: None)
        assert not figs and jobs.run() == ["fig0", "fig1", "fig2"] and sorted(figs) == ["fig0", "fig1", "fig2"]
        written[len(written)] = {p.name: p.read_bytes() for p in (tmp_path / str(len(written))).glob("fig*")}
    assert written[0] == written[1] == written[2] and len(written[0]) == 6


def test_claims_written_by_an_older_resbench_are_refused_in_one_line(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps({"profile": "quick", "claims": [{"id": "degradation", "verdict": "reproduced"}]}))
    with pytest.raises(ValueError, match="older resbench.*resbench claims"):
        stored_claims(path)
