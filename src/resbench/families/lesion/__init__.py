"""Lesions: residual networks as ensembles of paths (Veit et al. 2016). Trained models have blocks
deleted or reordered at test time; gradients are split by path length. Also the stochastic-depth
claim, whose secondary number is robustness to deleted blocks."""
from ..base import Family, Metric

FAMILY = Family(
    name="lesion", order=20, title="Lesions: residual networks as ensembles", config_key="lesion",
    tables={"lesion": "lesion/lesion.csv", "lesion_paths": "lesion/paths.csv"},
    archived=("lesion",),
    metrics=(Metric("delete_one_increase", "mean test-error increase when deleting one in-stage block", +1),),
    references={
        "veit2016": "A. Veit, M. Wilber, S. Belongie. Residual Networks Behave Like Ensembles of Relatively "
                    "Shallow Networks. NeurIPS 2016.",
    },
    citations=("veit2016",),
    claims=(
        ("ensemble_lesion", "claim",
         "Deleting one in-stage block barely hurts a ResNet but breaks a plain net; downsampling blocks "
         "are the exception (Veit et al. 2016)."),
        ("stochastic_depth", "claim",
         "Training with stochastic depth lowers a ResNet's test error (Huang et al. 2016)."),
    ),
)
