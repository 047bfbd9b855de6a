"""compare.md (for a pull-request comment) and compare.html from a comparison of two result sets."""
from __future__ import annotations

import math

import pandas as pd

STATUS_MARK = {"regression": "❌ regression", "improvement": "✅ improvement", "changed": "⚠️ changed", "same": ""}


def _num(x: float, percent: bool) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if percent:
        return f"{100 * x:.2f}%"
    return f"{x:.4g}"


def _cell(mean: float, std: float, n: int, percent: bool) -> str:
    return f"{_num(mean, percent)} ± {_num(std, percent)} (n={n})" if n > 1 else f"{_num(mean, percent)} (n={n})"


def display_rows(table: pd.DataFrame, known: dict) -> list[dict]:
    """Rows formatted for both outputs; `known`: metric name -> its declaration (description, percent)."""
    rows = []
    for r in table.itertuples(index=False):
        percent = known[r.metric].percent
        rows.append({"metric": r.metric, "what": known[r.metric].description, "key": r.key, "status": r.status,
                     "mark": STATUS_MARK[r.status], "gates": r.gates,
                     "base": _cell(r.base_mean, r.base_std, r.n_base, percent),
                     "head": _cell(r.head_mean, r.head_std, r.n_head, percent),
                     "delta": ("+" if r.delta > 0 else "") + _num(r.delta, percent) if not math.isnan(r.delta) else "—",
                     "p": "—" if math.isnan(r.p_value) else f"{r.p_value:.3g}"})
    return rows


def _md(value) -> str:
    """A table cell: pipes would end the cell, newlines the row."""
    return str(value).replace("|", "\\|").replace("\n", " ")


ENVIRONMENT_NOTE = ("Floating-point kernels differ between them, so the same seeds train different nets: a metric or "
                    "a verdict near its margin can move with no code change.")


def _listed(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def render_markdown(summary: dict) -> str:
    lines = [f"## resbench compare: `{summary['base']}` → `{summary['head']}`", ""]
    lines.append(f"**{summary['headline']}** (threshold {summary['threshold']}, α = {summary['alpha']}, Welch's t-test "
                 "over seeds)")
    lines.append("")
    if summary["config_diff"]:
        lines += ["### Configs differ", "", "| key | base | head |", "|---|---|---|"]
        lines += [f"| `{d['key']}` | `{_md(d['base'])}` | `{_md(d['head'])}` |" for d in summary["config_diff"]]
        lines.append("")
    if summary["environment_diff"]:
        lines += ["### Made on different machines or packages", "", ENVIRONMENT_NOTE, "",
                  "| of the run | base | head |", "|---|---|---|"]
        lines += [f"| `{d['key']}` | {_md(_listed(d['base']))} | {_md(_listed(d['head']))} |"
                  for d in summary["environment_diff"]]
        lines.append("")
    changed = [v for v in summary["verdicts"] if not v["unchanged"]]
    lines += ["### Claims", "", "| | claim | base | head |", "|---|---|---|---|"]
    for v in sorted(summary["verdicts"], key=lambda v: (not v["lost"], v["unchanged"], v["id"])):
        mark = "❌ lost" if v["lost"] else ("⚠️ changed" if not v["unchanged"] else "")
        lines.append(f"| {mark} | {v['id']} | {v['base']} | {v['head']} |")
    lines.append("")
    if not changed:
        lines += ["No verdict changed.", ""]
    for v in changed:  # the evidence of both sides, in the claims' own words
        lines += [f"**{v['id']}**", "", f"- base ({v['base']}): {_md(v['base_sentence']) or '—'}",
                  f"- head ({v['head']}): {_md(v['head_sentence']) or '—'}", ""]
    lines += ["### Metrics", "", "| | metric | on | base | head | Δ | p |", "|---|---|---|---|---|---|---|"]
    for r in summary["rows"]:
        lines.append(f"| {r['mark']} | {r['metric']} | {r['key']} | {r['base']} | {r['head']} | {r['delta']} | {r['p']} |")
    return "\n".join(lines) + "\n"


def render_html(summary: dict) -> str:
    import jinja2

    from . import TEMPLATES

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined)
    env.filters["listed"] = _listed
    return env.get_template("compare.html.j2").render(css=(TEMPLATES / "report.css").read_text(),
                                                     environment_note=ENVIRONMENT_NOTE, **summary)
