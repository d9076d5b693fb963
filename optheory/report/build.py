"""Build the analysis report: run the topic builders, render, swap the folder in.

Topics are registered with :func:`register_topic`; each builder returns a
:class:`~optheory.report.document.Page` whose slug is the topic's name. The
report is written to a temporary sibling of the output folder and moved into
place only when complete, so a failed or interrupted run leaves the previous
report as it was.

Output layout::

    DIR/index.html, DIR/index.md
    DIR/<topic>.html, DIR/<topic>.md     one pair per topic
    DIR/figures/<topic>-<figure>.svg     the figures, linked from the Markdown
    DIR/explore.html                     the interactive explorer (optheory.report.explore)

The HTML pages are self-contained (inline SVG, MathML); the SVG files serve
the Markdown.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from optheory._io import staged_directory
from optheory.report.document import Page
from optheory.report.explore import write_explorer
from optheory.report.render_html import render_index_html, render_page_html
from optheory.report.render_markdown import render_index_markdown, render_page_markdown

__all__ = [
    "DEFAULT_TITLE",
    "TOPICS",
    "TopicBuilder",
    "build_report",
    "register_topic",
    "select_topics",
]

TopicBuilder = Callable[[], Page]

#: Registered topics, in report order (registration order).
TOPICS: dict[str, TopicBuilder] = {}

DEFAULT_TITLE = "optheory: convergence theory of gradient optimizers"

_INTRO = (
    "Each topic derives its results symbolically from the update rule, shows the "
    "derivation steps, and checks every result against runs of the actual optimizer. "
    "The table below counts the checks that pass."
)


def register_topic(name: str, builder: TopicBuilder, *, replace: bool = False) -> None:
    """Register ``builder`` as the topic ``name`` (appended to the report order).

    Parameters
    ----------
    name
        Topic name: lower-case letters, digits, ``_``, ``-``; also the page slug
        and the value of ``optheory report --topic``.
    builder
        Zero-argument callable returning the topic's :class:`Page`.
    replace
        Allow replacing an existing registration (keeps its position).

    Raises
    ------
    ValueError
        If the name is invalid or taken (and ``replace`` is false), or the
        builder is not callable.
    """
    # Page's own slug check gives the one-line message for a bad name.
    Page(slug=name, title=name)
    if not callable(builder):
        raise ValueError(f"builder for topic {name!r} must be callable, got {builder!r}")
    if name in TOPICS and not replace:
        raise ValueError(f"topic {name!r} is already registered; pass replace=True to replace it")
    TOPICS[name] = builder


def select_topics(
    topics: Iterable[str] | None, registry: Mapping[str, TopicBuilder]
) -> list[str]:
    """Return the requested topic names in registry order, without repeats.

    ``None`` selects every registered topic.

    Raises
    ------
    ValueError
        For an unknown name, listing the valid ones.
    """
    if topics is None:
        return list(registry)
    requested = [topics] if isinstance(topics, str) else list(topics)
    for name in requested:
        if not isinstance(name, str) or name not in registry:
            valid = ", ".join(registry) or "(no topics are registered)"
            raise ValueError(f"unknown topic {name!r}; choose one of: {valid}")
    wanted = set(requested)
    return [name for name in registry if name in wanted]


def _progress_bar(total: int, enabled: bool | None) -> Any:
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, disable=not enabled, file=sys.stderr, unit="step",
                desc="report", leave=False)


def _check_replaceable(target: Path) -> None:
    """Refuse to replace a folder that is not a report (``--out .`` would wipe the cwd)."""
    cwd = Path.cwd().absolute()
    if target == cwd or target in cwd.parents:
        raise ValueError(
            f"refusing to replace {str(target)!r}: it contains the current directory; "
            "choose a separate output folder"
        )
    if target.is_dir() and any(target.iterdir()) and not (
        (target / "index.html").is_file() or (target / "index.md").is_file()
    ):
        raise ValueError(
            f"refusing to replace {str(target)!r}: it is not empty and holds no report "
            "(no index.html); choose a new or empty folder"
        )


def _write(path: Path, text: str) -> None:
    # Bytes, not text mode: no newline translation, so runs are byte-identical.
    path.write_bytes(text.encode("utf-8"))


def build_report(
    out_dir: str | os.PathLike[str] = "reports",
    topics: Iterable[str] | None = None,
    *,
    progress: bool | None = None,
    registry: Mapping[str, TopicBuilder] | None = None,
    title: str = DEFAULT_TITLE,
    on_ready: Callable[[Path], None] | None = None,
) -> Path:
    """Build the report into ``out_dir`` (replacing it atomically).

    Parameters
    ----------
    out_dir
        Output folder (default ``reports``); created if missing, replaced as a
        whole if present.
    topics
        Topic names to include (default: all registered), in any order; the
        report keeps registry order.
    progress
        Show a progress bar on stderr; ``None`` (default) shows it only when
        stderr is a terminal.
    registry
        Topic registry to use instead of :data:`TOPICS` (for tests).
    title
        Report title shown on the index.
    on_ready
        Called with the final path once every page is written, just before the
        new folder is swapped in; if it raises, the previous folder is kept
        (the command line prints the path here, so a failing stdout leaves
        nothing behind).

    Returns
    -------
    pathlib.Path
        The absolute path of ``out_dir``.

    Raises
    ------
    ValueError
        For an unknown topic, an existing non-empty ``out_dir`` that holds no
        report (no ``index.html``/``index.md``) or contains the current
        directory, a builder returning something other than a
        :class:`Page` with the topic's slug, content that cannot be rendered,
        or an output folder that cannot be written. Whatever a builder raises
        is propagated. In every case ``out_dir`` keeps its previous content and
        no temporary folder is left.
    """
    source = TOPICS if registry is None else registry
    names = select_topics(topics, source)
    target = Path(os.path.abspath(out_dir))
    _check_replaceable(target)
    # after the checks: a bad --out is refused without importing matplotlib (seconds)
    from optheory.figures import figure_to_svg, inline_svg

    bar = _progress_bar(2 * len(names) + 2, progress)
    try:
        with staged_directory(target) as staging:
            pages: list[Page] = []
            for name in names:
                bar.set_description(f"derive {name}")
                page = source[name]()
                if not isinstance(page, Page):
                    raise ValueError(
                        f"topic {name!r} must return a Page, got {type(page).__name__}"
                    )
                if page.slug != name:
                    raise ValueError(f"topic {name!r} returned a page with slug {page.slug!r}")
                pages.append(page)
                bar.update()
            nav = [(p.slug, p.title) for p in pages]
            figures_dir = staging / "figures"
            figures_dir.mkdir()
            for page in pages:
                bar.set_description(f"render {page.slug}")
                svgs: dict[str, str] = {}
                for fig in page.figures():
                    svg = figure_to_svg(fig.figure)
                    _write(staging / page.figure_path(fig), svg)
                    svgs[fig.name] = inline_svg(svg, f"{page.slug}-{fig.name}-")
                _write(staging / f"{page.slug}.html", render_page_html(page, svgs, nav))
                _write(staging / f"{page.slug}.md", render_page_markdown(page, nav))
                bar.update()
            bar.set_description("explorer")
            write_explorer(staging, nav)
            bar.set_description("index")
            _write(staging / "index.html", render_index_html(title, pages, _INTRO))
            _write(staging / "index.md", render_index_markdown(title, pages, _INTRO))
            bar.update()
            bar.set_description("finish")
            if on_ready is not None:
                on_ready(target)  # e.g. announce the path; raising here keeps the old folder
        bar.update()
    finally:
        bar.close()
    return target
