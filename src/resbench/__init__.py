"""resbench: reproducible benchmarks of depth degradation in plain vs residual networks."""

__version__ = "0.1.0"
