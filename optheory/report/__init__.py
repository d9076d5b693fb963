"""The analysis report: a document model, HTML/Markdown renderers and the builder.

Register a topic with :func:`register_topic` (a zero-argument builder returning
a :class:`Page`) and write the report with :func:`build_report`. Importing this
package does not import matplotlib; building figures does.
"""

from __future__ import annotations

from optheory.report.build import TOPICS, build_report, register_topic, select_topics
from optheory.report.document import (
    Figure,
    Heading,
    InlineMath,
    Math,
    Page,
    Table,
    Text,
    Verification,
    VerificationRow,
)
from optheory.report.mathml import latex_to_mathml
from optheory.report.render_html import render_index_html, render_page_html
from optheory.report.render_markdown import render_index_markdown, render_page_markdown

__all__ = [
    "TOPICS",
    "Figure",
    "Heading",
    "InlineMath",
    "Math",
    "Page",
    "Table",
    "Text",
    "Verification",
    "VerificationRow",
    "build_report",
    "latex_to_mathml",
    "register_topic",
    "render_index_html",
    "render_index_markdown",
    "render_page_html",
    "render_page_markdown",
    "select_topics",
]
