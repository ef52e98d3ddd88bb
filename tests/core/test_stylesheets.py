"""Our own stylesheets parse: a lost brace makes a browser drop every rule after it without
a word, which no page test notices until someone sees the page."""

from pathlib import Path

import pytest
import tinycss2

STYLESHEETS = sorted((Path(__file__).resolve().parents[2] / "static" / "css").glob("*.css"))
# At-rules whose block holds rules rather than declarations.
RULE_BLOCKS = {"media", "supports", "layer", "container"}


def _errors(rules, where: str) -> list[str]:
    found = []
    for rule in rules:
        if rule.type == "error":
            found.append(f"{where}:{rule.source_line}: {rule.message}")
        elif rule.type == "qualified-rule":
            declarations = tinycss2.parse_declaration_list(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            found += [
                f"{where}:{item.source_line}: {item.message}"
                for item in declarations
                if item.type == "error"
            ]
        elif rule.type == "at-rule" and rule.lower_at_keyword in RULE_BLOCKS and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            found += _errors(inner, where)
    return found


def test_there_are_stylesheets_to_check():
    assert {path.name for path in STYLESHEETS} >= {"app.css", "admin.css", "print.css"}


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda path: path.name)
def test_every_rule_and_declaration_parses(path):
    rules = tinycss2.parse_stylesheet(
        path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True
    )
    assert _errors(rules, path.name) == []
