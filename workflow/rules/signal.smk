# The signal family (claims 1-4): per-block statistics taken by the grid's training jobs (the
# "layers" probe), Nielsen's MLPs, rank collapse at init, and the identity/appended-layers
# constructions. The shallowest trained plain net (first seed) is extended with identity blocks, and
# every seed's is appended to; the deeper plain nets are the trained-from-scratch comparison; the
# deepest plain and ResNet give weight spectra. Each job receives only the config blocks it reads.
_SIGNAL_SEED = config["seeds"][0]
_PLAIN_DEPTHS = sorted(config["model"]["depths"]) if "plain" in config["model"]["archs"] else []
SIGNAL = config["signal"]["enabled"]
SIGNAL_CONSTRUCT = SIGNAL and len(_PLAIN_DEPTHS) >= 2
SIGNAL_SHALLOW = model_paths([run_id("plain", _PLAIN_DEPTHS[0], seed) for seed in config["seeds"]]) if SIGNAL_CONSTRUCT else []
SIGNAL_DEEP = model_paths([run_id("plain", d, _SIGNAL_SEED) for d in _PLAIN_DEPTHS[1:]]) if SIGNAL_CONSTRUCT else []
SIGNAL_SPECTRA = (
    model_paths(
        [run_id(arch, max(config["model"]["depths"]), _SIGNAL_SEED) for arch in ("plain", "resnet") if arch in config["model"]["archs"]]
    )
    if SIGNAL_CONSTRUCT
    else []
)
makes_tables(  # the constructions need two plain depths
    "signal",
    SIGNAL,
    ["signal_layers", "signal_mlp", "signal_speeds", "signal_rank"]
    + (["signal_identity", "signal_appended", "signal_spectra"] if SIGNAL_CONSTRUCT else []),
)


rule aggregate_signal_layers:
    input:
        run_files(GRID_RUNS, "layers.csv"),
    output:
        table("signal_layers"),
    log:
        f"{LOGS}/signal/aggregate_layers.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench concat {input} --out {output} > {log} 2>&1"


rule signal_mlp:
    input:
        data=get_dataset_marker,
    output:
        epochs=table("signal_mlp"),
        speeds=table("signal_speeds"),
    log:
        f"{LOGS}/signal/mlp.log",
    benchmark:
        f"{RESULTS}/benchmarks/signal_mlp.tsv"
    params:
        config=config_json("seeds", "dataset", "signal"),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench signal-mlp --config-json {params.config:q} --epochs-out {output.epochs} "
        "--speeds-out {output.speeds} --threads {threads} > {log} 2>&1"


rule signal_rank:
    input:
        data=get_dataset_marker,
    output:
        table("signal_rank"),
    log:
        f"{LOGS}/signal/rank.log",
    benchmark:
        f"{RESULTS}/benchmarks/signal_rank.tsv"
    params:
        config=config_json("seeds", "dataset", "model.depths", "model.shortcut", "signal"),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench signal-rank --config-json {params.config:q} --out {output} --threads {threads} > {log} 2>&1"


rule signal_construct:
    input:
        shallow=SIGNAL_SHALLOW,
        deep=SIGNAL_DEEP,
        spectra=SIGNAL_SPECTRA,
    output:
        identity=table("signal_identity"),
        appended=table("signal_appended"),
        spectra=table("signal_spectra"),
    log:
        f"{LOGS}/signal/construct.log",
    benchmark:
        f"{RESULTS}/benchmarks/signal_construct.tsv"
    params:
        config=config_json("seeds", "dataset", "train", "device", "deterministic", "model.shortcut", "signal"),
    threads: 1
    resources:
        mem_mb=get_train_mem_mb,
        runtime=60,
    conda:
        "../../envs/resbench.yaml"
    shell:
        "resbench signal-construct --config-json {params.config:q} --shallow {input.shallow} "
        "--deep {input.deep} --spectra {input.spectra} --identity-out {output.identity} "
        "--appended-out {output.appended} --spectra-out {output.spectra} --threads {threads} > {log} 2>&1"
