rule train:
    input:
        data=get_dataset_marker,
    output:
        summary=f"{RESULTS}/runs/{{run}}/summary.json",
        metrics=f"{RESULTS}/runs/{{run}}/metrics.csv",
        model=f"{RESULTS}/runs/{{run}}/model.pt",
        layers=f"{RESULTS}/runs/{{run}}/layers.csv",
    log:
        f"{LOGS}/train/{{run}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{run}}.tsv"
    params:
        spec=get_run_spec,
        out_dir=lambda wildcards, output: Path(output.summary).parent,
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=get_train_runtime_min,
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench train --spec {params.spec:q} --out {params.out_dir} --threads {threads} > {log} 2>&1"
