"""The signal family's plan (torch-free): which seeds its probes draw from the profile."""
from __future__ import annotations


def seed_rounds(seeds: list[int], count: int) -> list[int]:
    """`count` seeds drawn from the profile's (so a run with other seeds measures other nets): the seeds in
    order, then offset by 10,000 per round. The rank study's initializations and the Nielsen MLPs' seeds,
    which cost little each and need more than the grid's few to give a spread."""
    return [seeds[k % len(seeds)] + 10_000 * (k // len(seeds)) for k in range(count)]
