"""The training loop, learning-rate schedules, devices and atomic checkpoints.

`train_run` is imported on first use, so `resbench.train.checkpoint` and `.device` (used by code that
only evaluates trained models) do not pull in the training loop."""


def __getattr__(name: str):
    if name == "train_run":
        from .loop import train_run
        return train_run
    raise AttributeError(f"module 'resbench.train' has no attribute {name!r}")


__all__ = ["train_run"]
