"""Lesions: residual networks as ensembles of paths (Veit et al. 2016). Trained models have blocks
deleted or reordered at test time; gradients are split by path length. Also the stochastic-depth
claim, whose secondary number is robustness to deleted blocks."""
from ..base import Family, Metric

FAMILY = Family(
    name="lesion", order=20, title="Lesions: residual networks as ensembles", config_key="lesion",
    tables={"lesion": "lesion/lesion.csv", "lesion_paths": "lesion/paths.csv"},
    archived=("lesion",),
    metrics=(Metric("delete_one_increase", "mean test-error increase when deleting one in-stage block", +1),),
    citations=("veit2016",),
)
