# Signal propagation (claims 1-4): per-block statistics collected by the training jobs themselves,
# Nielsen's MLPs, rank collapse at init, and the identity/appended-layers constructions.


rule aggregate_signal_layers:
    input:
        get_run_layer_tables,
    output:
        f"{RESULTS}/signal/layers.csv",
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
        epochs=f"{RESULTS}/signal/mlp_epochs.csv",
        speeds=f"{RESULTS}/signal/mlp_speeds.csv",
    log:
        f"{LOGS}/signal/mlp.log",
    benchmark:
        f"{RESULTS}/benchmarks/signal_mlp.tsv"
    params:
        config=get_config_json,
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
        f"{RESULTS}/signal/rank.csv",
    log:
        f"{LOGS}/signal/rank.log",
    benchmark:
        f"{RESULTS}/benchmarks/signal_rank.tsv"
    params:
        config=get_config_json,
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
        identity=f"{RESULTS}/signal/identity.json",
        appended=f"{RESULTS}/signal/appended.csv",
        spectra=f"{RESULTS}/signal/spectra.csv",
    log:
        f"{LOGS}/signal/construct.log",
    benchmark:
        f"{RESULTS}/benchmarks/signal_construct.tsv"
    params:
        config=get_config_json,
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
