"""Modules small and named for what they do: no file over 400 lines and no function over 80, in the
package, the workflow's rule files and the tests alike."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("src/resbench", "workflow", "tests", "benchmarks")
MAX_FILE, MAX_FUNCTION = 400, 80


def sizes() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    files, functions = [], []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".smk") or ".venv" in path.parts:
                continue
            text, name = path.read_text(), str(path.relative_to(ROOT))
            files.append((name, len(text.splitlines())))
            if path.suffix == ".py":  # rule files are not Python; their size counts, their functions live in common.smk
                for node in ast.walk(ast.parse(text)):
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        functions.append((f"{name}:{node.name}", node.end_lineno - node.lineno + 1))
    return files, functions


def test_no_file_over_400_lines_and_no_function_over_80():
    files, functions = sizes()
    assert [f for f in files if f[1] > MAX_FILE] == []
    assert [f for f in functions if f[1] > MAX_FUNCTION] == []
    read = {name.split("/")[0] for name, _ in files}
    assert {"src", "workflow", "tests"} <= read and len(files) > 100  # it read the real trees
    assert any(name.endswith(".smk") for name, _ in files) and max(n for _, n in functions) > 40
