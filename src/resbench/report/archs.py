"""Architecture families as the report names and orders them (tables, figures, claims)."""

ARCH_ORDER = ("plain", "resnet", "resnet_sd")
ARCH_LABELS = {"plain": "plain", "resnet": "ResNet", "resnet_sd": "ResNet + stoch. depth"}


def arch_sort_key(column):
    """pandas sort key putting arch columns in ARCH_ORDER and leaving other columns as they are."""
    return column.map({a: i for i, a in enumerate(ARCH_ORDER)}) if column.name == "arch" else column
