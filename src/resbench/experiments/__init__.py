"""Experiments measure a model and return tables; they never write files (the CLI does)."""
