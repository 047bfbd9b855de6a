# The depth family: the grid of plain / ResNet / stochastic-depth nets over depths and seeds, which
# every other family reads. With group_seeds (the default) one job trains every seed of an
# (arch, depth) in one process, one after the other: on a small CPU a Python start with torch and timm
# (5-9 s) costs more than a digits run. With group_seeds: false each seed is its own job (clusters,
# several GPUs). Outputs are the same files either way, and resume works per seed. Probes (per-block
# statistics other families declare) are taken inside these runs and written beside them.
PROBES = sorted({name for spec in GRID_RUNS.values() for name in spec.get("probes", {})})
FAMILY_TABLES["depth"] = ["runs", "epochs", "provenance"]
# One run's folder as a pattern: (arch, depth) wildcards, seeds expanded (run ids are config.run_id's).
GRID_RUN = f"{RESULTS}/runs/{run_id('{{arch}}', '{{depth}}', '{seed}')}"


if config["group_seeds"]:

    rule train:
        input:
            data=get_dataset_marker,
        output:
            summaries=expand(f"{GRID_RUN}/summary.json", seed=config["seeds"]),
            metrics=expand(f"{GRID_RUN}/metrics.csv", seed=config["seeds"]),
            provenance=expand(f"{GRID_RUN}/provenance.json", seed=config["seeds"]),
            models=expand(f"{GRID_RUN}/model.pt", seed=config["seeds"]),
            probes=expand(
                f"{GRID_RUN}/{{probe}}.csv", seed=config["seeds"], probe=PROBES
            ),
        log:
            f"{LOGS}/train/{{arch}}{{depth}}.log",
        benchmark:
            f"{RESULTS}/benchmarks/train/{{arch}}{{depth}}.tsv"
        params:
            runs=lambda wildcards: train_args(grid_job_runs(wildcards)),
        threads: config["threads"]
        resources:
            mem_mb=get_train_mem_mb,
            runtime=lambda wildcards: train_runtime_min(grid_job_runs(wildcards)),
            gpu=get_train_gpus,
        conda:
            "../../envs/resbench.yaml"
        shell:
            f"resbench train {{params.runs}} --threads {{threads}}{FUSE_FLAG} > {{log}} 2>&1"

else:

    rule train:
        input:
            data=get_dataset_marker,
        output:
            summary=f"{RESULTS}/runs/{{run}}/summary.json",
            metrics=f"{RESULTS}/runs/{{run}}/metrics.csv",
            provenance=f"{RESULTS}/runs/{{run}}/provenance.json",
            model=f"{RESULTS}/runs/{{run}}/model.pt",
            probes=expand(f"{RESULTS}/runs/{{{{run}}}}/{{probe}}.csv", probe=PROBES),
        log:
            f"{LOGS}/train/{{run}}.log",
        benchmark:
            f"{RESULTS}/benchmarks/train/{{run}}.tsv"
        params:
            runs=lambda wildcards: train_args(grid_job_runs(wildcards)),
        threads: config["threads"]
        resources:
            mem_mb=get_train_mem_mb,
            runtime=lambda wildcards: train_runtime_min(grid_job_runs(wildcards)),
            gpu=get_train_gpus,
        conda:
            "../../envs/resbench.yaml"
        shell:
            f"resbench train {{params.runs}} --threads {{threads}}{FUSE_FLAG} > {{log}} 2>&1"


rule aggregate:
    input:
        summaries=[f"{RESULTS}/runs/{run}/summary.json" for run in GRID_RUNS],
        metrics=[f"{RESULTS}/runs/{run}/metrics.csv" for run in GRID_RUNS],
        provenance=[f"{RESULTS}/runs/{run}/provenance.json" for run in GRID_RUNS],
    output:
        runs=table("runs"),
        epochs=table("epochs"),
        provenance=table("provenance"),
    log:
        f"{LOGS}/aggregate.log",
    params:
        out_dir=lambda wildcards, output: Path(output.runs).parent,
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench aggregate {input.summaries} --out {params.out_dir} > {log} 2>&1"
