"""A toy family: the grid's mean test error per architecture (the README's "adding a family", walked)."""
from ..base import Family

FAMILY = Family(name="toy", order=99, title="Toy: mean test error per architecture", config_key="toy",
                tables={"toy_errors": "toy/errors.csv"})
