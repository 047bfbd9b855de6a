"""The road to residual networks side by side (LeNet-5, AlexNet, VGG, Inception, ResNet, ResNeXt,
DenseNet-BC) at one parameter budget: what each costs (parameters, multiply-adds, images/s, memory),
what error it reaches, what deleting one of its blocks does, and the ResNeXt cardinality sweep."""
from ..base import Family, Metric

FAMILY = Family(
    name="architectures", order=35, title="Classic architectures at one budget", config_key="architectures",
    trained=(("net_runs", "net_provenance"),),
    tables={"net_runs": "architectures/runs.csv", "net_epochs": "architectures/epochs.csv",
            "net_provenance": "architectures/provenance.json", "net_cost": "architectures/cost.csv",
            "net_deletion": "architectures/deletion.csv", "net_bottleneck": "architectures/bottleneck.json"},
    archived=("net_runs", "net_cost", "net_deletion"),
    metrics=(Metric("net_test_error", "final test error, per classic architecture", +1, gates=True),
             Metric("net_delete_one_increase", "median test-error rise from deleting one block, per architecture", +1)),
    citations=("lecun1998", "krizhevsky2012", "simonyan2015", "szegedy2015", "he2016", "xie2017", "huang2017",
               "veit2016"),
    claims=(
        ("cardinality", "claim",
         "At equal parameters and multiply-adds, more groups (cardinality) lower the error (Xie et al. "
         "2017)."),
        ("lesion_across_families", "claim",
         "Nets with identity paths survive a deleted block; nets without them break."),
        ("inception_bottleneck_cost", "check",
         "A 1×1 reduction before a 5×5 convolution cuts its cost about tenfold (Szegedy et al. 2015)."),
    ),
)
