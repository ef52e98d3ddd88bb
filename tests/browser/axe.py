"""Run axe-core in a Playwright page and fail with a readable list of WCAG violations."""

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page) -> None:
    """Fail unless axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: run scripts/vendor-assets.sh"
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, so the page's CSP (script-src 'self')
        # need not be loosened for the test.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = results["violations"]
    assert not violations, f"axe-core found violations on {page.url}:\n" + _describe(violations)


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = node["failureSummary"].replace("\n", "\n      ")
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)
