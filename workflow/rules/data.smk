rule get_dataset:
    output:
        marker=f"{DATASET['root']}/.resbench/{{dataset}}.ready",
    log:
        f"{LOGS}/data/{{dataset}}.log",
    params:
        root=lambda wildcards, output: Path(output.marker).parents[1],
        verify="" if DATASET["verify"] else "--no-verify",
    resources:
        mem_mb=2000,
        runtime=60,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench data {wildcards.dataset} --root {params.root:q} --download {params.verify} --marker {output.marker} > {log} 2>&1"
