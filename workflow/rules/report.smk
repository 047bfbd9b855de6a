# What decides a claim: the config but the report's free text (a new title redraws, decides nothing).
DECIDING_KEYS = [*(k for k in config if k != "report"), "report.estimate_only"]
# What decides a claim in code: the report-side sources but templates, figures and their style.
CLAIM_SOURCES = [p for p in REPORT_SOURCES if not p.endswith((".j2", ".css", "figures.py", "style.py"))]


# The claims are decided and calibrated once per result set (the slow part); each family's figures are
# redrawn when its tables, the claims or its drawing code change; the report re-renders when any of
# those or its templates change (`make figures` reruns the figures and the report: no calibration is
# recomputed); none retrains.
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


# A figures folder or this run's archive entry that lost a file since it was written (its ledger says
# so) is set aside now, so its job runs again: Snakemake sees only the folder, or the manifest.
for _output in [*figure_dirs(), f"archive/{ARCHIVE_KEY}"]:
    _lost = mark_for_rebuild(_output)
    if _lost:
        print(f"resbench: {_output} lost {len(_lost)} file(s) ({', '.join(p.name for p in _lost[:3])}); "
              "it is made again", file=sys.stderr)


# One job per family: Snakemake redraws a family's figures only when its tables, the claims or its
# drawing code changed; the report job reads the PNGs back (--drawn).
rule figures:
    input:
        unpack(get_family_tables),
        claims=rules.claims.output.claims,
        code=figure_sources,
    output:
        figures=report(
            directory(f"{REPORTS}/figures/{{family}}"),
            patterns=["{name}.png"],
            caption="../report/figure.rst",
            category="2. Figures",
            labels={"figure": "{name}"},
        ),
    log:
        f"{LOGS}/figures_{{family}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figures_{{family}}.tsv"
    wildcard_constraints:
        family="|".join(FAMILY_TABLES) or "none",
    params:
        config=config_json(*DECIDING_KEYS),  # a new title redraws no figure
        results=RESULTS,
        out_dir=lambda wildcards, output: Path(output.figures).parent.parent,
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench figures --config-json {params.config:q} --results {params.results} --claims {input.claims} "
        "--out {params.out_dir} --family {wildcards.family} --jobs {threads} > {log} 2>&1"


rule report:
    input:
        unpack(get_family_tables),
        claims=rules.claims.output.claims,
        figures=figure_dirs,
        code=REPORT_SOURCES,
    output:
        html=report(f"{REPORTS}/report.html", caption="../report/report.rst", category="1. Report"),
        pdf=report(f"{REPORTS}/report.pdf", caption="../report/report.rst", category="1. Report"),
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
        "--drawn --out {params.out_dir} --jobs {threads} > {log} 2>&1"


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
