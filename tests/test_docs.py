"""What the READMEs point a reader to exists: every repository path they cite (tests, sources,
benchmarks, profiles, scripts, rule files)."""
import re

import pytest

from .conftest import REPO

CITED = re.compile(r"(?<![\w/.-])((?:tests|src/resbench|benchmarks|config|scripts|workflow)/[\w/.-]*"
                   r"\.(?:py|yaml|sh|smk|j2))")


@pytest.mark.parametrize("readme", ["README.md", "benchmarks/README.md"])
def test_every_path_a_readme_cites_exists(readme):
    text = (REPO / readme).read_text()
    cited = sorted(set(CITED.findall(text)))
    assert cited, "the pattern finds no path: it no longer matches how the README cites files"
    missing = [path for path in cited if not (REPO / path).exists()]
    assert not missing, f"{readme} cites files that do not exist: {missing}"
