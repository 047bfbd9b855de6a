# The variants family (He et al. 2016b): ResNets with other shortcuts and block layouts. One job per
# variant trains all its seeds in one process: on a small machine, starting Python with torch (~5 s)
# would otherwise cost more than training a ResNet-20 on digits. Resume works per seed.
from resbench.families.variants.plan import variant_run_id, variant_specs

VARIANT_RUNS = {spec["run_id"]: spec for spec in variant_specs(config)}
RUNS.update(VARIANT_RUNS)
# The runs of each variant's job: its seeds.
VARIANT_JOBS = TRAIN_JOBS["variant"] = {name: [run for run, s in VARIANT_RUNS.items() if s["variant"] == name] for name in config["variants"]["names"]}
VARIANT_DEPTH = config["variants"]["depth"]
VARIANT_RUN = variant_run_id("{variant}", VARIANT_DEPTH, "{seed}")  # variant wildcard, {seed} per seed
makes_tables("variants", bool(VARIANT_RUNS))


use rule train as train_variant with:
    output:
        **run_outputs(VARIANT_RUN, config["seeds"]),
    log:
        f"{LOGS}/variants/{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_variant/{{variant}}.tsv"


use rule aggregate as aggregate_variants with:
    input:
        **run_inputs(VARIANT_RUNS),
    output:
        runs=table("variant_runs"),
        epochs=table("variant_epochs"),
        provenance=table("variant_provenance"),
    log:
        f"{LOGS}/variants/aggregate.log",
