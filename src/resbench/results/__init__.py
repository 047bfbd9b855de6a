"""Tidy tables, atomic writes and provenance."""
from .io import read_json, write_json_atomic, write_table_atomic, write_text_atomic
from .provenance import git_info, provenance

__all__ = ["read_json", "write_json_atomic", "write_table_atomic", "write_text_atomic", "git_info", "provenance"]
