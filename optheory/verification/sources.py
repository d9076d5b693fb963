"""The documents the claims come from: a stable id and a title a reader can look up.

A claim's ``source`` is a stable id (``"textbook"``, ``"seed 003_59c5c62d60be4dbd"``)
kept across versions so that results can be compared; :func:`source_title`
gives the human-readable title shown beside it (CLI, JSON ``source_title``,
report).  Titles are descriptive: the seeds are web pages and notes whose
file names (in the project's ``shared/seeds`` folder) are content hashes.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["SOURCES", "Source", "source_title", "resolve_source"]


class Source(NamedTuple):
    """A source document.

    Attributes
    ----------
    id : str
        Stable id used by the claims.
    title : str
        What a reader can search for.
    kind : str
        What the document is.
    file : str or None
        File name in ``shared/seeds`` (None for the textbook).
    """

    id: str
    title: str
    kind: str
    file: str | None


SOURCES: dict[str, Source] = {
    s.id: s
    for s in (
        Source("textbook", 'Dive into Deep Learning (Zhang, Lipton, Li, Smola), chapter '
               '"Optimization Algorithms"', "textbook (sections as in the English edition)", None),
        Source("seed 000_2301ed2bba332f74", 'Dive into Deep Learning, Chinese edition: '
               'notebook "RMSProp算法" (RMSProp)', "Jupyter notebook of the textbook section",
               "000_2301ed2bba332f74.txt"),
        Source("seed 001_439b5f8932771f95", 'Study notes on Mu Li\'s course "动手学深度学习 v2", '
               'lecture 72 and section 11.6 "动量法" (Momentum), with exercise answers',
               "a learner's blog notes", "001_439b5f8932771f95.txt"),
        Source("seed 002_c6127514c01f65e3", 'Blog article "Adam算法" (Adam: algorithm, '
               'implementation from scratch, concise implementation)', "blog article",
               "002_c6127514c01f65e3.txt"),
        Source("seed 003_59c5c62d60be4dbd", '"你所不知道的 Pytorch 大補包(十三)" (PyTorch tips, '
               'part 13: adjusting the learning rate; RMSProp, AdaGrad), 2023-03-16',
               "blog post", "003_59c5c62d60be4dbd.txt"),
        Source("seed 004_11e1fadf9774a2ad", 'Su Jianlin, "从动力学角度看优化算法: 自适应学习率算法" '
               '(Optimization from a dynamics view: adaptive learning rates), PaperWeekly / '
               'kexue.fm', "essay", "004_11e1fadf9774a2ad.txt"),
    )
}


def source_title(source_id: str) -> str:
    """The title of a source id (the id itself when it is not listed)."""
    found = SOURCES.get(source_id)
    return found.title if found else source_id


def resolve_source(text: str, known: list[str]) -> str:
    """A source id from its id or its seed number (``"003"``, ``"seed 003"``).

    Raises
    ------
    ValueError
        No source, or more than one, matches.
    """
    if text in known:
        return text
    key = text.strip().lower().removeprefix("seed").strip()
    hits = [k for k in known if key and k.removeprefix("seed ").startswith(key)]
    if len(hits) == 1:
        return hits[0]
    listed = "; ".join(f"{k} ({source_title(k)})" for k in known)
    raise ValueError(f"unknown source {text!r}; valid sources: {listed}")
