"""Modules small and named for what they do: no source file over 400 lines, no function over 80."""
import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "resbench"
MAX_FILE, MAX_FUNCTION = 400, 80


def sizes() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    files, functions = [], []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text()
        files.append((str(path.relative_to(SRC)), len(text.splitlines())))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append((f"{path.relative_to(SRC)}:{node.name}", node.end_lineno - node.lineno + 1))
    return files, functions


def test_no_source_file_over_400_lines_and_no_function_over_80():
    files, functions = sizes()
    assert [f for f in files if f[1] > MAX_FILE] == []
    assert [f for f in functions if f[1] > MAX_FUNCTION] == []
    assert len(files) > 50 and max(n for _, n in functions) > 40  # it read the real tree
