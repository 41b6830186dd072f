"""Narrative Markdown → sanitised HTML (hme_core/narratives/markdown.py)."""

from __future__ import annotations

import re

from hme_core.narratives.markdown import render_inline, render_markdown, sanitize_html

HOSTILE = """Bra samarbete. <script>alert('x')</script>

<img src="x" onerror="alert(1)">

[klicka](javascript:alert(1)) och [data](data:text/html;base64,PHNjcmlwdD4=)

![spårningspixel](https://evil.example/pixel.png)

<iframe src="https://evil.example"></iframe>
"""


def _no_active_content(html: str) -> None:
    assert "<script" not in html and "<iframe" not in html and "<img" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html)  # no event-handler attribute in any tag
    assert not re.search(r"href\s*=\s*[\"']?\s*(javascript|data|vbscript):", html, re.I)


def test_script_onerror_and_javascript_links_render_as_harmless_text():
    html = render_markdown(HOSTILE)
    _no_active_content(html)
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html  # visible, escaped
    assert 'onerror="alert(1)"' in html.replace("&quot;", '"')  # as text, not as an attribute
    assert "[klicka](javascript:alert(1))" in html  # markdown-it refuses to make it a link
    assert "Bra samarbete." in html


def test_images_show_their_description_and_load_nothing():
    html = render_markdown("![Diagram över **svaren**](https://evil.example/x.png)")
    assert "<img" not in html and "evil.example" not in html
    assert "Diagram över svaren" in html


def test_http_links_are_kept_with_noopener_and_relative_links_lose_their_target():
    html = render_markdown("[Process](https://intra.example.se/p) och [fil](../../etc/passwd)")
    assert '<a href="https://intra.example.se/p" rel="noopener noreferrer nofollow">' in html
    assert "passwd" not in re.sub(r">[^<]*<", "><", html)  # no href to it, text only
    assert ">fil</a>" in html


def test_comments_with_prompts_and_suggestions_are_not_rendered():
    html = render_markdown("Egen text\n\n<!-- Förslag från data:\n- Mitt arbete (83,3)\n-->\n")
    assert "Egen text" in html and "83,3" not in html and "Förslag" not in html


def test_headings_move_below_the_report_headings():
    html = render_markdown("# Rubrik\n\n## Under\n\n#### Djup")
    assert "<h4>Rubrik</h4>" in html and "<h5>Under</h5>" in html and "<h6>Djup</h6>" in html
    assert not re.search(r"<h[123]", html)


def test_sanitizer_alone_removes_active_content_from_raw_html():
    raw = ('<p onclick="x()">a<script>bad()</script><a href="javascript:alert(1)">b</a>'
           '<img src=x onerror=y><style>p{}</style><a href="https://ok.example">c</a></p>')
    html = sanitize_html(raw)
    _no_active_content(html)
    assert "bad()" not in html and "p{}" not in html
    assert 'href="https://ok.example"' in html


def test_inline_item_has_no_paragraph_wrapper():
    assert render_inline("**Resurser** saknas") == "<strong>Resurser</strong> saknas"
