# The toy family: one table from the grid's runs.
makes_tables("toy", config["toy"]["enabled"])


rule toy:
    input:
        runs=table("runs"),
    output:
        table("toy_errors"),
    log:
        f"{LOGS}/toy.log",
    resources:
        mem_mb=500,
        runtime=5,
    shell:
        "resbench toy {input.runs} --out {output} > {log} 2>&1"
