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
    references={
        "lecun1998": "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-Based Learning Applied to Document "
                     "Recognition. Proc. IEEE 86(11), 1998.",
        "krizhevsky2012": "A. Krizhevsky, I. Sutskever, G. Hinton. ImageNet Classification with Deep Convolutional "
                          "Neural Networks. NeurIPS 2012.",
        "simonyan2015": "K. Simonyan, A. Zisserman. Very Deep Convolutional Networks for Large-Scale Image "
                        "Recognition. ICLR 2015.",
        "szegedy2015": "C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, V. Vanhoucke, "
                       "A. Rabinovich. Going Deeper with Convolutions. CVPR 2015.",
        "xie2017": "S. Xie, R. Girshick, P. Dollár, Z. Tu, K. He. Aggregated Residual Transformations for "
                   "Deep Neural Networks. CVPR 2017.",
        "huang2017": "G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger. Densely Connected Convolutional "
                     "Networks. CVPR 2017.",
    },
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
