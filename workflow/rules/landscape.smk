rule landscape_chunk:
    input:
        model=f"{RESULTS}/runs/{{arch}}{{depth}}_s{{seed}}/model.pt",
    output:
        chunk=f"{RESULTS}/landscape/chunks/{{arch}}{{depth}}_s{{seed}}_c{{chunk}}.csv",
    log:
        f"{LOGS}/landscape/{{arch}}{{depth}}_s{{seed}}_c{{chunk}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/landscape_chunk/{{arch}}{{depth}}_s{{seed}}_c{{chunk}}.tsv"
    params:
        rows=get_landscape_rows,
        args=landscape_args(),
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=60,
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench landscape {input.model} --rows {params.rows} --out {output.chunk} {params.args} "
        "--threads {threads} > {log} 2>&1"


rule landscape_finish:
    input:
        unpack(get_landscape_partner),
        model=f"{RESULTS}/runs/{{arch}}{{depth}}_s{{seed}}/model.pt",
        chunks=lambda wildcards: [
            f"{RESULTS}/landscape/chunks/{wildcards.arch}{wildcards.depth}_s{wildcards.seed}_c{k}.csv"
            for k in range(config["landscape"]["chunks"])
        ],
    output:
        surface=f"{RESULTS}/landscape/surfaces/{{arch}}{{depth}}_s{{seed}}.csv",
        curvature=f"{RESULTS}/landscape/surfaces/{{arch}}{{depth}}_s{{seed}}.curvature.json",
        directions=f"{RESULTS}/landscape/surfaces/{{arch}}{{depth}}_s{{seed}}.directions.pt",
        interp=f"{RESULTS}/landscape/surfaces/{{arch}}{{depth}}_s{{seed}}.interp.csv",
        ratio_map=f"{RESULTS}/landscape/surfaces/{{arch}}{{depth}}_s{{seed}}.ratio_map.csv",
    log:
        f"{LOGS}/landscape/{{arch}}{{depth}}_s{{seed}}.finish.log",
    benchmark:
        f"{RESULTS}/benchmarks/landscape_finish/{{arch}}{{depth}}_s{{seed}}.tsv"
    params:
        args=landscape_args(),
        iters=config["landscape"]["hessian_iters"],
        ratio_map=config["landscape"]["ratio_map"],
        partner=lambda wildcards, input: f"--partner {input.partner}" if "partner" in input.keys() else "",
    threads: config["threads"]
    resources:
        mem_mb=get_train_mem_mb,
        runtime=60,
        gpu=get_train_gpus,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench landscape-finish {input.model} {input.chunks} --out {output.surface} "
        "--curvature-out {output.curvature} --directions-out {output.directions} --interp-out {output.interp} "
        "--ratio-map {params.ratio_map} --ratio-map-out {output.ratio_map} "
        "{params.partner} --hessian-iters {params.iters} {params.args} --threads {threads} > {log} 2>&1"


rule aggregate_landscape:
    input:
        surfaces=lambda wildcards: [f"{RESULTS}/landscape/surfaces/{m}.csv" for m in LANDSCAPE_MODELS],
        curvatures=lambda wildcards: [f"{RESULTS}/landscape/surfaces/{m}.curvature.json" for m in LANDSCAPE_MODELS],
        interps=lambda wildcards: [f"{RESULTS}/landscape/surfaces/{m}.interp.csv" for m in LANDSCAPE_MODELS],
        ratio_maps=lambda wildcards: [f"{RESULTS}/landscape/surfaces/{m}.ratio_map.csv" for m in LANDSCAPE_MODELS],
    output:
        surfaces=f"{RESULTS}/landscape/surfaces.csv",
        curvature=f"{RESULTS}/landscape/curvature.csv",
        interp=f"{RESULTS}/landscape/interpolation.csv",
        ratio_map=f"{RESULTS}/landscape/ratio_map.csv",
    log:
        f"{LOGS}/landscape/aggregate.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "(resbench concat {input.surfaces} --out {output.surfaces} && "
        "resbench concat {input.curvatures} --out {output.curvature} && "
        "resbench concat {input.interps} --out {output.interp} && "
        "resbench concat {input.ratio_maps} --out {output.ratio_map}) > {log} 2>&1"
