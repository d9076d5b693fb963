"""Renderers on small pages: escaping, tables, lists, navigation."""

from __future__ import annotations

import re

from optheory.report import (
    InlineMath,
    Page,
    Table,
    Text,
    Verification,
    VerificationRow,
    render_index_html,
    render_index_markdown,
    render_page_html,
    render_page_markdown,
)


def _page() -> Page:
    return Page(
        "demo",
        "Demo & <test>",
        (
            Text('Prose with <script>alert("x")</script> & a $|z| < 1$ check.\n\n'
                 "- first `item`\n- **second** item"),
            Table(("name", "value"), [("a|b", InlineMath(r"|z| \le \|x\|")), ("n", 0.125)]),
            Verification((VerificationRow("claim $x$", InlineMath("2"), 2.0, 1e-9, True),)),
        ),
        summary="Summary.",
    )


def test_html_escapes_prose_and_titles():
    out = render_page_html(_page(), {}, [("demo", "Demo & <test>"), ("other", "Other")])
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; a <math" in out
    assert "<title>Demo &amp; &lt;test&gt;</title>" in out
    assert "<ul><li>first <code>item</code></li><li><strong>second</strong> item</li></ul>" in out
    assert '<a href="demo.html" class="current">' in out and '<a href="other.html">' in out
    assert '<td class="num">0.125</td>' in out
    assert out.count("<tr>") == 1 + 2 + 1 + 1  # two header rows, three body rows
    assert out.endswith("</html>\n") and out.startswith("<!DOCTYPE html>\n")


def test_markdown_tables_escape_pipes():
    md = render_page_markdown(_page())
    # a pipe inside a cell would end the cell: text gets \| and LaTeX \vert / \Vert
    assert r"| a\|b | $\vert z\vert  \le \Vert x\Vert $ |" in md
    assert r"$\vert z\vert  < 1$" not in md  # prose outside tables is left as written
    assert "$|z| < 1$" in md
    assert "| claim $x$ | $2$ | 2 | 1e-09 | pass |" in md
    for line in md.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (4, 7), line  # 2 or 5 columns, no stray separators


def test_index_counts_checks():
    page = _page()
    html = render_index_html("Report", [page])
    assert '<td class="pass">1 / 1</td>' in html and '<a href="demo.html">' in html
    md = render_index_markdown("Report", [page])
    assert "| [Demo & <test>](demo.md) | Summary. | 0 | 1 / 1 |" in md
