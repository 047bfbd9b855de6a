"""The nets the `architectures` family trains: the road to residual networks, each at ResNet-20's
parameter budget (the quick profile) and at its canonical CIFAR size (the paper profile), with the
published number printed beside ours. Plain data (no torch), shared by the workflow and the report.

`identity_paths`: whether every block's input reaches the next block unchanged (a shortcut, or the
concatenation of a dense layer), the property the lesion claim is about. `lr`: the learning rate of
the net's own paper where it differs from the profile's (nets without BatchNorm were trained at 0.01);
None keeps the profile's recipe. Published numbers were checked against the papers' tables (the
dataset is named with each, "+" for the standard augmentation: none of them is digits)."""

NETS = {
    "lenet5": {"budget": "lenet5_budget_cifar", "canonical": "lenet5_cifar", "label": "LeNet-5", "depth": 5,
               "identity_paths": False, "lr": None,
               "published": {"error": 0.95, "dataset": "MNIST", "source": "LeCun et al. 1998",
                            "detail": "without distortions of the training set"}},
    "alexnet": {"budget": "alexnet_budget_cifar", "canonical": "alexnet_cifar", "label": "AlexNet-style", "depth": 8,
                "identity_paths": False, "lr": 0.01, "published": None},
    "vgg16": {"budget": "vgg16_budget_cifar", "canonical": "vgg16_cifar", "label": "VGG-16", "depth": 16,
              "identity_paths": False, "lr": 0.01, "published": None},
    "vgg16_bn": {"budget": "vgg16_bn_budget_cifar", "canonical": "vgg16_bn_cifar", "label": "VGG-16 + BN", "depth": 16,
                 "identity_paths": False, "lr": None, "published": None},
    "inception": {"budget": "inception_budget_cifar", "canonical": "inception_cifar", "label": "Inception (GoogLeNet)",
                  "depth": 22, "identity_paths": False, "lr": None,
                  "published": {"error": 6.67, "dataset": "ImageNet top-5", "source": "Szegedy et al. 2015",
                                "detail": "top-5 error of an ensemble of 7 models, 144 crops"}},
    "resnet20": {"budget": "resnet_cifar", "canonical": "resnet_cifar", "args": {"depth": 20}, "label": "ResNet-20",
                 "depth": 20, "identity_paths": True, "lr": None,
                 "published": {"error": 8.75, "dataset": "CIFAR-10+", "source": "He et al. 2016", "detail": "Table 6"}},
    "preact_resnet20": {"budget": "preact_resnet_cifar", "canonical": "preact_resnet_cifar", "args": {"depth": 20},
                        "label": "pre-act ResNet-20", "depth": 20, "identity_paths": True, "lr": None, "published": None},
    "resnext_c1": {"budget": "resnext29_c1_budget_cifar", "canonical": None, "label": "ResNeXt-29, C=1",
                   "depth": 29, "identity_paths": True, "lr": None, "cardinality": 1, "published": None},
    "resnext_c2": {"budget": "resnext29_c2_budget_cifar", "canonical": None, "label": "ResNeXt-29, C=2",
                   "depth": 29, "identity_paths": True, "lr": None, "cardinality": 2, "published": None},
    "resnext_c4": {"budget": "resnext29_c4_budget_cifar", "canonical": None, "label": "ResNeXt-29, C=4",
                   "depth": 29, "identity_paths": True, "lr": None, "cardinality": 4, "published": None},
    "resnext_c8": {"budget": "resnext29_c8_budget_cifar", "canonical": "resnext29_8x64d_cifar", "label": "ResNeXt-29, C=8",
                   "depth": 29, "identity_paths": True, "lr": None, "cardinality": 8,
                   # Xie et al. 2017, Sec. 5.3 (CIFAR): batch 128, lr 0.1 / 10 at epochs 150 and 225 of 300, wd 5e-4
                   "paper_train": {"epochs": 300, "schedule": "step", "milestones": [150, 225], "milestone_unit": "epoch",
                                   "weight_decay": 5e-4, "batch_size": 128, "lr": 0.1},
                   "published": {"error": 3.65, "dataset": "CIFAR-10+", "source": "Xie et al. 2017",
                                 "detail": "ResNeXt-29 8×64d, 34.4M parameters (16×64d: 3.58%)"}},
    "densenet_bc": {"budget": "densenet_bc_budget_cifar", "canonical": "densenet_bc100_k12_cifar",
                    "label": "DenseNet-BC-100", "depth": 100, "identity_paths": True, "lr": None,
                    # Huang et al. 2017, Sec. 4.2 (CIFAR): batch 64, lr 0.1 / 10 at 50% and 75% of 300 epochs, wd 1e-4
                    # (their Nesterov momentum is plain momentum 0.9 here)
                    "paper_train": {"epochs": 300, "schedule": "step", "milestones": [150, 225], "milestone_unit": "epoch",
                                    "weight_decay": 1e-4, "batch_size": 64, "lr": 0.1},
                    "published": {"error": 4.51, "dataset": "CIFAR-10+", "source": "Huang et al. 2017",
                                  "detail": "DenseNet-BC L=100, k=12, 0.8M parameters"}},
}
# The cardinality sweep (Xie et al. 2017, Table 2 at CIFAR scale): C = 1 is a bottleneck ResNet.
CARDINALITY = {name: info["cardinality"] for name, info in NETS.items() if "cardinality" in info}


def model_of(name: str, size: str) -> tuple[str, dict]:
    """(registered model, keyword arguments) of a net at `size` ("budget" or "canonical"); the
    cardinality sweep exists at the budget only (canonical: ResNeXt-29 8x64d, the C=8 entry)."""
    info = NETS[name]
    return info[size], dict(info.get("args", {}))
