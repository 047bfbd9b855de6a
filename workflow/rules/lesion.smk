# The lesion family (Veit et al. 2016): blocks of trained models deleted and reordered at test time;
# gradients split by path length. One job per (arch, depth): it lesions every seed's trained model in
# one process, because on a small machine starting Python with torch (~4.5 s) would otherwise cost
# more than the lesions.
LESION_MODELS = sorted({f"{s['arch']}{s['depth']}" for s in GRID_RUNS.values()}) if config["lesion"]["enabled"] else []
makes_tables("lesion", bool(LESION_MODELS))
PLANNED.extend(f"{RESULTS}/lesion/models/{m}{ext}" for m in LESION_MODELS for ext in (".csv", ".paths.csv"))


rule lesion:
    input:
        models=lambda wildcards: model_paths(grid_seeds(wildcards.arch, wildcards.depth)),
    output:
        lesions=f"{RESULTS}/lesion/models/{{arch}}{{depth}}.csv",
        paths=f"{RESULTS}/lesion/models/{{arch}}{{depth}}.paths.csv",
    log:
        f"{LOGS}/lesion/{{arch}}{{depth}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/lesion/{{arch}}{{depth}}.tsv"
    params:
        draws=config["lesion"]["draws"],
        max_k_points=config["lesion"]["max_k_points"],
        path_samples=config["lesion"]["path_samples"],
        path_batch=config["lesion"]["path_batch"],
        device=config["device"],
        config_hash=lambda wildcards: run_hash(grid_seeds(wildcards.arch, wildcards.depth)[0]),
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=30,
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench lesion {input.models} --out {output.lesions} --paths-out {output.paths} "
        "--draws {params.draws} --max-k-points {params.max_k_points} --path-samples {params.path_samples} "
        "--path-batch {params.path_batch} --device {params.device} --config-hash {params.config_hash} "
        "--threads {threads} > {log} 2>&1"


rule aggregate_lesion:
    input:
        lesions=lambda wildcards: [f"{RESULTS}/lesion/models/{m}.csv" for m in LESION_MODELS],
        paths=lambda wildcards: [f"{RESULTS}/lesion/models/{m}.paths.csv" for m in LESION_MODELS],
    output:
        lesions=table("lesion"),
        paths=table("lesion_paths"),
    log:
        f"{LOGS}/lesion/aggregate.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "(resbench concat {input.lesions} --out {output.lesions} && "
        "resbench concat {input.paths} --out {output.paths}) > {log} 2>&1"
