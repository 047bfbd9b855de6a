"""Published numbers printed beside ours (from shared/science.md), with their sources."""

CITATIONS = {
    "he2016": "K. He, X. Zhang, S. Ren, J. Sun. Deep Residual Learning for Image Recognition. CVPR 2016.",
    "he2016b": "K. He, X. Zhang, S. Ren, J. Sun. Identity Mappings in Deep Residual Networks. ECCV 2016.",
    "veit2016": "A. Veit, M. Wilber, S. Belongie. Residual Networks Behave Like Ensembles of Relatively "
                "Shallow Networks. NeurIPS 2016.",
    "li2018": "H. Li, Z. Xu, G. Taylor, C. Studer, T. Goldstein. Visualizing the Loss Landscape of Neural Nets. "
              "NeurIPS 2018.",
    "nielsen": "M. Nielsen. Neural Networks and Deep Learning, ch. 5. Determination Press, 2015.",
    "lecun1998": "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-Based Learning Applied to Document "
                 "Recognition. Proc. IEEE 86(11), 1998.",
    "krizhevsky2012": "A. Krizhevsky, I. Sutskever, G. Hinton. ImageNet Classification with Deep Convolutional "
                      "Neural Networks. NeurIPS 2012.",
    "simonyan2015": "K. Simonyan, A. Zisserman. Very Deep Convolutional Networks for Large-Scale Image "
                    "Recognition. ICLR 2015.",
    "szegedy2015": "C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, V. Vanhoucke, "
                   "A. Rabinovich. Going Deeper with Convolutions. CVPR 2015.",
    "xie2017": "S. Xie, R. Girshick, P. Dollár, Z. Tu, K. He. Aggregated Residual Transformations for Deep Neural "
               "Networks. CVPR 2017.",
    "huang2017": "G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger. Densely Connected Convolutional "
                 "Networks. CVPR 2017.",
}

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
