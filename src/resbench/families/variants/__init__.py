"""Shortcut and block variants of ResNet (He et al. 2016b, Tables 1 and 2): scaled, gated, 1x1 and
dropout shortcuts, and where BN and ReLU sit around the addition."""
from ..base import Family, Metric

FAMILY = Family(
    name="variants", order=30, title="Shortcut and block variants", config_key="variants",
    trained=(("variant_runs", "variant_provenance"),),
    tables={"variant_runs": "variants/runs.csv", "variant_epochs": "variants/epochs.csv",
            "variant_provenance": "variants/provenance.json"},
    archived=("variant_runs",),
    metrics=(Metric("variant_test_error", "final test error, per shortcut/block variant", +1, gates=True),),
    references={
        "he2016b": "K. He, X. Zhang, S. Ren, J. Sun. Identity Mappings in Deep Residual Networks. ECCV 2016.",
    },
    citations=("he2016b",),
    claims=(
        ("shortcut_variants", "claim",
         "Scaling, gating, 1×1 convs or dropout on the shortcut hamper optimization (He et al. 2016b)."),
    ),
)
