"""What the READMEs point a reader to exists: every repository path they cite (tests, sources,
benchmarks, profiles, scripts, rule files)."""
import re

import pytest

from .conftest import REPO

CITED = re.compile(r"(?<![\w/.-])((?:tests|src/resbench|benchmarks|config|scripts|workflow)/[\w/.-]*"
                   r"\.(?:py|yaml|sh|smk|j2))")


def test_the_path_pattern_still_finds_the_paths_the_docs_cite():
    assert len(set(CITED.findall((REPO / "docs" / "architecture.md").read_text()))) > 5


DOCS = ["README.md", "benchmarks/README.md", "config/README.md", *sorted(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


@pytest.mark.parametrize("readme", DOCS)
def test_every_path_a_readme_cites_exists(readme):
    text = (REPO / readme).read_text()
    cited = sorted(set(CITED.findall(text)))
    missing = [path for path in cited if not (REPO / path).exists()]
    assert not missing, f"{readme} cites files that do not exist: {missing}"


@pytest.mark.parametrize("page", DOCS)
def test_every_page_a_doc_links_to_exists_and_every_docs_page_is_linked_from_the_readme(page):
    """The README is the front page: each docs/ page is one link away, and no link leads nowhere."""
    text = (REPO / page).read_text()
    broken = [link for link in LINK.findall(text) if not ((REPO / page).parent / link).resolve().exists()]
    assert not broken, f"{page} links to pages that do not exist: {broken}"
    if page == "README.md":
        assert {f"docs/{p.name}" for p in (REPO / "docs").glob("*.md")} <= set(LINK.findall(text))
