# What decides a claim: the config but the report's free text (a new title redraws, decides nothing).
DECIDING_KEYS = [*(k for k in config if k != "report"), "report.estimate_only"]
# What decides a claim in code: the report-side sources but templates, figures and their style.
CLAIM_SOURCES = [p for p in REPORT_SOURCES if not p.endswith((".j2", ".css", "figures.py", "style.py"))]


# The claims are decided and calibrated once per result set (the slow part); the report re-renders when
# the tables, the claims, the config or the report code/templates change (`make figures` reruns only
# it: no calibration is recomputed); neither retrains.
rule claims:
    input:
        unpack(get_family_tables),
        code=CLAIM_SOURCES,
    output:
        claims=report(f"{REPORTS}/claims.json", caption="../report/claims.rst", category="1. Report"),
    log:
        f"{LOGS}/claims.log",
    benchmark:
        f"{RESULTS}/benchmarks/claims.tsv"
    params:
        config=config_json(*DECIDING_KEYS),
        results=RESULTS,
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench claims --config-json {params.config:q} --results {params.results} --out {output.claims} > {log} 2>&1"


rule report:
    input:
        unpack(get_family_tables),
        claims=rules.claims.output.claims,
        code=REPORT_SOURCES,
    output:
        html=report(f"{REPORTS}/report.html", caption="../report/report.rst", category="1. Report"),
        pdf=report(f"{REPORTS}/report.pdf", caption="../report/report.rst", category="1. Report"),
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
        "resbench report --config-json {params.config:q} --results {params.results} --claims {input.claims} "
        "--out {params.out_dir} > {log} 2>&1"


# The two result sets compared are this run's archive and `compare_base` (an archive key, a git
# revision with archived results, a results folder or an exported bundle):
#   snakemake compare --config compare_base=<key or rev>
rule archive:
    input:
        unpack(get_family_tables),
        claims=rules.claims.output.claims,
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
