# The architectures family: classic nets (LeNet-5 to DenseNet-BC) at one budget. One job per net trains
# all its seeds in one process (as the variants do); one job measures every trained net side by side
# (cost, block deletion), so their images/s come from the same process and moment.
from resbench.families.architectures.plan import net_run_id, net_specs

NET_RUNS = {spec["run_id"]: spec for spec in net_specs(config)}
NET_RUN = f"{RESULTS}/runs/{net_run_id('{{net}}', '{seed}')}"  # net wildcard, seeds expanded
RUNS.update(NET_RUNS)
# The runs of each net's job: its seeds.
NET_JOBS = {name: [run for run, s in NET_RUNS.items() if s["arch"] == name] for name in config["architectures"]["nets"]}
makes_tables("architectures", bool(NET_RUNS))


rule train_net:
    input:
        data=get_dataset_marker,
    output:
        summaries=expand(f"{NET_RUN}/summary.json", seed=config["architectures"]["seeds"]),
        models=expand(f"{NET_RUN}/model.pt", seed=config["architectures"]["seeds"]),
        metrics=expand(f"{NET_RUN}/metrics.csv", seed=config["architectures"]["seeds"]),
        provenance=expand(
            f"{NET_RUN}/provenance.json", seed=config["architectures"]["seeds"]
        ),
    log:
        f"{LOGS}/architectures/{{net}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_net/{{net}}.tsv"
    wildcard_constraints:
        net=r"[a-z0-9_]+",
    params:
        runs=lambda wildcards: train_args(NET_JOBS[wildcards.net]),
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=lambda wildcards: train_runtime_min(NET_JOBS[wildcards.net]),
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        f"resbench train {{params.runs}} --threads {{threads}}{FUSE_FLAG} > {{log}} 2>&1"


rule aggregate_nets:
    input:
        summaries=[f"{RESULTS}/runs/{run}/summary.json" for run in NET_RUNS],
        metrics=[f"{RESULTS}/runs/{run}/metrics.csv" for run in NET_RUNS],
        provenance=[f"{RESULTS}/runs/{run}/provenance.json" for run in NET_RUNS],
    output:
        runs=table("net_runs"),
        epochs=table("net_epochs"),
        provenance=table("net_provenance"),
    log:
        f"{LOGS}/architectures/aggregate.log",
    params:
        out_dir=lambda wildcards, output: Path(output.runs).parent,
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench aggregate {input.summaries} --out {params.out_dir} > {log} 2>&1"


rule measure_nets:
    input:
        models=model_paths(NET_RUNS),
    output:
        cost=table("net_cost"),
        deletion=table("net_deletion"),
        bottleneck=table("net_bottleneck"),
    log:
        f"{LOGS}/architectures/measure.log",
    benchmark:
        f"{RESULTS}/benchmarks/measure_nets.tsv"
    params:
        batch=config["architectures"]["throughput_batch"],
        rounds=config["architectures"]["throughput_rounds"],
        device=config["device"],
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=30,
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench architectures {input.models} --cost-out {output.cost} --deletion-out {output.deletion} "
        "--bottleneck-out {output.bottleneck} --batch {params.batch} --rounds {params.rounds} "
        "--device {params.device} --threads {threads} > {log} 2>&1"
