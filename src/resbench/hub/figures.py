"""Draw and save the report's figures: PNG (for the HTML and PDF) and SVG (for reuse), one folder per family.

A section asks for a figure with save(name, draw, *args); the drawing happens when the caller runs the
figures it collected (`FigureJobs.run`), in worker processes where the machine has more than one core.
"""
from __future__ import annotations

import base64
import io
import multiprocessing
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import matplotlib
import numpy as np
from matplotlib.colors import to_rgba
from PIL import Image

from ..report.style import apply_style, close
from ..results.io import write_bytes_atomic


def png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def ink_box(rgba: np.ndarray, background: tuple) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) pixel bounds (end exclusive) of what differs from `background` in an
    RGBA image; None where nothing is drawn."""
    word = np.array(background, dtype=np.uint8).view(np.uint32)[0]
    ink = rgba.view(np.uint32)[..., 0] != word
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1) if len(rows) else None


def save_figure(fig, name: str, fig_dir: Path) -> str:
    """Write NAME.png and NAME.svg; return the PNG as a data URI for the self-contained HTML.

    Each file is drawn once, uncropped, then cropped to what the PNG shows plus savefig.pad_inches: the
    PNG's pixels are cut, the SVG's view box is narrowed to the same box. This is savefig's
    bbox_inches="tight" without its extra layout pass per file (the style makes the figure's own dpi the
    PNG's, so the text its tight_layout measured is not measured again). A figure with an artist past
    its canvas (a legend placed beside it, a title wider than it) is saved by savefig's own tight box."""
    dpi = matplotlib.rcParams["savefig.dpi"]
    fig.set_dpi(dpi)
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    box = ink_box(rgba, tuple(round(255 * c) for c in to_rgba(fig.get_facecolor())))
    if box is None or not within_canvas(fig):
        return _save_tight(fig, name, fig_dir)
    pad = round(matplotlib.rcParams["savefig.pad_inches"] * dpi)
    top, bottom, left, right = max(box[0] - pad, 0), min(box[1] + pad, height), max(box[2] - pad, 0), min(box[3] + pad, width)
    buf = io.BytesIO()
    Image.fromarray(rgba[top:bottom, left:right]).save(buf, format="png", dpi=(dpi, dpi))
    png = buf.getvalue()
    write_bytes_atomic(png, fig_dir / f"{name}.png")
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata=SVG_METADATA)
    box = [v * 72 / dpi for v in (left, top, right - left, bottom - top)]  # SVG units are points, y down
    write_bytes_atomic(crop_svg(buf.getvalue(), *box), fig_dir / f"{name}.svg")
    close(fig)
    return png_uri(png)


def within_canvas(fig) -> bool:
    """Whether everything the figure draws lies on its canvas (its tight box, as laid out by the last draw,
    inside the figure's own box, to a hundredth of an inch)."""
    tight, canvas = fig.get_tightbbox(), fig.bbox_inches
    return (tight.x0 >= canvas.x0 - 0.01 and tight.y0 >= canvas.y0 - 0.01
            and tight.x1 <= canvas.x1 + 0.01 and tight.y1 <= canvas.y1 + 0.01)


SVG_METADATA = {"Date": None}  # no date: the same figure gives the same bytes


def _save_tight(fig, name: str, fig_dir: Path) -> str:
    out = {}
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, bbox_inches="tight", **({"metadata": SVG_METADATA} if fmt == "svg" else {}))
        out[fmt] = buf.getvalue()
        write_bytes_atomic(out[fmt], fig_dir / f"{name}.{fmt}")
    close(fig)
    return png_uri(out["png"])


_SVG_SIZE = re.compile(rb'width="[0-9.]+pt" height="[0-9.]+pt" viewBox="[0-9. ]+"')


def crop_svg(svg: bytes, x: float, y: float, width: float, height: float) -> bytes:
    """A matplotlib SVG showing only the box (x, y, width, height), in points from its top left."""
    size = f'width="{width:.2f}pt" height="{height:.2f}pt" viewBox="{x:.2f} {y:.2f} {width:.2f} {height:.2f}"'
    cropped, n = _SVG_SIZE.subn(size.encode(), svg, count=1)
    if not n:
        raise ValueError("the SVG writer's header changed: no width/height/viewBox to crop")
    return cropped


@dataclass
class _Figure:
    fig_dir: Path
    name: str
    draw: Callable
    args: tuple
    figs: dict  # the saver's {name: data URI} this figure goes into


def _draw(job: _Figure) -> str | None:
    apply_style()  # idempotent and well under a millisecond
    fig = job.draw(*job.args)
    return None if fig is None else save_figure(fig, job.name, job.fig_dir)


_QUEUED: list[_Figure] = []  # what forked workers draw (they inherit it: no figure's data is pickled)


def _draw_queued(i: int) -> str | None:
    return _draw(_QUEUED[i])


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class FigureJobs:
    """The figures sections ask for, drawn by `run` in up to `workers` processes (forked, so only on
    Linux; one process elsewhere or with workers=1)."""
    workers: int = 1
    queued: list[_Figure] = field(default_factory=list)

    def saver(self, fig_dir: Path, drawn: bool = False):
        """(save, the data URIs saved, filled by `run`) for one family's figures under `fig_dir`. A section
        calls save(name, draw, *args): draw(*args) makes the figure (None: nothing to draw); with `drawn`,
        the PNG `resbench figures` wrote for these tables (the workflow's figures jobs) is read back
        instead, and drawn only where it is missing."""
        figs: dict[str, str] = {}

        def save(name: str, draw, *args) -> None:
            png = fig_dir / f"{name}.png"
            if drawn and png.exists():
                figs[name] = png_uri(png.read_bytes())
            else:
                self.queued.append(_Figure(fig_dir, name, draw, args, figs))
        return save, figs

    def run(self) -> list[str]:
        """Draw and write every queued figure; the names drawn (a figure with nothing to draw is left out)."""
        global _QUEUED
        jobs, self.queued = self.queued, []
        workers = min(self.workers, len(jobs))
        if workers > 1 and sys.platform == "linux":
            _QUEUED = jobs
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    uris = pool.map(_draw_queued, range(len(jobs)), chunksize=1)
            finally:
                _QUEUED = []
        else:
            uris = [_draw(job) for job in jobs]
        for job, uri in zip(jobs, uris):
            if uri is not None:
                job.figs[job.name] = uri
        return [job.name for job, uri in zip(jobs, uris) if uri is not None]
