"""The report's document model: a page is a title and a list of blocks.

Topic builders return a :class:`Page`; the HTML and Markdown renderers turn it
into text. Blocks hold only finished content (strings, LaTeX from sympy,
matplotlib figures, table cells); they compute nothing.

Prose (:class:`Text`, captions, table text) is plain text with three inline
marks: ``$...$`` for inline mathematics (``\\$`` for a literal dollar),
```code``` and ``**bold**``. A paragraph whose lines all start with ``- `` is a
bullet list. A LaTeX command outside ``$...$`` is refused, so raw LaTeX can
never reach the reader.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.figure

__all__ = [
    "Block",
    "Cell",
    "Figure",
    "Heading",
    "InlineMath",
    "Math",
    "Page",
    "Table",
    "Text",
    "Verification",
    "VerificationRow",
    "check_prose",
    "format_cell",
    "split_inline",
]

_SLUG = re.compile(r"[a-z][a-z0-9_-]*\Z")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_INLINE = re.compile(r"(?<!\\)\$(?P<math>.+?)(?<!\\)\$|`(?P<code>[^`]+)`|\*\*(?P<bold>[^*]+)\*\*")


def _check_slug(what: str, value: Any) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise ValueError(
            f"{what} must be lower-case letters, digits, '_' or '-', starting with a letter, "
            f"got {value!r}"
        )
    return value


def _check_str(what: str, value: Any, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    return value


def _check_latex(what: str, value: Any) -> str:
    latex = _check_str(what, value)
    if "$" in latex.replace(r"\$", ""):
        raise ValueError(f"{what} must be bare LaTeX without $ delimiters, got {value!r}")
    return latex


def split_inline(text: str) -> list[tuple[str, str]]:
    """Split prose into ``(kind, content)`` runs, kind in text/math/code/bold.

    ``\\$`` in a text run becomes ``$``.
    """
    runs: list[tuple[str, str]] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            runs.append(("text", text[pos : match.start()].replace(r"\$", "$")))
        kind = match.lastgroup
        assert kind is not None
        runs.append((kind, match.group(kind)))
        pos = match.end()
    if pos < len(text):
        runs.append(("text", text[pos:].replace(r"\$", "$")))
    return runs


def check_prose(what: str, text: Any, *, allow_empty: bool = False) -> str:
    """Return ``text`` if it is a string with no LaTeX command outside ``$...$``.

    Raises
    ------
    ValueError
        Naming the first stray command, e.g. ``\\frac``.
    """
    out = _check_str(what, text, allow_empty=allow_empty)
    for kind, content in split_inline(out):
        if kind == "math":
            continue
        stray = _LATEX_COMMAND.search(content)
        if stray:
            raise ValueError(
                f"{what} has the LaTeX command {stray.group(0)} outside $...$; "
                "wrap the mathematics in $...$"
            )
        if kind == "text" and "$" in content.replace(r"\$", ""):
            raise ValueError(f"{what} has an unmatched $; write \\$ for a literal dollar")
    return out


@dataclass(frozen=True)
class InlineMath:
    """Inline mathematics (a table cell or a value), as bare LaTeX."""

    latex: str

    def __post_init__(self) -> None:
        _check_latex("InlineMath.latex", self.latex)

    @classmethod
    def from_sympy(cls, expr: Any) -> InlineMath:
        """LaTeX of a sympy expression (``sympy.latex``)."""
        import sympy

        return cls(sympy.latex(expr))


Cell: TypeAlias = "str | int | float | InlineMath"


def _check_cell(what: str, value: Any) -> Cell:
    if isinstance(value, InlineMath):
        return value
    if isinstance(value, str):
        return check_prose(what, value, allow_empty=True)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return value  # type: ignore[return-value]
    raise ValueError(
        f"{what} must be a string, a real number or InlineMath, got {type(value).__name__}"
    )


def format_cell(value: Cell) -> str:
    """Text of a non-math cell: numbers with 6 significant digits."""
    if isinstance(value, InlineMath):
        raise TypeError("InlineMath is rendered by the renderer, not formatted")
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return f"{float(value):.6g}"


@dataclass(frozen=True)
class Heading:
    """A section heading (level 2 or 3; the page title is level 1)."""

    text: str
    level: int = 2

    def __post_init__(self) -> None:
        check_prose("Heading.text", self.text)
        if self.level not in (2, 3):
            raise ValueError(f"Heading.level must be 2 or 3, got {self.level!r}")


@dataclass(frozen=True)
class Text:
    """Prose paragraphs separated by blank lines (see the module docstring).

    ``values`` are the computed values the prose was formatted from and
    ``inputs`` the problem's declared inputs it prints; every number of the
    text must be one of them (the number-in-text check of
    :mod:`optheory.verification.text_numbers`).  Neither is rendered.
    """

    text: str
    values: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    inputs: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        check_prose("Text.text", self.text)

    def paragraphs(self) -> list[str]:
        """The paragraphs, stripped, blank ones dropped."""
        return [p.strip() for p in re.split(r"\n\s*\n", self.text) if p.strip()]


@dataclass(frozen=True)
class Math:
    """A displayed formula: one derivation step, as bare LaTeX.

    Parameters
    ----------
    latex
        The formula (no ``$``).
    label
        Optional prose naming the step (``"characteristic polynomial"``).
    """

    latex: str
    label: str | None = None

    def __post_init__(self) -> None:
        _check_latex("Math.latex", self.latex)
        if self.label is not None:
            check_prose("Math.label", self.label)

    @classmethod
    def from_sympy(cls, expr: Any, label: str | None = None, *, lhs: str | None = None) -> Math:
        """A step showing ``lhs = expr`` (or just ``expr``) with ``sympy.latex``.

        ``expr`` may also be a ``sympy.Eq`` or any object ``sympy.latex`` prints.
        """
        import sympy

        body = sympy.latex(expr)
        return cls(f"{lhs} = {body}" if lhs else body, label)


@dataclass(frozen=True, eq=False)
class Figure:
    """A matplotlib figure with a file-safe name and a caption.

    ``name`` names the SVG file (``figures/<page>-<name>.svg``) and must be unique
    on its page.
    """

    name: str
    figure: matplotlib.figure.Figure
    caption: str

    def __post_init__(self) -> None:
        _check_slug("Figure.name", self.name)
        from matplotlib.figure import Figure as MplFigure

        if not isinstance(self.figure, MplFigure):
            raise ValueError(
                f"Figure.figure must be a matplotlib Figure, got {type(self.figure).__name__}"
            )
        check_prose("Figure.caption", self.caption)


def _rows(what: str, rows: Iterable[Sequence[Any]], width: int) -> tuple[tuple[Cell, ...], ...]:
    out = []
    for i, row in enumerate(rows):
        cells = tuple(row)
        if len(cells) != width:
            raise ValueError(f"{what} row {i} has {len(cells)} cells, expected {width}")
        out.append(tuple(_check_cell(f"{what}[{i}][{j}]", c) for j, c in enumerate(cells)))
    return tuple(out)


@dataclass(frozen=True)
class Table:
    """A plain table: column headers, rows of cells, optional caption."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str | None = None

    def __post_init__(self) -> None:
        columns = tuple(self.columns)
        if not columns:
            raise ValueError("Table.columns must name at least one column")
        for j, name in enumerate(columns):
            check_prose(f"Table.columns[{j}]", name)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", _rows("Table.rows", self.rows, len(columns)))
        if self.caption is not None:
            check_prose("Table.caption", self.caption)


@dataclass(frozen=True)
class VerificationRow:
    """One checked claim: the derived value, the measured one, and the verdict.

    Parameters
    ----------
    claim
        What is claimed (prose, may hold ``$...$``).
    derived
        The value from the symbolic derivation.
    measured
        The value from running the optimizer.
    tolerance
        The tolerance used (with its justification in the topic's code).
    verdict
        True when the measurement agrees with the derivation within tolerance.
    """

    claim: str
    derived: Cell
    measured: Cell
    tolerance: Cell
    verdict: bool

    def __post_init__(self) -> None:
        check_prose("VerificationRow.claim", self.claim)
        for name in ("derived", "measured", "tolerance"):
            _check_cell(f"VerificationRow.{name}", getattr(self, name))
        if not isinstance(self.verdict, bool):
            raise ValueError(
                f"VerificationRow.verdict must be True or False, got {self.verdict!r}"
            )


VERIFICATION_COLUMNS: tuple[str, ...] = ("claim", "derived", "measured", "tolerance", "verdict")


@dataclass(frozen=True)
class Verification:
    """The verification table of a page."""

    rows: tuple[VerificationRow, ...]
    caption: str | None = None

    def __post_init__(self) -> None:
        rows = tuple(self.rows)
        if not rows:
            raise ValueError("Verification.rows must hold at least one VerificationRow")
        for i, row in enumerate(rows):
            if not isinstance(row, VerificationRow):
                raise ValueError(
                    f"Verification.rows[{i}] must be a VerificationRow, got {type(row).__name__}"
                )
        object.__setattr__(self, "rows", rows)
        if self.caption is not None:
            check_prose("Verification.caption", self.caption)


Block: TypeAlias = "Heading | Text | Math | Figure | Table | Verification"
_BLOCK_TYPES = (Heading, Text, Math, Figure, Table, Verification)


@dataclass(frozen=True)
class Page:
    """One topic page.

    Parameters
    ----------
    slug
        File stem (``momentum`` -> ``momentum.html``, ``momentum.md``); equal to
        the topic's registered name.
    title
        Page title (prose).
    blocks
        The content, in order.
    summary
        One sentence for the index (prose, optional).
    """

    slug: str
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    summary: str = ""

    def __post_init__(self) -> None:
        _check_slug("Page.slug", self.slug)
        if self.slug == "index":
            raise ValueError("Page.slug 'index' is reserved for the report's index")
        check_prose("Page.title", self.title)
        check_prose("Page.summary", self.summary, allow_empty=True)
        blocks = tuple(self.blocks)
        names: set[str] = set()
        for i, block in enumerate(blocks):
            if not isinstance(block, _BLOCK_TYPES):
                raise ValueError(f"Page.blocks[{i}] is a {type(block).__name__}, not a block")
            if isinstance(block, Figure):
                if block.name in names:
                    raise ValueError(f"figure name {block.name!r} is used twice on page {self.slug!r}")
                names.add(block.name)
        object.__setattr__(self, "blocks", blocks)

    def figures(self) -> list[Figure]:
        """The figure blocks, in order."""
        return [b for b in self.blocks if isinstance(b, Figure)]

    def verification_rows(self) -> list[VerificationRow]:
        """All verification rows of the page, in order."""
        return [row for b in self.blocks if isinstance(b, Verification) for row in b.rows]

    def figure_path(self, block: Figure) -> str:
        """Relative path of ``block``'s SVG file in the Markdown report."""
        return f"figures/{self.slug}-{block.name}.svg"
