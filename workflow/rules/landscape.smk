# The landscape family (Li et al. 2018): loss surfaces around trained plain and residual nets, each
# surface in row chunks (resumable, parallel) and then finished (Hessian, interpolation, ratio map).
from resbench.families.landscape.plan import mapped_runs

_LANDSCAPE = config["landscape"]
_MAPPED = run_id("{arch}", "{depth}", "{seed}")  # a mapped model's run id as a pattern (config.run_id's)
_mapped = lambda wildcards: run_id(wildcards.arch, wildcards.depth, wildcards.seed)
# Trained models whose loss surface is mapped, e.g. "resnet56_s0" (plain and residual only): round 1's;
# with seeds in rounds, the same places among each later round's seeds of the groups a look scheduled.
LANDSCAPE_MODELS = mapped_runs(config, GRID_RUNS)
makes_tables("landscape", bool(LANDSCAPE_MODELS))
_SURFACE_EXTS = (".csv", ".curvature.json", ".directions.pt", ".interp.csv", ".ratio_map.csv")


# Surfaces take seeds in rounds where this profile decides the smoothness claim in rounds: the look
# after round r-1 sent it on, so round r maps its new seeds (at the landscape seeds' places).
_IN_ROUNDS = bool(LANDSCAPE_MODELS) and ROUNDS > 1 and "landscape_smoothness" not in config["report"]["estimate_only"]
# The mapped models of every round so far (through round `through`).
landscape_models = lambda through=None: (
    LANDSCAPE_MODELS
    + continued_runs(
        "landscape_smoothness",
        mapped_runs(config, {run: spec_of(run) for run in scheduled_grid_runs(through) if run not in GRID_RUNS}),
    )
    if _IN_ROUNDS
    else LANDSCAPE_MODELS
)
# Every file the chunk and finish jobs write for `models`.
_surface_files = lambda models: [
    f"{RESULTS}/landscape/chunks/{m}_c{k}.csv" for m in models for k in range(_LANDSCAPE["chunks"])
] + [f"{RESULTS}/landscape/surfaces/{m}{ext}" for m in models for ext in _SURFACE_EXTS]


PLANNED.extend(_surface_files(LANDSCAPE_MODELS))
PLANNED_LATER.append(lambda: _surface_files([m for m in landscape_models() if m not in LANDSCAPE_MODELS]))
if _IN_ROUNDS:
    # the look after round r decides the smoothness claim on the surfaces mapped so far
    LOOK_TABLES.append(
        lambda r: {
            "landscape": [f"{RESULTS}/landscape/surfaces/{m}.csv" for m in landscape_models(r)],
            "landscape_curvature": [f"{RESULTS}/landscape/surfaces/{m}.curvature.json" for m in landscape_models(r)],
        }
    )


LANDSCAPE_ARGS = (
    f"--resolution {_LANDSCAPE['resolution']} --extent {_LANDSCAPE['extent']} --subset {_LANDSCAPE['subset']} "
    f"--direction-seed {_LANDSCAPE['direction_seed']} --device {config['device']}"
)
# Rows of the surface per chunk (the last chunk may hold fewer).
_CHUNK_ROWS = -(-_LANDSCAPE["resolution"] // _LANDSCAPE["chunks"])


rule landscape_chunk:
    input:
        model=run_files([_MAPPED], "model.pt")[0],
    output:
        chunk=f"{RESULTS}/landscape/chunks/{_MAPPED}_c{{chunk}}.csv",
    log:
        f"{LOGS}/landscape/{_MAPPED}_c{{chunk}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/landscape_chunk/{_MAPPED}_c{{chunk}}.tsv"
    params:
        rows=lambda wildcards: f"{int(wildcards.chunk) * _CHUNK_ROWS}:{min(_LANDSCAPE['resolution'], (int(wildcards.chunk) + 1) * _CHUNK_ROWS)}",
        args=lambda wildcards: f"{LANDSCAPE_ARGS} --config-hash {run_hash(_mapped(wildcards))}",
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=60,
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench landscape {input.model} --rows {params.rows} --out {output.chunk} {params.args} "
        "--threads {threads} > {log} 2>&1"


rule landscape_finish:
    input:
        # another seed's model of the same net: the far end of the 1-D interpolation (if the profile has one)
        unpack(
            lambda wildcards: {
                "partner": model_paths([run_id(wildcards.arch, wildcards.depth, s) for s in config["seeds"] if s != int(wildcards.seed)])[0]
            }
            if len(config["seeds"]) > 1
            else {}
        ),
        model=run_files([_MAPPED], "model.pt")[0],
        chunks=lambda wildcards: [
            f"{RESULTS}/landscape/chunks/{_mapped(wildcards)}_c{k}.csv"
            for k in range(config["landscape"]["chunks"])
        ],
    output:
        surface=f"{RESULTS}/landscape/surfaces/{_MAPPED}.csv",
        curvature=f"{RESULTS}/landscape/surfaces/{_MAPPED}.curvature.json",
        directions=f"{RESULTS}/landscape/surfaces/{_MAPPED}.directions.pt",
        interp=f"{RESULTS}/landscape/surfaces/{_MAPPED}.interp.csv",
        ratio_map=f"{RESULTS}/landscape/surfaces/{_MAPPED}.ratio_map.csv",
    log:
        f"{LOGS}/landscape/{_MAPPED}.finish.log",
    benchmark:
        f"{RESULTS}/benchmarks/landscape_finish/{_MAPPED}.tsv"
    params:
        args=lambda wildcards: f"{LANDSCAPE_ARGS} --config-hash {run_hash(_mapped(wildcards))}",
        iters=config["landscape"]["hessian_iters"],
        ratio_map=config["landscape"]["ratio_map"],
        interp_points=config["landscape"]["interp_points"],
        partner=lambda wildcards, input: f"--partner {input.partner}" if "partner" in input.keys() else "",
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=60,
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench landscape-finish {input.model} {input.chunks} --out {output.surface} "
        "--curvature-out {output.curvature} --directions-out {output.directions} --interp-out {output.interp} "
        "--ratio-map {params.ratio_map} --ratio-map-out {output.ratio_map} --interp-points {params.interp_points} "
        "{params.partner} --hessian-iters {params.iters} {params.args} --threads {threads} > {log} 2>&1"


rule aggregate_landscape:
    input:
        surfaces=lambda wildcards: [f"{RESULTS}/landscape/surfaces/{m}.csv" for m in landscape_models()],
        curvatures=lambda wildcards: [f"{RESULTS}/landscape/surfaces/{m}.curvature.json" for m in landscape_models()],
        interps=lambda wildcards: [f"{RESULTS}/landscape/surfaces/{m}.interp.csv" for m in landscape_models()],
        ratio_maps=lambda wildcards: [f"{RESULTS}/landscape/surfaces/{m}.ratio_map.csv" for m in landscape_models()],
    output:
        surfaces=table("landscape"),
        curvature=table("landscape_curvature"),
        interp=table("landscape_interpolation"),
        ratio_map=table("landscape_ratio_map"),
    log:
        f"{LOGS}/landscape/aggregate.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "(resbench concat {input.surfaces} --out {output.surfaces} && "
        "resbench concat {input.curvatures} --out {output.curvature} && "
        "resbench concat {input.interps} --out {output.interp} && "
        "resbench concat {input.ratio_maps} --out {output.ratio_map}) > {log} 2>&1"
