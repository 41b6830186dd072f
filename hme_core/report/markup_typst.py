"""HTML that people wrote, as Typst: narratives (Markdown sanitised by `narratives.markdown`),
a notebook's markdown cells and HTML outputs such as pandas tables (`render/pdf.py`).

Handles the tags those carry: paragraphs, headings, emphasis, strong, strike-through, code,
links, line breaks, lists, quotes, preformatted text, rules, tables (header rows, spans),
definition lists and neutral containers (div, section, span). Everything else is read for its
text only (style, script and head are dropped, an image becomes its alt text: the PDF loads
nothing an HTML page would fetch). All text becomes Typst string literals (`typ_str`).

Heading levels stay in sequence, as PDF/UA-1 requires: a heading is placed at most one level
below the heading before it (``Converter.level``), so a narrative's "##" under a question's
h3 becomes h4, and a notebook's first heading becomes h1.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"br", "hr", "img", "meta", "link", "input", "col", "wbr"}
DROP = {"style", "script", "head", "title", "svg", "math", "button", "template"}
BLOCKS = {"p", "div", "section", "article", "main", "header", "footer", "ul", "ol", "li",
          "blockquote", "pre", "hr", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
          "caption", "dl", "dt", "dd", "figure", "figcaption", "nav", "aside",
          "h1", "h2", "h3", "h4", "h5", "h6"}
_SPACE = re.compile(r"\s+")
_ESCAPES = re.compile(r'[\\"\n\r\t]')


def typ_str(text: object) -> str:
    """`text` as a Typst string literal.

    >>> print(typ_str('Avd #1 "Öst" \\\\ $5'))
    "Avd #1 \\"Öst\\" \\\\ $5"
    """
    s = "" if text is None else str(text)
    table = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "", "\t": " "}
    return '"' + _ESCAPES.sub(lambda m: table[m.group(0)], s) + '"'




class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict):
        self.tag, self.attrs, self.children = tag, attrs, []


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):  # close up to the matching open tag
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _is_block(node) -> bool:
    return isinstance(node, _Node) and node.tag in BLOCKS


class Converter:
    """Converts HTML fragments to Typst; `level` is the last heading level placed so far."""

    def __init__(self, level: int = 0):
        self.level = level

    def convert(self, html: str) -> str:
        builder = _TreeBuilder()
        builder.feed(html)
        builder.close()
        return self._blocks(builder.root.children)

    # ---- inline ------------------------------------------------------------------------
    def _inline(self, nodes, pre: bool = False) -> str:
        out = []
        for n in nodes:
            if isinstance(n, str):
                text = n if pre else _SPACE.sub(" ", n)
                if text:
                    out.append("#" + typ_str(text))
                continue
            if n.tag in DROP:
                continue
            inner = self._inline(n.children, pre or n.tag == "pre")
            if n.tag in ("strong", "b", "th"):
                out.append(f"#strong[{inner}]")
            elif n.tag in ("em", "i"):
                out.append(f"#emph[{inner}]")
            elif n.tag in ("s", "del", "strike"):
                out.append(f"#strike[{inner}]")
            elif n.tag == "code":
                out.append(f"#raw({typ_str(_text(n))})")
            elif n.tag == "a" and n.attrs.get("href", "").startswith(("http", "mailto:")):
                out.append(f"#link({typ_str(n.attrs['href'])})[{inner}]")
            elif n.tag == "br":
                out.append("#linebreak()")
            elif n.tag == "img":
                alt = n.attrs.get("alt", "")
                out.append("#" + typ_str(alt) if alt else "")
            elif n.tag in ("sup", "sub"):
                out.append(f"#{'super' if n.tag == 'sup' else 'sub'}[{inner}]")
            else:
                out.append(inner)
        return "".join(out)

    # ---- blocks ------------------------------------------------------------------------
    def _blocks(self, nodes) -> str:
        out, run = [], []

        def flush():
            content = self._inline(run).strip()
            run.clear()
            if content and content not in ('#" "', '#""'):
                out.append(f"#[{content}]")

        for n in nodes:
            if _is_block(n):
                flush()
                text = self._block(n)
                if text:
                    out.append(text)
            elif isinstance(n, _Node) and n.tag in DROP:
                continue
            else:
                run.append(n)
        flush()
        return "\n\n".join(out)

    def _heading(self, n: _Node) -> str:
        wanted = int(n.tag[1])
        level = max(1, min(wanted, self.level + 1))
        self.level = level
        return f"#heading(level: {level})[{self._inline(n.children).strip()}]"

    def _block(self, n: _Node) -> str:
        tag = n.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return self._heading(n)
        if tag in ("ul", "ol"):
            items = [f"[{self._blocks(li.children)}]" for li in n.children
                     if isinstance(li, _Node) and li.tag == "li"]
            if not items:
                return ""
            if tag == "ol":
                start = n.attrs.get("start", "1")
                start = start if start.isdigit() else "1"
                return f"#enum(start: {start}, {', '.join(items)},)"
            return f"#list({', '.join(items)},)"
        if tag == "blockquote":
            return f"#quote(block: true)[{self._blocks(n.children)}]"
        if tag == "pre":
            return f"#raw(block: true, {typ_str(_text(n))})"
        if tag == "hr":
            return "#line(length: 100%, stroke: 0.5pt + rule)"
        if tag == "table":
            return self._table(n)
        if tag == "dl":
            terms, items = None, []
            for c in n.children:
                if isinstance(c, _Node) and c.tag == "dt":
                    terms = self._inline(c.children).strip()
                elif isinstance(c, _Node) and c.tag == "dd":
                    items.append(f"terms.item([{terms or ''}], [{self._blocks(c.children)}])")
            return f"#terms({', '.join(items)},)" if items else ""
        return self._blocks(n.children)  # containers: p, div, section, li, td, …

    def _table(self, n: _Node) -> str:
        caption, head, body = "", [], []

        def rows(node, into):
            for c in node.children:
                if not isinstance(c, _Node):
                    continue
                if c.tag == "tr":
                    into.append(c)
                elif c.tag in ("thead", "tbody", "tfoot"):
                    rows(c, head if c.tag == "thead" else into)
                elif c.tag == "caption":
                    nonlocal caption
                    caption = _SPACE.sub(" ", _text(c)).strip()

        rows(n, body)
        if not head and body and all(isinstance(c, _Node) and c.tag == "th"
                                     for c in body[0].children if isinstance(c, _Node)):
            head, body = [body[0]], body[1:]
        ncols = max((sum(_span(c, "colspan") for c in r.children if isinstance(c, _Node)
                         and c.tag in ("th", "td")) for r in head + body), default=0)
        if not ncols:
            return ""

        def cells(r, bold=False):
            out = []
            for c in r.children:
                if not (isinstance(c, _Node) and c.tag in ("th", "td")):
                    continue
                content = self._inline(c.children).strip() if not any(
                    _is_block(x) for x in c.children) else self._blocks(c.children)
                content = f"#strong[{content}]" if bold else content
                spans = [f"{k}: {_span(c, k)}" for k in ("colspan", "rowspan") if _span(c, k) > 1]
                out.append(f"table.cell({', '.join(spans)})[{content}]" if spans
                           else f"[{content}]")
            return out

        header = [x for r in head for x in cells(r, bold=True)]
        parts = ([f"table.header({', '.join(header)},)"] if header else [])
        parts += [x for r in body for x in cells(r)]
        return (f"#data-table({typ_str(caption)}, \"data\", table(columns: {ncols}, "
                f"{', '.join(parts)}))")


def _span(node: _Node, key: str) -> int:
    value = str(node.attrs.get(key, "1") or "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _text(node) -> str:
    if isinstance(node, str):
        return node
    if node.tag in DROP:
        return ""
    return "".join(_text(c) for c in node.children)


def html_to_typst(html: str, level: int = 0) -> str:
    """Sanitised HTML as Typst markup; headings at most one level below `level`."""
    return Converter(level).convert(html)
