"""The Markdown of descriptions and messages: paragraphs and lists kept, nothing unsafe."""

from usht_events.core.markdown import render_markdown


def test_paragraphs_and_lists_are_kept():
    html = render_markdown("Velkommen!\n\nDu lærer:\n\n- ProACT\n- HHLR\n\n1. først\n2. så")
    assert "<p>Velkommen!</p>" in html
    assert "<ul>\n<li>ProACT</li>\n<li>HHLR</li>\n</ul>" in html
    assert "<ol>\n<li>først</li>" in html


def test_a_single_line_break_is_kept():
    assert render_markdown("Mysen helsehus\nStore møtesal") == (
        "<p>Mysen helsehus<br>\nStore møtesal</p>\n"
    )


def test_emphasis_and_links_are_kept_with_a_safe_rel():
    html = render_markdown("**Ta med** *matpakke*. [Program](https://usht.no/program)")
    assert "<strong>Ta med</strong> <em>matpakke</em>" in html
    assert (
        '<a href="https://usht.no/program" rel="noopener noreferrer nofollow">Program</a>' in html
    )


def test_typed_html_is_shown_as_text_not_run():
    html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(2)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_a_javascript_link_is_not_a_link():
    html = render_markdown("[klikk](javascript:alert(1)) <javascript:alert(2)>")
    assert "<a" not in html


def test_headings_and_images_stay_plain_text():
    html = render_markdown("# Stor overskrift\n\n![bilde](https://x.no/a.png)")
    assert "<h1" not in html and "<img" not in html
    assert "# Stor overskrift" in html


def test_empty_text_gives_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""
