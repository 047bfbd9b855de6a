"""Assemble the report: tables -> claims.json, figures (PNG + SVG), report.html, report.pdf."""
from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from importlib.resources import files
from pathlib import Path

import jinja2
import pandas as pd

from ..results.io import read_json, read_table, write_bytes_atomic, write_json_atomic, write_text_atomic
from . import figures, landscape_figures, lesion_figures, signal_figures
from .archs import arch_sort_key
from .claims import all_claims, depth_table
from .lesion_claims import lesion_summary
from .variant_claims import variant_stats, variant_tables
from .provenance import rule_wall_times, summarize_provenance
from .references import CITATIONS, HE2016_CIFAR10_PARAMS, HE2016_CIFAR10_RESNET_ERROR, HE2016_NOTES, HE2016_RECIPE
from ..experiments import LAYER_STATS_IMAGES
from .style import ARCH_LABELS, apply_style, close

log = logging.getLogger("resbench.report")
TEMPLATES = files("resbench") / "report" / "templates"


def save_figure(fig, name: str, fig_dir: Path) -> str:
    """Write NAME.png and NAME.svg; return the PNG as a data URI for the self-contained HTML."""
    buffers = {}
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, bbox_inches="tight")
        buffers[fmt] = buf.getvalue()
        write_bytes_atomic(buffers[fmt], fig_dir / f"{name}.{fmt}")
    close(fig)
    return "data:image/png;base64," + base64.b64encode(buffers["png"]).decode()


def methods(config: dict, runs: pd.DataFrame, claims: list[dict] | None = None) -> list[str]:
    """Methods paragraphs generated from the config that produced the results."""
    d, m, t = config["dataset"], config["model"], config["train"]
    sizes = runs[["n_train", "n_val", "n_test"]].iloc[0].astype(int).to_dict() if len(runs) else {}
    size = f"{d['image_size']}×{d['image_size']}" if d["image_size"] else "native-size"
    data = (f"Dataset: {d['name']} ({sizes.get('n_train', '?')} training, {sizes.get('n_val', '?')} validation, "
            f"{sizes.get('n_test', '?')} test images; {size} inputs, per-channel mean/std from the training split). "
            + ("Augmentation: 4-pixel zero padding, random crop, random horizontal flip." if d["augment"]
               else "No augmentation."))
    model = (f"Models: CIFAR ResNets of He et al. (2016) with depth 6n+2 ({', '.join(map(str, m['depths']))}), "
             f"3 stages of basic blocks with 16/32/64 channels, global average pooling and a linear classifier; "
             f"shortcut option {m['shortcut']} ({'zero-padded identity' if m['shortcut'] == 'A' else 'projection'} "
             "where the shape changes). The plain twins have the same layers without shortcuts and the same "
             "parameter count. He initialization, BatchNorm after every convolution.")
    if t["schedule"] == "step":
        sched = f"divided by 10 at {', '.join(map(str, t['milestones']))} {t['milestone_unit']}s"
    elif t["schedule"] == "cosine":
        sched = "cosine decay to zero"
    else:
        sched = "constant"
    warm = ""
    if t["warmup_epochs"] > 0:
        who = f"nets of depth ≥ {t['warmup_min_depth']}" if t["warmup_min_depth"] else "every net"
        warm = (f" Warm-up for {who}: {t['warmup_epochs']:g} epoch(s), {t['warmup']} "
                f"{'from' if t['warmup'] == 'linear' else 'at'} lr {t['warmup_lr']:g}.")
    optim = (f"Training: SGD with momentum {t['momentum']:g}{' (Nesterov)' if t['nesterov'] else ''}, weight decay "
             f"{t['weight_decay']:g}, batch {t['batch_size']}, {t['epochs']} epochs, lr {t['lr']:g} with {sched}."
             f"{warm} Seeds: {', '.join(map(str, config['seeds']))}. Reported errors are at the final epoch; "
             "the validation split is only used to report the test error at the best validation epoch.")
    verdicts = ("Verdicts: each claim states its direction and margin before the data are seen (e.g. plain "
                "training error rising by at least 2 points over the depth grid). \"A exceeds B\" needs a one-sided "
                "Welch t-test over seeds at α = 0.05 and an estimated effect of at least the margin; \"A does not "
                "change\" needs the 90% interval of the change inside ±margin (two one-sided tests), never a "
                "non-significant difference. Trends over depth use every depth of the grid, each with its own "
                "seed variance. Diverged runs count as chance error, not as missing. Too few seeds or untrained "
                "models give 'inconclusive'. For every claim the false-positive rate and the power are simulated "
                "at this run's seeds and per-group spread (1,000 draws each): the rate of 'reproduced' with the "
                "effect absent (each part of the claim at the edge of failing in turn; the largest rate is "
                "given) and with an effect of twice the margin. Checks that hold by construction are reported "
                "apart from the tally.")
    calibrated = [c for c in claims or [] if c.get("power") is not None]
    if calibrated:
        verdicts += (" At this run, false positives / power: "
                     + "; ".join(f"{c['id'].replace('_', ' ')} {c['false_positive_rate']:.1%} / {c['power']:.0%}"
                                 for c in calibrated) + ".")
        weak = [c["id"].replace("_", " ") for c in calibrated if c["power"] < 0.8]
        if weak:
            verdicts += (f" Below 80% power at these seeds: {', '.join(weak)} — a 'not reproduced' there says "
                         "little, and the margin was not widened to hide it.")
    return [data, model, optim, verdicts]


def limitations(config: dict) -> list[str]:
    """What this profile trades away relative to He et al. 2016's CIFAR-10 recipe."""
    d, t, out = config["dataset"], config["train"], []
    if d["name"] != HE2016_RECIPE["dataset"]:
        out.append(f"Dataset is {d['name']}, not CIFAR-10: absolute errors are not comparable to the published "
                   "numbers; the comparison is the trend with depth.")
    if t["epochs"] < HE2016_RECIPE["epochs"]:
        out.append(f"{t['epochs']} epochs instead of ≈{HE2016_RECIPE['epochs']} (64k iterations).")
    if d["augment"] != HE2016_RECIPE["augment"]:
        out.append("No data augmentation (the paper pads, crops and flips).")
    if t["schedule"] != HE2016_RECIPE["schedule"]:
        out.append(f"{t['schedule']} learning-rate schedule instead of the paper's step schedule.")
    if len(config["seeds"]) < HE2016_RECIPE["seeds"]:
        out.append(f"{len(config['seeds'])} seeds instead of 5: spreads are rough.")
    if d["limit_train"]:
        out.append(f"Training set limited to {d['limit_train']} images.")
    if d["name"] != "digits" and not d.get("verify", True):
        out.append(f"The {d['name']} files were not checked against torchvision's md5 sums (dataset.verify: false): "
                   "they may be a re-packed or partial copy, not the official set.")
    if config["signal"]["enabled"] and d["name"] != "mnist":
        out.append(f"Nielsen's sigmoid MLPs are trained on {d['name']}, not MNIST ({config['signal']['mlp_epochs']} "
                   "epochs); the speeds of learning are comparable in shape, not in value.")
    if config["landscape"]["enabled"] and config["landscape"]["resolution"] < 51:
        out.append(f"Loss surfaces on a {config['landscape']['resolution']}×{config['landscape']['resolution']} grid "
                   f"over {config['landscape']['subset']} training images (Li et al.: 51×51 on the full set)"
                   + ("; no |λmin/λmax| map." if not config["landscape"]["ratio_map"] else "."))
    if not out:
        out.append("The profile follows the published recipe; remaining differences are hardware and software "
                   "versions (see Provenance).")
    return out


def published_table(table: pd.DataFrame, dataset: str) -> list[dict]:
    """Our mean test errors beside He'16 Table 6 at every depth either side has."""
    rows = []
    ours = {(r["arch"], r["depth"]): r for r in table.to_dict(orient="records")}
    for depth in sorted(set(table["depth"]) | set(HE2016_CIFAR10_RESNET_ERROR)):
        resnet, plain = ours.get(("resnet", depth)), ours.get(("plain", depth))
        if resnet is None and plain is None and depth not in table["depth"].values and depth > table["depth"].max():
            continue
        rows.append({
            "depth": depth,
            "published_params": HE2016_CIFAR10_PARAMS.get(depth, "—"),
            "published_resnet": HE2016_CIFAR10_RESNET_ERROR.get(depth),
            "our_params": (resnet or plain or {}).get("params"),
            "our_resnet": resnet, "our_plain": plain,
        })
    return rows


def read_optional(path: Path) -> pd.DataFrame | None:
    """A family's aggregated table, or None where the profile did not run that family."""
    if not path.exists() or path.stat().st_size <= 1:
        return None
    frame = read_table(path)
    return frame if len(frame) else None


def lesion_section(lesion: pd.DataFrame, paths: pd.DataFrame | None, ensemble: dict, figs: dict, fig_dir: Path) -> dict:
    """Figures and table of the lesion section; adds the figures to `figs`."""
    deepest = int(lesion["depth"].max())
    depths = sorted({deepest, ensemble["evidence"].get("depth", deepest)})
    figs["lesion_delete_one"] = save_figure(lesion_figures.delete_one(lesion, depths), "lesion_delete_one", fig_dir)
    figs["lesion_delete_k"] = save_figure(lesion_figures.delete_k(lesion), "lesion_delete_k", fig_dir)
    figs["lesion_reorder"] = save_figure(lesion_figures.reorder(lesion, deepest), "lesion_reorder", fig_dir)
    path_depth = int(paths["depth"].max()) if paths is not None else None
    if path_depth is not None:
        figs["lesion_paths"] = save_figure(lesion_figures.path_gradients(paths, path_depth), "lesion_paths", fig_dir)
    return {"depths": depths, "deepest": deepest, "path_depth": path_depth,
            "summary": lesion_summary(lesion).to_dict(orient="records"),
            "n_blocks": {int(d): int(len(g[g["kind"] == "delete_one"]) / max(1, g["run_id"].nunique()))
                         for d, g in lesion.groupby("depth")}}


def throughput_table(runs: pd.DataFrame, epochs: pd.DataFrame) -> list[dict]:
    """Training images/s (mean over epochs and seeds) and peak GPU memory per arch x depth."""
    speed = epochs.groupby(["arch", "depth"])["images_per_second"].mean().rename("images_per_second")
    peak = runs.groupby(["arch", "depth"])["peak_memory_mb"].max().rename("peak_memory_mb")
    device = runs.groupby(["arch", "depth"])["device"].first()
    table = pd.concat([speed, peak, device], axis=1).reset_index().sort_values(["arch", "depth"], key=arch_sort_key)
    return table.to_dict(orient="records")


def read_signal(folder: Path) -> dict | None:
    """The signal family's tables (None where the profile did not run it)."""
    tables = {name: read_optional(folder / f"{name}.csv")
              for name in ("layers", "rank", "appended", "spectra")}
    tables["mlp"], tables["speeds"] = read_optional(folder / "mlp_epochs.csv"), read_optional(folder / "mlp_speeds.csv")
    tables["identity"] = read_json(folder / "identity.json") if (folder / "identity.json").exists() else None
    return tables if any(v is not None for v in tables.values()) else None


def signal_section(signal: dict, claim: dict, figs: dict, fig_dir: Path) -> dict:
    """Figures of the signal family; the template shows whichever parts ran."""
    if signal["speeds"] is not None:
        figs["signal_nielsen"] = save_figure(signal_figures.nielsen(signal["speeds"], signal["mlp"]), "signal_nielsen",
                                             fig_dir)
    if signal["layers"] is not None:
        figs["signal_layers"] = save_figure(signal_figures.conv_layers(signal["layers"]), "signal_layers", fig_dir)
    if signal["rank"] is not None:
        figs["signal_rank"] = save_figure(signal_figures.rank_by_depth(signal["rank"]), "signal_rank", fig_dir)
    if signal["appended"] is not None:
        figs["signal_appended"] = save_figure(signal_figures.appended(signal["appended"], signal["spectra"]),
                                              "signal_appended", fig_dir)
    return {"claims": [claim[k] for k in ("vanishing_gradients", "rank_collapse", "rank_shortcuts", "identity_construction",
                                          "appended_layers") if k in claim],
            "identity": signal["identity"], "stats_images": LAYER_STATS_IMAGES}


def render_html(context: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined)
    env.filters["pct"] = lambda x, digits=1: "—" if x is None or x != x else f"{100 * x:.{digits}f}"
    env.filters["arch_label"] = lambda arch: ARCH_LABELS.get(arch, arch)
    context["css"] = (TEMPLATES / "report.css").read_text()
    return env.get_template("report.html.j2").render(**context)


def build_report(config: dict, results: Path, out: Path, pdf: bool = True) -> dict:
    """Read results/<profile>/depth tables, write claims.json, figures, report.html and report.pdf."""
    runs = read_table(results / "depth" / "runs.csv")
    epochs = read_table(results / "depth" / "epochs.csv")
    per_run = read_json(results / "depth" / "provenance.json")
    lesion = read_optional(results / "lesion" / "lesion.csv")
    variant_runs = read_optional(results / "variants" / "runs.csv")
    fail_error = config["variants"]["fail_error"]
    curvature = read_optional(results / "landscape" / "curvature.csv")
    signal = read_signal(results / "signal")
    lesion_paths = read_optional(results / "lesion" / "paths.csv")
    surface = read_optional(results / "landscape" / "surfaces.csv") if curvature is not None else None
    claims = all_claims(runs, lesion, variant_runs, fail_error, curvature, signal, lesion_paths, surface)
    claim = {c["id"]: c for c in claims}
    write_json_atomic({"profile": config["profile"], "claims": claims}, out / "claims.json")

    apply_style()
    fig_dir = out / "figures"
    figs = {
        "error_vs_depth": save_figure(figures.error_vs_depth(runs), "error_vs_depth", fig_dir),
        "training_curves": save_figure(figures.training_curves(epochs), "training_curves", fig_dir),
    }
    lesion_context = None
    if lesion is not None:
        lesion_context = lesion_section(lesion, lesion_paths, claim["ensemble_lesion"], figs, fig_dir)
    variants_context = None
    if variant_runs is not None:
        tables = variant_tables(variant_stats(variant_runs, fail_error))
        figs["variant_training_loss"] = save_figure(
            figures.variant_training_loss(read_table(results / "variants" / "epochs.csv"), tables),
            "variant_training_loss", fig_dir)
        variants_context = {"tables": tables, "depth": int(variant_runs["depth"].iloc[0]),
                            "seeds": int(variant_runs["seed"].nunique()),
                            "epochs": int(variant_runs["epochs_planned"].iloc[0])}
    landscape_context = None
    if curvature is not None and surface is not None:
        shown_seed = int(surface["seed"].min())  # the figures draw one seed's slices; the claim uses all
        seeds = sorted(int(s) for s in surface["seed"].unique())
        surface = surface[surface["seed"] == shown_seed]
        deepest = int(surface["depth"].max())
        figs["landscape_contours"] = save_figure(landscape_figures.contours(surface), "landscape_contours", fig_dir)
        figs["landscape_slices"] = save_figure(landscape_figures.slices(surface), "landscape_slices", fig_dir)
        figs["landscape_3d"] = save_figure(landscape_figures.surface_3d(surface, deepest), "landscape_3d", fig_dir)
        interp = read_optional(results / "landscape" / "interpolation.csv")
        if interp is not None:
            figs["landscape_interpolation"] = save_figure(landscape_figures.interpolation(interp),
                                                          "landscape_interpolation", fig_dir)
        cells = read_optional(results / "landscape" / "ratio_map.csv")
        if cells is not None:
            figs["landscape_ratio_map"] = save_figure(landscape_figures.ratio_map(cells), "landscape_ratio_map", fig_dir)
        landscape_context = {"deepest": deepest, "resolution": int(surface["i"].max()) + 1,
                             "extent": float(surface["alpha"].max()), "seed": shown_seed, "seeds": seeds,
                             "curvature": curvature.sort_values(["arch", "depth"]).to_dict(orient="records")}
    signal_context = signal_section(signal, claim, figs, fig_dir) if signal else None
    table = depth_table(runs)
    context = {
        "config": config, "claims": claims, "claim": claim, "figures": figs,
        "depth_rows": table.to_dict(orient="records"),
        "published_rows": published_table(table, config["dataset"]["name"]),
        "published_note": HE2016_NOTES, "citations": CITATIONS,
        "methods": methods(config, runs, claims), "limitations": limitations(config),
        "provenance": summarize_provenance(runs, per_run),
        "rule_times": rule_wall_times(results / "benchmarks").to_dict(orient="records"),
        "throughput": throughput_table(runs, epochs),
        "n_runs": len(runs), "n_seeds": runs["seed"].nunique(), "lesion": lesion_context,
        "variants": variants_context,
        "landscape": landscape_context,
        "signal": signal_context,
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    html = render_html(context)
    write_text_atomic(html, out / "report.html")
    if pdf:
        from weasyprint import HTML

        write_bytes_atomic(HTML(string=html, base_url=str(out)).write_pdf(), out / "report.pdf")
    log.info("report: %s (%s)", out / "report.html", ", ".join(f"{c['id']}={c['verdict']}" for c in claims))
    return context
