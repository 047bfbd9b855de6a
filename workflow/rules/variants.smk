# The variants family (He et al. 2016b): ResNets with other shortcuts and block layouts. One job per
# variant trains all its seeds in one process: on a small machine, starting Python with torch (~5 s)
# would otherwise cost more than training a ResNet-20 on digits. Resume works per seed.
from resbench.families.variants.plan import variant_run_id, variant_specs

VARIANT_RUNS = {spec["run_id"]: spec for spec in variant_specs(config)}
RUNS.update(VARIANT_RUNS)
# The runs of each variant's job: its seeds.
VARIANT_JOBS = {name: [run for run, s in VARIANT_RUNS.items() if s["variant"] == name] for name in config["variants"]["names"]}
VARIANT_DEPTH = config["variants"]["depth"]
VARIANT_RUN = f"{RESULTS}/runs/{variant_run_id('{{variant}}', VARIANT_DEPTH, '{seed}')}"  # variant wildcard, seeds expanded
makes_tables("variants", bool(VARIANT_RUNS))


rule train_variant:
    input:
        data=get_dataset_marker,
    output:
        summaries=expand(f"{VARIANT_RUN}/summary.json", seed=config["seeds"]),
        models=expand(f"{VARIANT_RUN}/model.pt", seed=config["seeds"]),
        metrics=expand(f"{VARIANT_RUN}/metrics.csv", seed=config["seeds"]),
        provenance=expand(
            f"{VARIANT_RUN}/provenance.json", seed=config["seeds"]
        ),
    log:
        f"{LOGS}/variants/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_variant/{{variant}}.tsv"
    params:
        runs=lambda wildcards: train_args(VARIANT_JOBS[wildcards.variant]),
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=lambda wildcards: train_runtime_min(VARIANT_JOBS[wildcards.variant]),
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        f"resbench train {{params.runs}} --threads {{threads}}{FUSE_FLAG} > {{log}} 2>&1"


rule aggregate_variants:
    input:
        summaries=[f"{RESULTS}/runs/{run}/summary.json" for run in VARIANT_RUNS],
        metrics=[f"{RESULTS}/runs/{run}/metrics.csv" for run in VARIANT_RUNS],
        provenance=[f"{RESULTS}/runs/{run}/provenance.json" for run in VARIANT_RUNS],
    output:
        runs=table("variant_runs"),
        epochs=table("variant_epochs"),
        provenance=table("variant_provenance"),
    log:
        f"{LOGS}/variants/aggregate.log",
    params:
        out_dir=lambda wildcards, output: Path(output.runs).parent,
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench aggregate {input.summaries} --out {params.out_dir} > {log} 2>&1"
