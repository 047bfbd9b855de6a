# The architectures family: classic nets (LeNet-5 to DenseNet-BC) at one budget. One job per net trains
# all its seeds in one process (as the variants do); one job measures every trained net side by side
# (cost, block deletion), so their images/s come from the same process and moment.
from resbench.families.architectures.plan import net_run_id, net_specs

NET_RUNS = {spec["run_id"]: spec for spec in net_specs(config)}
NET_RUN = net_run_id("{net}", "{seed}")  # net wildcard, {seed} per seed
RUNS.update(NET_RUNS)
# The runs of each net's job: its seeds.
NET_JOBS = TRAIN_JOBS["net"] = {name: [run for run, s in NET_RUNS.items() if s["arch"] == name] for name in config["architectures"]["nets"]}
makes_tables("architectures", bool(NET_RUNS))


use rule train as train_net with:
    output:
        **run_outputs(NET_RUN, config["architectures"]["seeds"]),
    log:
        f"{LOGS}/architectures/{{net}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_net/{{net}}.tsv"
    wildcard_constraints:
        net=r"[a-z0-9_]+",


use rule aggregate as aggregate_nets with:
    input:
        **run_inputs(NET_RUNS),
    output:
        runs=table("net_runs"),
        epochs=table("net_epochs"),
        provenance=table("net_provenance"),
    log:
        f"{LOGS}/architectures/aggregate.log",


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
