"""Pages to self-contained HTML: inline SVG figures, MathML, no scripts, no network.

A Content-Security-Policy in every page forbids scripts and remote loads, so
the page stays self-contained even if a figure or formula carried a link.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from optheory.report.document import (
    VERIFICATION_COLUMNS,
    Block,
    Cell,
    Figure,
    Heading,
    InlineMath,
    Math,
    Page,
    Table,
    Text,
    Verification,
    format_cell,
    split_inline,
)
from optheory.report.mathml import latex_to_mathml

__all__ = ["CSS", "render_index_html", "render_page_html"]

CSS = """
body { font-family: "DejaVu Serif", Georgia, "Times New Roman", serif; color: #1a1a1a;
  background: #ffffff; max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem;
  line-height: 1.5; }
nav { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 0.9rem;
  border-bottom: 1px solid #d0d0d0; padding-bottom: 0.5rem; margin-bottom: 1rem; }
nav a { margin-right: 0.9rem; color: #0b4f8a; text-decoration: none; }
nav a.current { font-weight: bold; color: #1a1a1a; }
h1, h2, h3 { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.25; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.3rem; margin-top: 2rem; } h3 { font-size: 1.1rem; }
.summary { color: #444444; font-style: italic; }
.step { margin: 0.8rem 0; overflow-x: auto; overflow-y: hidden; }
.step .label { margin: 0 0 0.2rem; color: #444444; font-size: 0.95rem; }
math { font-family: "STIX Two Math", "Latin Modern Math", "DejaVu Math TeX Gyre", math; }
math[display="block"] { font-size: 1.15rem; margin: 0.4rem 0; }
figure { margin: 1.2rem 0; text-align: center; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.92rem; color: #333333; margin-top: 0.3rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.92rem; }
table.verification, table.index { width: 100%; }
table.data { min-width: 50%; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.3rem 0.55rem; text-align: left;
  vertical-align: top; }
thead th { background: #eef2f6; }
tbody tr:nth-child(even) { background: #fafafa; }
td.num { font-variant-numeric: tabular-nums; }
table.data td.num { text-align: right; }
td.pass { color: #0a6b2e; font-weight: bold; background: #e6f4ea; }
td.fail { color: #a11212; font-weight: bold; background: #fbe9e9; }
code { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.9em;
  background: #f3f3f3; padding: 0 0.2em; }
footer { margin-top: 3rem; font-size: 0.85rem; color: #666666; }
""".strip()

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _inline(text: str) -> str:
    """Prose runs to HTML (escaped), ``$...$`` to inline MathML."""
    out = []
    for kind, content in split_inline(text):
        if kind == "math":
            out.append(latex_to_mathml(content, "inline"))
        elif kind == "code":
            out.append(f"<code>{html.escape(content)}</code>")
        elif kind == "bold":
            out.append(f"<strong>{html.escape(content)}</strong>")
        else:
            out.append(html.escape(content))
    return "".join(out)


def _paragraph(text: str) -> str:
    lines = [line.strip() for line in text.splitlines()]
    if all(line.startswith("- ") for line in lines):
        items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    return f"<p>{_inline(' '.join(lines))}</p>"


def _cell(value: Cell, tag: str = "td") -> str:
    if isinstance(value, InlineMath):
        return f"<{tag}>{latex_to_mathml(value.latex, 'inline')}</{tag}>"
    if isinstance(value, str):
        return f"<{tag}>{_inline(value)}</{tag}>"
    return f'<{tag} class="num">{html.escape(format_cell(value))}</{tag}>'


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], caption: str | None,
           css_class: str) -> str:
    """Rows are pre-rendered ``<td>`` strings."""
    parts = [f'<table class="{css_class}">']
    if caption:
        parts.append(f"<caption>{_inline(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in columns) + "</tr></thead>")
    parts.append("<tbody>")
    parts.extend("<tr>" + "".join(row) + "</tr>" for row in rows)
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _block(block: Block, page: Page, svgs: Mapping[str, str], numbers: dict[str, int]) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_inline(block.text)}</h{block.level}>"
    if isinstance(block, Text):
        return "\n".join(_paragraph(p) for p in block.paragraphs())
    if isinstance(block, Math):
        label = f'<p class="label">{_inline(block.label)}</p>' if block.label else ""
        return f'<div class="step">{label}{latex_to_mathml(block.latex, "block")}</div>'
    if isinstance(block, Figure):
        if block.name not in svgs:
            raise ValueError(f"no SVG was rendered for figure {block.name!r} on page {page.slug!r}")
        n = numbers[block.name]
        return (
            f'<figure id="fig-{block.name}">\n{svgs[block.name].strip()}\n'
            f"<figcaption>Figure {n}. {_inline(block.caption)}</figcaption>\n</figure>"
        )
    if isinstance(block, Table):
        rows = [[_cell(c) for c in row] for row in block.rows]
        return _table(block.columns, rows, block.caption, "data")
    if isinstance(block, Verification):
        vrows = []
        for row in block.rows:
            verdict = (
                '<td class="pass">pass</td>' if row.verdict else '<td class="fail">FAIL</td>'
            )
            vrows.append([_cell(row.claim), _cell(row.derived), _cell(row.measured),
                          _cell(row.tolerance), verdict])
        caption = block.caption or "Verification"
        return _table(VERIFICATION_COLUMNS, vrows, caption, "verification")
    raise ValueError(f"cannot render a {type(block).__name__} block")  # pragma: no cover


def _document(title: str, nav: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(_plain(title))}</title>\n"
        f"<style>\n{CSS}\n</style>\n</head>\n<body>\n{nav}\n<main>\n{body}\n</main>\n"
        "<footer>Generated by optheory: every formula is derived with sympy and every "
        "verdict comes from running the optimizer.</footer>\n</body>\n</html>\n"
    )


def _plain(text: str) -> str:
    """Prose without marks, for ``<title>`` (maths kept as its LaTeX-free runs)."""
    return "".join(c for kind, c in split_inline(text) if kind != "math").strip() or text


def _nav(pages: Sequence[tuple[str, str]], current: str | None) -> str:
    links = ['<a href="index.html"' + (' class="current"' if current is None else "") + ">Index</a>"]
    for slug, title in pages:
        cls = ' class="current"' if slug == current else ""
        links.append(f'<a href="{html.escape(slug)}.html"{cls}>{_inline(title)}</a>')
    # the interactive explorer (optheory.report.explore) is part of every report
    cls = ' class="current"' if current == "explore" else ""
    links.append(f'<a href="explore.html"{cls}>Explorer</a>')
    return "<nav>" + "\n".join(links) + "</nav>"


def render_page_html(
    page: Page, svgs: Mapping[str, str], nav: Sequence[tuple[str, str]] = ()
) -> str:
    """Render one topic page.

    Parameters
    ----------
    page
        The page.
    svgs
        Figure name -> ``<svg>`` element ready for inlining (see
        :func:`optheory.figures.inline_svg`).
    nav
        ``(slug, title)`` of every page of the report, for the navigation bar.

    Returns
    -------
    str
        The complete HTML document.

    Raises
    ------
    ValueError
        If a formula cannot be converted to MathML or a figure has no SVG.
    """
    numbers = {fig.name: i for i, fig in enumerate(page.figures(), start=1)}
    body = [f"<h1>{_inline(page.title)}</h1>"]
    if page.summary:
        body.append(f'<p class="summary">{_inline(page.summary)}</p>')
    body.extend(_block(block, page, svgs, numbers) for block in page.blocks)
    return _document(page.title, _nav(nav, page.slug), "\n".join(body))


def render_index_html(title: str, pages: Sequence[Page], intro: str = "") -> str:
    """Render the index: an overview table of the topics and their checks.

    Parameters
    ----------
    title
        Report title (prose).
    pages
        The topic pages, in report order.
    intro
        Optional prose paragraph(s) above the table.

    Returns
    -------
    str
        The complete HTML document.
    """
    body = [f"<h1>{_inline(title)}</h1>"]
    if intro:
        body.extend(_paragraph(p) for p in Text(intro).paragraphs())
    if pages:
        rows = []
        for page in pages:
            checks = page.verification_rows()
            passed = sum(row.verdict for row in checks)
            css = "pass" if passed == len(checks) else "fail"
            verdicts = f'<td class="{css}">{passed} / {len(checks)}</td>' if checks else "<td>none</td>"
            rows.append([
                f'<td><a href="{html.escape(page.slug)}.html">{_inline(page.title)}</a></td>',
                f"<td>{_inline(page.summary)}</td>",
                f'<td class="num">{len(page.figures())}</td>',
                verdicts,
            ])
        body.append(_table(("topic", "summary", "figures", "checks passed"), rows, "Topics",
                           "index"))
    else:
        body.append("<p>No topics were selected.</p>")
    nav = [(p.slug, p.title) for p in pages]
    return _document(title, _nav(nav, None), "\n".join(body))
