"""Narrative Markdown → safe HTML for reports ("no script, no remote content, no raw
HTML that can break the page").

Two layers, so that a mistake in one is caught by the other:

1. markdown-it-py (CommonMark, plus tables and strikethrough) with raw HTML **disabled**: any
   ``<script>``, ``<img onerror=…>`` or other tag a person types is escaped and shown as text.
   Images are rendered as their description only (never fetched: no remote content). Links
   markdown-it considers unsafe (``javascript:``, ``vbscript:``, ``file:``, ``data:``) are not
   made into links and stay visible as text. Headings are moved down three levels (``#`` → h4)
   so they sit under the report's section and question headings. HTML comments are removed
   first (they carry prompts and suggestions, see `narratives`).
2. nh3 (ammonia) with an allow-list: only text-level tags, lists, quotes, code, tables and links;
   the only attributes are ``href``/``title`` on links and ``start`` on ordered lists; link
   schemes http, https and mailto only
   (relative targets are dropped, the text stays). Kept links get ``rel="noopener noreferrer nofollow"``:
   a link is followed only when a reader clicks it, so the page itself loads nothing remote.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

import nh3
from markdown_it import MarkdownIt

from hme_core.narratives.files import strip_comments

ALLOWED_TAGS = {"p", "br", "strong", "em", "s", "del", "ul", "ol", "li", "blockquote", "code",
                "pre", "h4", "h5", "h6", "hr", "a", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
HEADING_SHIFT = 3


def _image_as_text(self, tokens, idx, options, env) -> str:
    """An image becomes its (escaped) description: nothing is loaded."""
    alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return escape(alt, quote=True)


def _demote_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + HEADING_SHIFT)
            token.tag = f"h{level}"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _image_as_text)
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


def _absolute_links_only(tag: str, attr: str, value: str) -> str | None:
    """Drop relative link targets: a report page has no neighbouring files to point at."""
    if tag == "a" and attr == "href":
        scheme = value.split(":", 1)[0].strip().casefold() if ":" in value else ""
        return value if scheme in URL_SCHEMES else None
    return value


def sanitize_html(html: str) -> str:
    """The allow-list pass (layer 2); safe on any HTML string."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=LINK_REL, strip_comments=True,
                     clean_content_tags={"script", "style"},
                     attribute_filter=_absolute_links_only)


def render_markdown(text: str) -> str:
    """A narrative's Markdown as sanitised HTML (see the module docstring).

    >>> render_markdown("Hej <script>alert(1)</script> **du**")
    '<p>Hej &lt;script&gt;alert(1)&lt;/script&gt; <strong>du</strong></p>\\n'
    """
    return sanitize_html(_parser().render(strip_comments(text or "")))


def render_inline(text: str) -> str:
    """One item (e.g. an escalated need) without the surrounding paragraph."""
    html = render_markdown(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
