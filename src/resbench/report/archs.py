"""Architecture families as the report names and orders them (tables, figures, claims): the depth
grid's declarations (resbench.grid)."""
from ..grid import ARCHS, GRID_ARCHS

ARCH_ORDER = ARCHS
ARCH_LABELS = {a.name: a.label for a in GRID_ARCHS}


def arch_sort_key(column):
    """pandas sort key putting arch columns in ARCH_ORDER and leaving other columns as they are."""
    return column.map({a: i for i, a in enumerate(ARCH_ORDER)}) if column.name == "arch" else column
