"""Loss landscapes (Li et al. 2018): 2-D filter-normalized slices around trained models, the Hessian's
extreme eigenvalues at the centre, 1-D interpolation between seeds, and the |λmin/λmax| map."""
from ..base import Family, Metric

FAMILY = Family(
    name="landscape", order=40, title="Loss landscapes", config_key="landscape",
    tables={"landscape": "landscape/surfaces.csv", "landscape_curvature": "landscape/curvature.csv",
            "landscape_interpolation": "landscape/interpolation.csv", "landscape_ratio_map": "landscape/ratio_map.csv"},
    archived=("landscape_curvature",),
    metrics=(Metric("curvature_ratio", "Hessian |lambda_min/lambda_max| at the centre", +1, percent=False),
             Metric("nonconvex_fraction", "non-convex share of the loss surface", +1)),
    references={
        "li2018": "H. Li, Z. Xu, G. Taylor, C. Studer, T. Goldstein. Visualizing the Loss Landscape of "
                  "Neural Nets. NeurIPS 2018.",
    },
    citations=("li2018",),
    claims=(
        ("landscape_smoothness", "claim",
         "Without shortcuts, deep nets' loss slices turn rough; ResNets' stay smooth (Li et al. 2018)."),
    ),
)
