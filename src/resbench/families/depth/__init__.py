"""Depth: plain vs residual nets of growing depth, trained over seeds (He et al. 2016, Fig. 1 and 6).
Its runs are the grid every other family reads."""
from ..base import Family, Metric

FAMILY = Family(
    name="depth", order=10, title="Depth: plain vs residual", config_key="model",
    trained=(("runs", "provenance"),),
    tables={"runs": "depth/runs.csv", "epochs": "depth/epochs.csv", "provenance": "depth/provenance.json",
            "rounds": "depth/rounds.json"},
    archived=("runs", "epochs", "provenance", "rounds"),
    required=("runs", "epochs", "provenance"),
    metrics=(Metric("final_test_error", "final test error, per arch x depth", +1, gates=True),
             Metric("final_train_error", "final training error, per arch x depth", +1, gates=True),
             Metric("images_per_second", "training throughput (images/s), mean over epochs", -1, percent=False, relative=True)),
    references={
        "he2016": "K. He, X. Zhang, S. Ren, J. Sun. Deep Residual Learning for Image Recognition. CVPR 2016.",
    },
    citations=("he2016",),
    claims=(
        ("degradation", "claim",
         "Plain nets' training error rises with depth; their residual twins' does not (He et al. 2016)."),
    ),
)
