"""Image arrays as the float tensors every loader returns (shared by the embedded and torchvision sets)."""
from __future__ import annotations

import numpy as np
import torch


def to_float_nchw(images: np.ndarray, scale: float) -> torch.Tensor:
    """uint8-like NHW or NHWC array -> float NCHW tensor in [0, 1]."""
    x = torch.as_tensor(np.ascontiguousarray(images), dtype=torch.float32) / scale
    if x.ndim == 3:
        return x.unsqueeze(1)
    return x.permute(0, 3, 1, 2).contiguous()
