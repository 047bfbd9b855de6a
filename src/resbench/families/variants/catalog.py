"""The shortcut and block variants the `variants` family can train, with the published numbers
(He et al. 2016b, ResNet-110 on CIFAR-10, medians of 5 runs, test error %; "fail" = above 20%).
Plain data (no torch), shared by the workflow, the training CLI and the report."""

VARIANTS = {
    "identity": {"model": "resnet_cifar", "table": "shortcut", "label": "original identity", "published": "6.61"},
    "scale": {"model": "resnet_scale_cifar", "table": "shortcut", "label": "constant scaling 0.5 on shortcut",
              "published": "fail"},
    "scale_both": {"model": "resnet_scale_both_cifar", "table": "shortcut",
                   "label": "constant scaling 0.5 on shortcut and F", "published": "12.35"},
    "gate_exclusive": {"model": "resnet_gate_cifar", "table": "shortcut", "label": "exclusive gating, b_g = −6",
                       "published": "8.70"},
    "gate_shortcut": {"model": "resnet_gate_shortcut_cifar", "table": "shortcut",
                      "label": "shortcut-only gating, b_g = 0", "published": "12.86"},
    "gate_shortcut_b6": {"model": "resnet_gate_shortcut_cifar", "args": {"gate_bias": -6.0}, "table": "shortcut",
                         "label": "shortcut-only gating, b_g = −6", "published": "6.91"},
    "conv1x1": {"model": "resnet_c_cifar", "table": "shortcut", "label": "1×1 conv shortcut (option C)",
                "published": "12.22"},
    "dropout": {"model": "resnet_dropout_cifar", "table": "shortcut", "label": "dropout 0.5 on shortcut",
                "published": "fail"},
    "option_b": {"model": "resnet_b_cifar", "table": "shortcut", "label": "projection where shapes change (option B)",
                 "published": None},
    "highway": {"model": "highway_cifar", "table": "shortcut", "label": "highway gating, b_g = −2",
                "published": None},
    "bn_after_add": {"model": "resnet_bn_after_add_cifar", "table": "placement", "label": "BN after addition",
                     "published": "8.17"},
    "relu_before_add": {"model": "resnet_relu_before_add_cifar", "table": "placement",
                        "label": "ReLU before addition", "published": "7.84"},
    "relu_preact": {"model": "resnet_relu_preact_cifar", "table": "placement", "label": "ReLU-only pre-activation",
                    "published": "6.71"},
    "full_preact": {"model": "preact_resnet_cifar", "table": "placement", "label": "full pre-activation",
                    "published": "6.37"},
}
# The placement table's first row, "original (post-activation)", is the identity variant's runs.
ORIGINAL_PLACEMENT = {"label": "original (post-activation)", "published": "6.61"}
# Variants whose shortcut is not a clean identity: He et al. 2016b found all of them harder to optimize.
OBSTRUCTED = ("scale", "scale_both", "gate_exclusive", "gate_shortcut", "conv1x1", "dropout")
