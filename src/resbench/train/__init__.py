"""The training loop (`loop.train_run`), learning-rate schedules, devices and atomic checkpoints.
Code that only evaluates trained models imports `checkpoint` and `device`, never `loop`."""
