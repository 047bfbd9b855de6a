"""Tidy tables, atomic writes, verified reads and provenance."""
from .io import read_json, read_table, write_json_atomic, write_table_atomic, write_text_atomic
from .provenance import git_info, provenance

__all__ = ["read_json", "read_table", "write_json_atomic", "write_table_atomic", "write_text_atomic", "git_info",
           "provenance"]
