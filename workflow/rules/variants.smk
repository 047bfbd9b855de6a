# One job per variant trains all its seeds in one process: on a small machine, starting Python with
# torch (~5 s) would otherwise cost more than training a ResNet-20 on digits. Resume works per seed.
rule train_variant:
    input:
        data=get_dataset_marker,
    output:
        summaries=expand(f"{RESULTS}/runs/var_{{{{variant}}}}_d{VARIANT_DEPTH}_s{{seed}}/summary.json", seed=config["seeds"]),
        models=expand(f"{RESULTS}/runs/var_{{{{variant}}}}_d{VARIANT_DEPTH}_s{{seed}}/model.pt", seed=config["seeds"]),
    log:
        f"{LOGS}/variants/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_variant/{{variant}}.tsv"
    params:
        runs=get_variant_train_args,
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=get_train_runtime_min,
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench train {params.runs} --threads {threads} > {log} 2>&1"


rule aggregate_variants:
    input:
        summaries=get_variant_summaries,
    output:
        runs=f"{RESULTS}/variants/runs.csv",
        epochs=f"{RESULTS}/variants/epochs.csv",
        provenance=f"{RESULTS}/variants/provenance.json",
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
