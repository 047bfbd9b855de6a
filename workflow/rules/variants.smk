# The variant runs themselves are built by the train rule (one job per variant x seed);
# this collects them into their own tables.
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
