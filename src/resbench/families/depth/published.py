"""He et al. 2016's numbers printed beside the grid's (from shared/science.md)."""

# He et al. 2016, Table 6: CIFAR-10 test error (%) of ResNets with option-A shortcuts.
HE2016_CIFAR10_RESNET_ERROR = {20: 8.75, 32: 7.51, 44: 7.17, 56: 6.97, 110: 6.43, 1202: 7.93}
HE2016_CIFAR10_PARAMS = {20: "0.27M", 32: "0.46M", 44: "0.66M", 56: "0.85M", 110: "1.7M", 1202: "19.4M"}
HE2016_NOTES = (
    "Plain nets appear only as curves (He et al. 2016, Fig. 6): training error rises with depth over "
    "plain-20/32/44/56, and plain-110 stays above 60% error. ResNet-110: 6.43% best, 6.61 ± 0.16% mean of 5 runs."
)

# The published recipe, for the limitations section (what a profile trades away).
HE2016_RECIPE = {
    "dataset": "cifar10",
    "epochs": 182,  # 64k iterations at batch 128 on 45k images
    "augment": True,
    "batch_size": 128,
    "lr": 0.1,
    "schedule": "step",
    "seeds": 5,
}
