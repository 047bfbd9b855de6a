# Depth-grid training. With group_seeds (the default) one job trains every seed of an (arch, depth)
# in one process, one after the other: on a small CPU a Python start with torch and timm (5-9 s) costs
# more than a digits run. With group_seeds: false each seed is its own job (clusters, several GPUs).
# Outputs are the same files either way, and resume works per seed.
if config["group_seeds"]:

    rule train:
        input:
            data=get_dataset_marker,
        output:
            summaries=expand(f"{RESULTS}/runs/{{{{arch}}}}{{{{depth}}}}_s{{seed}}/summary.json", seed=config["seeds"]),
            metrics=expand(f"{RESULTS}/runs/{{{{arch}}}}{{{{depth}}}}_s{{seed}}/metrics.csv", seed=config["seeds"]),
            models=expand(f"{RESULTS}/runs/{{{{arch}}}}{{{{depth}}}}_s{{seed}}/model.pt", seed=config["seeds"]),
            layers=expand(f"{RESULTS}/runs/{{{{arch}}}}{{{{depth}}}}_s{{seed}}/layers.csv", seed=config["seeds"]),
        log:
            f"{LOGS}/train/{{arch}}{{depth}}.log",
        benchmark:
            f"{RESULTS}/benchmarks/train/{{arch}}{{depth}}.tsv"
        params:
            runs=get_grid_train_args,
        threads: config["threads"]
        resources:
            mem_mb=get_train_mem_mb,
            runtime=get_train_runtime_min,
            gpu=get_train_gpus,
        conda:
            "../../envs/resbench.yaml"
        shell:
            "resbench train {params.runs} --threads {threads} > {log} 2>&1"

else:

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
            runs=get_grid_train_args,
        threads: config["threads"]
        resources:
            mem_mb=get_train_mem_mb,
            runtime=get_train_runtime_min,
            gpu=get_train_gpus,
        conda:
            "../../envs/resbench.yaml"
        shell:
            "resbench train {params.runs} --threads {threads} > {log} 2>&1"
