"""The bibliography the families cite by key (Family.citations); each family keeps the published numbers
it prints beside ours with its own code (e.g. families/depth/published.py)."""

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
