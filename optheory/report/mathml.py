"""LaTeX to MathML, checked so that only well-formed MathML reaches a page.

``latex2mathml`` passes unknown commands through as text (``<mi>\\foo</mi>``)
and copies ``\\text{...}`` verbatim, markup included. The result is therefore
parsed as XML and every element must be a MathML element and no text may
hold a LaTeX command; anything else is refused with a one-line ValueError.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET

__all__ = ["latex_to_mathml"]

_NS = "{http://www.w3.org/1998/Math/MathML}"
_MATHML_TAGS = frozenset(
    """math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mtable mtr
    mtd mlabeledtr mover munder munderover mstyle mpadded mphantom menclose merror
    mmultiscripts mprescripts none semantics annotation maligngroup malignmark""".split()
)
_COMMAND = re.compile(r"\\[A-Za-z]+")


@functools.lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: str = "inline") -> str:
    r"""Convert bare LaTeX to a ``<math>`` element.

    Parameters
    ----------
    latex
        The formula, e.g. ``sympy.latex(expr)`` (no ``$``).
    display
        ``"inline"`` or ``"block"``.

    Returns
    -------
    str
        The MathML element (one line).

    Raises
    ------
    ValueError
        If the LaTeX cannot be converted, uses a command the converter does not
        know, or would produce anything but MathML.
    """
    if display not in ("inline", "block"):
        raise ValueError(f"display must be 'inline' or 'block', got {display!r}")
    from latex2mathml.converter import convert

    short = latex if len(latex) <= 60 else latex[:57] + "..."
    try:
        mathml = convert(latex, display=display)
    except Exception as exc:  # the converter raises many unrelated types
        raise ValueError(
            f"cannot convert LaTeX {short!r} to MathML ({type(exc).__name__}); simplify the formula"
        ) from None
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError:
        raise ValueError(
            f"LaTeX {short!r} gives malformed MathML (markup or '&' in text?); rewrite it"
        ) from None
    for element in root.iter():
        tag = element.tag
        if not (isinstance(tag, str) and tag.startswith(_NS) and tag[len(_NS) :] in _MATHML_TAGS):
            raise ValueError(f"LaTeX {short!r} gives the non-MathML element {tag!r}; rewrite it")
        for text in (element.text, element.tail):
            stray = _COMMAND.search(text) if text else None
            if stray:
                raise ValueError(
                    f"LaTeX {short!r} uses {stray.group(0)}, "
                    "which the MathML converter does not know; rewrite it"
                )
    return mathml
