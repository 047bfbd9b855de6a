rule aggregate:
    input:
        summaries=get_run_summaries,
    output:
        runs=f"{RESULTS}/depth/runs.csv",
        epochs=f"{RESULTS}/depth/epochs.csv",
        provenance=f"{RESULTS}/depth/provenance.json",
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


# Re-renders when the tables, the config or the report code/templates change; never retrains.
rule report:
    input:
        unpack(get_family_tables),
        runs=rules.aggregate.output.runs,
        epochs=rules.aggregate.output.epochs,
        provenance=rules.aggregate.output.provenance,
        code=REPORT_SOURCES,
    output:
        html=f"{REPORTS}/report.html",
        pdf=f"{REPORTS}/report.pdf",
        claims=f"{REPORTS}/claims.json",
    log:
        f"{LOGS}/report.log",
    benchmark:
        f"{RESULTS}/benchmarks/report.tsv"
    params:
        config=json.dumps(config, sort_keys=True),
        results=lambda wildcards, input: Path(input.runs).parents[1],
        out_dir=lambda wildcards, output: Path(output.html).parent,
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench report --config-json {params.config:q} --results {params.results} --out {params.out_dir} > {log} 2>&1"
