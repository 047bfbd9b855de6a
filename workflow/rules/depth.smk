# The depth family: the grid of plain / ResNet / stochastic-depth nets over depths and seeds, which
# every other family reads. With group_seeds (the default) one job trains every seed of an
# (arch, depth) in one process, one after the other: on a small CPU a Python start with torch and timm
# (5-9 s) costs more than a digits run. With group_seeds: false each seed is its own job (clusters,
# several GPUs). Outputs are the same files either way, and resume works per seed. Probes (per-block
# statistics other families declare) are taken inside these runs and written beside them.
#
# Seeds in rounds (sequential.rounds): the grid above is round 1. After each round a look (a Snakemake
# checkpoint) decides the claims that read the grid's runs and names the (arch, depth) groups the next
# round trains; the aggregate reads the runs of every round the looks scheduled.
from resbench.config import round_seeds

PROBES = sorted({name for spec in GRID_RUNS.values() for name in spec.get("probes", {})})
makes_tables("depth")
# One run as a pattern: (arch, depth) wildcards, {seed} taken by each seed of a job (config.run_id's ids).
GRID_RUN = run_id("{arch}", "{depth}", "{seed}")
ROUNDS = config["sequential"]["rounds"]
# Round r's runs by id (r >= 2), trained only for the groups a look schedules.
ROUND_RUNS = {
    r: {s["run_id"]: s for s in grid_specs({**config, "seeds": round_seeds(config, r)})}
    for r in range(2, ROUNDS + 1)
}
ROUND_SPECS = {run: s for runs in ROUND_RUNS.values() for run, s in runs.items()}
PLANNED_LATER.append(later_round_files)


# One training job: every seed of an (arch, depth) with group_seeds, else one run by id. The other
# families' training rules are this one with their own outputs (`use rule train as ... with:`).
_TRAIN_JOB = "{arch}{depth}" if config["group_seeds"] else "{run}"


rule train:
    input:
        data=get_dataset_marker,
    output:
        **(run_outputs(GRID_RUN, config["seeds"], PROBES) if config["group_seeds"] else run_outputs("{run}", None, PROBES)),
    log:
        f"{LOGS}/train/{_TRAIN_JOB}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{_TRAIN_JOB}.tsv"
    params:
        runs=lambda wildcards: train_args(job_runs(wildcards)),
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=lambda wildcards: train_runtime_min(job_runs(wildcards)),
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        f"resbench train {{params.runs}} --threads {{threads}}{FUSE_FLAG} > {{log}} 2>&1"


# One training rule per later round when seeds are grouped (with group_seeds: false, `train` above
# trains any run of any round by its id).
for _r in range(2, ROUNDS + 1) if config["group_seeds"] else []:

    rule:
        name:
            f"train_round{_r}"
        input:
            data=get_dataset_marker,
        output:
            **run_outputs(GRID_RUN, round_seeds(config, _r), PROBES),
        log:
            f"{LOGS}/train/{{arch}}{{depth}}_round{_r}.log",
        benchmark:
            f"{RESULTS}/benchmarks/train/{{arch}}{{depth}}_round{_r}.tsv"
        params:
            runs=(lambda job: lambda wildcards: train_args(job(wildcards)))(_round_job_runs(_r)),
        threads: config["threads"]
        resources:
            mem_mb=get_train_mem_mb,
            runtime=(lambda job: lambda wildcards: train_runtime_min(job(wildcards)))(
                _round_job_runs(_r)
            ),
            gpu=get_train_gpus,
        conda:
            "../../envs/resbench.yaml"
        shell:
            f"resbench train {{params.runs}} --threads {{threads}}{FUSE_FLAG} > {{log}} 2>&1"


checkpoint look:
    input:
        summaries=lambda wildcards: run_files(
            scheduled_grid_runs(int(wildcards.round)), "summary.json"
        ),
        earlier=lambda wildcards: [
            f"{RESULTS}/rounds/look{r}.json" for r in range(1, int(wildcards.round))
        ],
        tables=lambda wildcards: [
            f for tables in LOOK_TABLES for files in tables(int(wildcards.round)).values() for f in files
        ],
    output:
        f"{RESULTS}/rounds/look{{round}}.json",
    log:
        f"{LOGS}/look{{round}}.log",
    wildcard_constraints:
        round=r"\d+",
    params:
        config=config_json("profile", "seeds", "sequential", "model", "train", "dataset", "landscape",
                           "report.estimate_only"),
        tables=lambda wildcards: " ".join(
            f"--table {key} {' '.join(files)}"
            for tables in LOOK_TABLES
            for key, files in tables(int(wildcards.round)).items()
            if files
        ),
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench look --round {wildcards.round} --config-json {params.config:q} --summaries {input.summaries} "
        "--earlier {input.earlier} {params.tables} --out {output} > {log} 2>&1"


rule rounds:
    input:
        looks=lambda wildcards: [f"{RESULTS}/rounds/look{r}.json" for r in range(1, scheduled_rounds()[1] + 1)],
    output:
        table("rounds"),
    log:
        f"{LOGS}/rounds.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench rounds {input.looks} --out {output} > {log} 2>&1"


# The other families' aggregates are this rule with their own runs and tables (`use rule aggregate as`).
rule aggregate:
    input:
        # one name each (not unpack): a dry run before the looks must still name the aggregate's inputs
        summaries=lambda wildcards: run_files(scheduled_grid_runs(), "summary.json"),
        metrics=lambda wildcards: run_files(scheduled_grid_runs(), "metrics.csv"),
        provenance=lambda wildcards: run_files(scheduled_grid_runs(), "provenance.json"),
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
