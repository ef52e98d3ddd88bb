"""The repository stands alone: its documentation is inside it, and every link resolves."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Spelled in two parts so that this file does not match itself.
OUTSIDE = "../" + "shared"


def test_no_tracked_file_points_outside_the_repository():
    found = subprocess.run(
        ["git", "grep", "-l", "-F", OUTSIDE], cwd=REPO, capture_output=True, text=True
    )
    assert found.stdout == ""


def test_readme_and_docs_link_only_to_files_that_exist():
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_readme_links_the_domain_rules_and_interface():
    readme = (REPO / "README.md").read_text()
    for name in ("domain", "rules", "interface"):
        assert f"(docs/{name}.md)" in readme
