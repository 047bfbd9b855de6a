"""The training loop, learning-rate schedules, devices and atomic checkpoints."""
from .loop import train_run

__all__ = ["train_run"]
