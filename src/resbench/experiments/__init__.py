"""Experiments measure a model and return tables; they never write files (the CLI does)."""

LAYER_STATS_IMAGES = 256  # fixed training images (no augmentation) per-block statistics are taken on
