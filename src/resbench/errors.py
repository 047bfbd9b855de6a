"""Errors a user can act on; the CLI prints them without a traceback."""


class ResbenchError(Exception):
    """An error caused by input (config, data, paths) that the user can fix."""


class ConfigError(ResbenchError):
    """The configuration failed validation."""


class DatasetMissingError(ResbenchError):
    """A dataset's files are not where they are expected."""


class CorruptFileError(ResbenchError):
    """A result file the suite reads back failed verification (truncated, garbled, or not ours)."""
