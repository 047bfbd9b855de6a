rule get_dataset:
    output:
        marker=f"{DATA_MARKERS}/{{dataset}}.ready",
    log:
        f"{LOGS}/data/{{dataset}}.log",
    params:
        root=lambda wildcards: DATASET["root"],
        verify="" if DATASET["verify"] else "--no-verify",
    resources:
        mem_mb=2000,
        runtime=60,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench data {wildcards.dataset} --root {params.root:q} --download {params.verify} --marker {output.marker:q} > {log:q} 2>&1"
