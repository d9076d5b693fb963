"""Rich notebook displays (``_repr_html_``, ``_repr_markdown_``) of the API's results.

A display is a short summary and, where it helps, a small inline plot: never a
dump of arrays (a 10^4-step trajectory displays in well under 20 KB).
matplotlib is imported only when a display with a plot is asked for.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "ClaimResults",
    "claims_html",
    "claims_markdown",
    "exercise_html",
    "figure_png",
    "sweep_html",
    "trajectory_html",
]

_CELL = 'style="text-align: left; vertical-align: top; padding: 2px 8px;"'


def figure_png(fig: Any, dpi: int = 60) -> bytes:
    """PNG bytes of a matplotlib figure (small by default, for inline displays)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _img(fig: Any) -> str:
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    return f'<img alt="plot" src="data:image/png;base64,{data}">'


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        if value.size <= 4:
            return "[" + ", ".join(_number(v) for v in value.ravel()) + "]"
        return f"{value.size} values in [{_number(np.nanmin(value))}, {_number(np.nanmax(value))}]"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _table(rows: Iterable[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th {_CELL}>{html.escape(k)}</th><td {_CELL}>{html.escape(_number(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def _titled(title: str, table: str, plot: str) -> str:
    return (
        f"<div><strong>{html.escape(title)}</strong>"
        f'<div style="display: flex; gap: 1em; align-items: flex-start;">{table}{plot}</div></div>'
    )


def _small_plot(draw: Any) -> str:
    from optheory.figures._style import new_figure, styled

    with styled():
        fig = new_figure(4.0, 2.6)
        draw(fig.add_subplot())
    return _img(fig)


def trajectory_html(trajectory: Any) -> str:
    """Summary table and a small plot of a :class:`~optheory.numeric.trajectory.Trajectory`."""
    x = np.asarray(trajectory.x)
    rows: list[tuple[str, Any]] = [
        ("method", f"{trajectory.method} ({trajectory.convention}, {trajectory.impl})"),
        ("steps", trajectory.steps),
        ("dimension", x.shape[-1]),
    ]
    if trajectory.batched:
        rows.append(("settings", trajectory.size))
    rows += [(k, v) for k, v in trajectory.hyper.items()]
    loss = np.asarray(trajectory.loss)
    rows.append(("final loss", loss[-1]))
    if not trajectory.batched and x.shape[-1] <= 4:
        rows.append(("final x", x[-1]))
    rows.append(("diverged at", trajectory.diverged_at))
    plot = _small_plot(lambda ax: trajectory.plot(ax))
    return _titled("Trajectory", _table(rows), plot)


def sweep_html(result: Any) -> str:
    """Summary table (grid, best setting) and a small map of a sweep result."""
    rows: list[tuple[str, Any]] = [
        ("method", f"{result.method} ({result.convention})"),
        ("steps", result.steps),
        ("settings", result.size),
    ]
    for name, axis in zip(result.names, result.axes, strict=True):
        rows.append((f"grid {name}", axis))
    rate = result.closed_form_rate if result.closed_form_rate is not None else result.rate
    if rate is not None and np.isfinite(rate).any():
        best = np.unravel_index(int(np.nanargmin(np.where(np.isfinite(rate), rate, np.inf))),
                                result.shape)
        label = "closed-form rate" if result.closed_form_rate is not None else "measured rate"
        rows.append((f"best {label}", float(rate[best])))
        for name, axis, i in zip(result.names, result.axes, best, strict=True):
            rows.append((f"  at {name}", float(axis[i])))
    if result.diverged_at is not None:
        rows.append(("diverged settings", int(np.count_nonzero(result.diverged_at >= 0))))
    plot = ""
    if len(result.names) <= 2 and rate is not None and np.isfinite(rate).any():
        plot = _small_plot(lambda ax: result.plot(ax))
    return _titled("SweepResult", _table(rows), plot)


def _maths(latex: str) -> str:
    from optheory.report.mathml import latex_to_mathml

    try:
        return latex_to_mathml(latex)
    except ValueError:
        return html.escape(latex)


def _evidence(result: Any) -> str:
    summary = getattr(result, "summary", "") or ""
    if getattr(result, "error", None):
        summary = f"{summary} (error: {result.error})".strip()
    return html.escape(summary)


def claims_html(results: Sequence[Any]) -> str:
    """A table: claim, statement, verdict, correction, evidence."""
    colours = {"holds": "#1b7f3b", "conditional": "#9a6700", "refuted": "#b00020",
               "error": "#b00020"}
    head = "".join(f"<th {_CELL}>{h}</th>" for h in
                   ("claim", "statement", "verdict", "correction", "evidence"))
    rows = []
    for r in results:
        colour = colours.get(r.verdict, "#000")
        rows.append(
            "<tr>"
            f"<td {_CELL}><code>{html.escape(r.id)}</code><br><small>{html.escape(r.section)}</small></td>"
            f"<td {_CELL}>{_maths(r.statement)}</td>"
            f'<td {_CELL}><strong style="color: {colour}">{html.escape(r.verdict)}</strong></td>'
            f"<td {_CELL}>{_maths(r.corrected) if r.corrected else ''}</td>"
            f"<td {_CELL}>{_evidence(r)}</td>"
            "</tr>"
        )
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    caption = ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) or "no claims"
    return (f"<table><caption>{len(results)} claims: {html.escape(caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def claims_markdown(results: Sequence[Any]) -> str:
    """The same table in Markdown (statements as inline LaTeX)."""
    lines = ["| claim | statement | verdict | correction | evidence |", "|---|---|---|---|---|"]
    for r in results:
        corrected = f"${_md(r.corrected)}$" if r.corrected else ""
        lines.append(f"| `{r.id}` | ${_md(r.statement)}$ | **{r.verdict}** | {corrected} | "
                     f"{_md(r.summary or '')} |")
    return "\n".join(lines)


class ClaimResults(list):  # type: ignore[type-arg]
    """The results of :func:`optheory.verify`: a plain ``list`` of ``ClaimResult``
    that shows as a table (statement, verdict, correction, evidence) in notebooks."""

    def _repr_html_(self) -> str:
        return claims_html(self)

    def _repr_markdown_(self) -> str:
        return claims_markdown(self)


def exercise_html(answer: Any) -> str:
    """An exercise answer: title, answer text, derived expressions, numbers."""
    parts = [f"<strong>{html.escape(answer.section)} exercise {answer.number}: "
             f"{html.escape(answer.title)}</strong>", f"<p>{html.escape(answer.answer)}</p>"]
    if answer.derivation:
        parts.append("<ul>" + "".join(f"<li>{_maths(d)}</li>" for d in answer.derivation)
                     + "</ul>")
    if answer.numbers:
        text = json.dumps(answer.numbers, default=str)
        if len(text) > 2000:
            text = text[:2000] + " ..."
        parts.append(f"<details><summary>numbers</summary><pre>{html.escape(text)}</pre></details>")
    if answer.note:
        parts.append(f"<p><em>{html.escape(answer.note)}</em></p>")
    return "<div>" + "".join(parts) + "</div>"
