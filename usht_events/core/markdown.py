"""The small, safe Markdown of event descriptions and organisers' messages.

Paragraphs, lists, emphasis, links and line breaks, the same on the event page and in the
mails. markdown-it-py (CommonMark) writes the HTML with raw HTML switched off; nh3 (the
Ammonia sanitiser) then keeps only the tags below, so nothing typed can become a script,
a style or a heading that breaks the page's outline.
"""

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
# Headings would compete with the page's own; images and tables are not for a description.
DISABLED_RULES = ["heading", "lheading", "image", "table", "html_block", "html_inline", "hr"]


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
        DISABLED_RULES, ignoreInvalid=True
    )


def render_markdown(text: str | None) -> Markup:
    """The text's Markdown as safe HTML; plain text gives plain paragraphs."""
    if not text:
        return Markup("")
    html = _parser().render(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # sanitised just above
