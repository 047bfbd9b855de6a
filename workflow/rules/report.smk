# Re-renders when the tables, the config or the report code/templates change; never retrains.
rule report:
    input:
        unpack(get_family_tables),
        code=REPORT_SOURCES,
    output:
        html=report(f"{REPORTS}/report.html", caption="../report/report.rst", category="1. Report"),
        pdf=report(f"{REPORTS}/report.pdf", caption="../report/report.rst", category="1. Report"),
        claims=report(f"{REPORTS}/claims.json", caption="../report/claims.rst", category="1. Report"),
        figures=report(
            directory(f"{REPORTS}/figures"),
            patterns=["{name}.png"],
            caption="../report/figure.rst",
            category="2. Figures",
            labels={"figure": "{name}"},
        ),
    log:
        f"{LOGS}/report.log",
    benchmark:
        f"{RESULTS}/benchmarks/report.tsv"
    params:
        config=config_json(),
        results=RESULTS,
        out_dir=lambda wildcards, output: Path(output.html).parent,
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench report --config-json {params.config:q} --results {params.results} --out {params.out_dir} > {log} 2>&1"


# The two result sets compared are this run's archive and `compare_base` (an archive key, a git
# revision with archived results, a results folder or an exported bundle):
#   snakemake compare --config compare_base=<key or rev>
rule archive:
    input:
        unpack(get_family_tables),
        claims=rules.report.output.claims,
    output:
        manifest=f"archive/{ARCHIVE_KEY}/manifest.json",
    log:
        f"{LOGS}/archive.log",
    params:
        config=config_json(),
        results=RESULTS,
        key=ARCHIVE_KEY,
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench archive --config-json {params.config:q} --results {params.results} --claims {input.claims} "
        "--key {params.key} > {log} 2>&1"


rule compare:
    input:
        head=rules.archive.output.manifest,
    output:
        html=f"{REPORTS}/compare.html",
        md=f"{REPORTS}/compare.md",
    log:
        f"{LOGS}/compare.log",
    params:
        base=COMPARE_BASE,
        head=lambda wildcards, input: Path(input.head).parent,
        out_dir=lambda wildcards, output: Path(output.html).parent,
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench compare {params.base:q} {params.head} --out-dir {params.out_dir} --exit-zero > {log} 2>&1"
