"""Deterministic SVG export.

Matplotlib's SVG writer stamps a date and salts its element ids with a random
UUID unless told otherwise. Here the date and creator are dropped and the salt
is fixed, so the same figure always gives the same bytes.  The hashed ids
(clip paths, markers) hash the full-precision extents of what they name, which
move in the last bit from one CPU to another; they are renumbered in order of
appearance, so the bytes do not depend on the CPU either.
"""

from __future__ import annotations

import io
import re

import matplotlib
from matplotlib.figure import Figure

__all__ = ["HASH_SALT", "figure_to_svg", "inline_svg"]

HASH_SALT = "optheory"

_PROLOG = re.compile(r"\A\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_ID_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]*\Z")
# matplotlib's hashed ids: one letter and the first 10 hex digits of a SHA-256
_HASHED_ID = re.compile(r'(\bid="|href="#|url\(#)([a-z])([0-9a-f]{10})(?=[")])')


def figure_to_svg(fig: Figure) -> str:
    """Return ``fig`` as a standalone SVG document (byte-stable across runs).

    Parameters
    ----------
    fig
        The figure to export.

    Returns
    -------
    str
        The SVG document, with XML prolog; text is drawn as paths, so it does
        not depend on the fonts of the viewer.

    Raises
    ------
    ValueError
        If ``fig`` is not a :class:`matplotlib.figure.Figure`.
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": HASH_SALT, "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return _renumber_hashed_ids(buf.getvalue())


def _renumber_hashed_ids(svg: str) -> str:
    order: dict[str, str] = {}

    def rename(m: re.Match[str]) -> str:
        key = m.group(2) + m.group(3)
        if key not in order:
            order[key] = f"{m.group(2)}{len(order)}h"
        return m.group(1) + order[key]

    return _HASHED_ID.sub(rename, svg)


def inline_svg(svg: str, id_prefix: str) -> str:
    """Prepare an SVG document for inlining into an HTML page.

    The XML prolog, DOCTYPE and metadata block are removed and every element id
    (and every ``#id`` reference to it) gets ``id_prefix`` in front, so several
    figures on one page do not share ids such as ``axes_1``.

    Parameters
    ----------
    svg
        An SVG document as made by :func:`figure_to_svg`.
    id_prefix
        Letters, digits, ``_``, ``-``, starting with a letter.

    Returns
    -------
    str
        The ``<svg>...</svg>`` element.

    Raises
    ------
    ValueError
        If ``id_prefix`` is not a valid id start or ``svg`` has no ``<svg`` root.
    """
    if not _ID_NAME.match(id_prefix):
        raise ValueError(
            f"id_prefix must start with a letter and use letters, digits, _ or -, got {id_prefix!r}"
        )
    body = _METADATA.sub("", _PROLOG.sub("", svg, count=1), count=1)
    if not body.lstrip().startswith("<svg"):
        raise ValueError("svg must be an SVG document with an <svg> root element")
    ids = set(_ID.findall(body))
    if not ids:
        return body.strip() + "\n"
    names = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    # An id attribute, an href="#id" or a url(#id): the closing quote/paren makes
    # the match exact, so "#cccccc" colours or "axes_10" vs "axes_1" cannot clash.
    pattern = re.compile(rf'(\bid="|href="#|url\(#)({names})(?=[")])')
    return pattern.sub(lambda m: f"{m.group(1)}{id_prefix}{m.group(2)}", body).strip() + "\n"
