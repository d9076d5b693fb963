"""build_report: layout, determinism, self-containment, atomic replacement, errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sympy as sp

from optheory.report import Page, Text, build, build_report, register_topic
from optheory.report.command import main

HERE = Path(__file__).parent


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith((".tmp-", ".old-")))


class _Visible(HTMLParser):
    """Text a reader sees as prose: everything outside <math>, <svg>, <style>, <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.text: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name == "id":
                self.ids.append(value)
            if name in ("href", "src", "xlink:href"):
                self.links.append(value)
        if tag in ("math", "svg", "style", "title"):
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("math", "svg", "style", "title"):
            self.depth -= 1

    def handle_endtag(self, tag):
        if tag in ("math", "svg", "style", "title"):
            self.depth -= 1

    def handle_data(self, data):
        if self.depth == 0:
            self.text.append(data)


def _parse(html: str) -> _Visible:
    parser = _Visible()
    parser.feed(html)
    return parser


@pytest.fixture
def fast_registry(demo_page):
    return {"quadratics": lambda: demo_page}


def test_layout_and_markdown_links(tmp_path, fast_registry, demo_page):
    out = build_report(tmp_path / "reports", registry=fast_registry, progress=False)
    assert out == (tmp_path / "reports").absolute()
    assert sorted(_snapshot(out)) == [
        "explore.html",
        "figures/quadratics-contour.svg",
        "figures/quadratics-rates.svg",
        "index.html",
        "index.md",
        "quadratics.html",
        "quadratics.md",
    ]
    md = (out / "quadratics.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\(([^)]+)\)", md):
        assert (out / link).is_file(), link  # every relative link resolves
    # derivation steps appear as display LaTeX taken from sympy
    eta, lam, x = sp.symbols("eta lambda x_t", positive=True)
    assert "$$\nx_{t+1} = " + sp.latex(sp.expand(x - eta * lam * x)) + "\n$$" in md
    assert "| edge of stability $\\eta\\lambda$ | $2$ | 1.95 | 0.051 | pass |" in md
    assert "**FAIL**" in md
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "[Quadratics](quadratics.md)" in index and "| 2 | 1 / 2 |" in index
    assert _leftovers(out) == []


def test_html_is_self_contained_and_typeset(tmp_path, fast_registry, demo_page):
    out = build_report(tmp_path / "reports", registry=fast_registry, progress=False)
    html = (out / "quadratics.html").read_text(encoding="utf-8")
    page = _parse(html)
    assert "script" not in page.tags and "<script" not in html.lower()
    assert "iframe" not in page.tags and "link" not in page.tags
    # links: the other pages, in-document references and embedded data only
    for link in page.links:
        assert link.endswith(".html") or link.startswith(("#", "data:image/png;base64,")), link
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "Content-Security-Policy" in html
    # figures inline as SVG, one per figure block, and every id unique on the page
    assert html.count("<svg ") == len(demo_page.figures()) == 2
    assert len(page.ids) == len(set(page.ids))
    # every Math block, inline $...$ and InlineMath cell became MathML
    assert html.count('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"') == 3
    assert html.count('display="inline"') >= 5
    visible = "".join(page.text)
    assert not re.search(r"\\[A-Za-z]+", visible), "raw LaTeX outside <math>"
    assert "$" not in visible
    assert 'class="pass">pass<' in html and 'class="fail">FAIL<' in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="quadratics.html">Quadratics</a>' in index
    assert not re.search(r"\\[A-Za-z]+", "".join(_parse(index).text))


_SECOND_RUN = """
import sys
sys.path.insert(0, {here!r})
import conftest
from optheory.report import build_report
build_report({out!r}, registry={{"quadratics": conftest.quadratics_page}}, progress=False)
"""


def test_two_runs_are_byte_identical(tmp_path, demo_registry):
    first = _snapshot(build_report(tmp_path / "one", registry=demo_registry, progress=False))
    # The second run is a separate interpreter: process-level randomness (matplotlib's
    # SVG id salt, hash seeds) must not leak into the output.
    code = _SECOND_RUN.format(here=str(HERE), out=str(tmp_path / "two"))
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ,
                   "PYTHONHASHSEED": "12345"})
    second = _snapshot(tmp_path / "two")
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name
    # and rebuilding over an existing report replaces it with the same bytes
    again = _snapshot(build_report(tmp_path / "one", registry=demo_registry, progress=False))
    assert again == first


def test_failing_builder_leaves_previous_report(tmp_path, fast_registry):
    out = build_report(tmp_path / "reports", registry=fast_registry, progress=False)
    before = _snapshot(out)

    def broken() -> Page:
        raise RuntimeError("derivation failed half-way")

    registry = {**fast_registry, "momentum": broken}
    with pytest.raises(RuntimeError, match="half-way"):
        build_report(out, registry=registry, progress=False)
    assert _snapshot(out) == before
    assert _leftovers(out) == []


@pytest.mark.parametrize(
    ("builder", "match"),
    [
        (lambda: "not a page", "must return a Page"),
        (lambda: Page("other", "Other"), "slug 'other'"),
        (lambda: Page("quadratics", "Q", (Text("fine"),), summary="ok"), None),
    ],
)
def test_builder_contract(tmp_path, builder, match):
    out = tmp_path / "reports"
    if match is None:
        build_report(out, registry={"quadratics": builder}, progress=False)
        assert "none" in (out / "index.md").read_text()  # a page without checks says so
        return
    with pytest.raises(ValueError, match=match):
        build_report(out, registry={"quadratics": builder}, progress=False)
    assert not out.exists() and _leftovers(out) == []


def test_unknown_topic_lists_valid_names(tmp_path, fast_registry):
    with pytest.raises(ValueError, match=r"unknown topic 'nope'; choose one of: quadratics"):
        build_report(tmp_path / "r", ["nope"], registry=fast_registry)
    with pytest.raises(ValueError, match="no topics are registered"):
        build_report(tmp_path / "r", ["nope"], registry={})
    assert list(tmp_path.iterdir()) == []


def test_topic_selection_keeps_registry_order(tmp_path):
    registry = {name: (lambda n=name: Page(n, n.title())) for name in ("b", "a", "c")}
    assert build.select_topics(None, registry) == ["b", "a", "c"]
    assert build.select_topics(["c", "b", "c"], registry) == ["b", "c"]
    assert build.select_topics("a", registry) == ["a"]
    out = build_report(tmp_path / "r", ["c", "a"], registry=registry, progress=False)
    assert sorted(p.name for p in out.glob("*.md")) == ["a.md", "c.md", "index.md"]
    index = (out / "index.md").read_text()
    assert index.index("[A](a.md)") < index.index("[C](c.md)")


def test_unwritable_output_is_one_line_error(tmp_path, fast_registry):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    calls = []
    registry = {"quadratics": lambda: calls.append(1) or fast_registry["quadratics"]()}
    with pytest.raises(ValueError, match="cannot write") as info:
        build_report(blocker / "reports", registry=registry, progress=False)
    assert "\n" not in str(info.value)
    assert calls == []  # nothing was derived for an output that cannot be written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_empty_registry_gives_index_only(tmp_path):
    out = build_report(tmp_path / "r", registry={}, progress=False)
    assert sorted(_snapshot(out)) == ["explore.html", "index.html", "index.md"]
    assert "No topics were selected." in (out / "index.html").read_text()


def test_progress_only_when_asked_or_on_a_terminal(tmp_path, fast_registry, capsys):
    build_report(tmp_path / "r", registry=fast_registry)  # stderr is not a terminal here
    assert capsys.readouterr().err == ""
    build_report(tmp_path / "r", registry=fast_registry, progress=True)
    assert "step" in capsys.readouterr().err


def test_register_topic(monkeypatch, demo_page):
    monkeypatch.setattr(build, "TOPICS", {})
    register_topic("quadratics", lambda: demo_page)
    assert list(build.TOPICS) == ["quadratics"]
    with pytest.raises(ValueError, match="already registered"):
        register_topic("quadratics", lambda: demo_page)
    register_topic("quadratics", lambda: demo_page, replace=True)
    with pytest.raises(ValueError, match="Page.slug"):
        register_topic("Bad Name", lambda: demo_page)
    with pytest.raises(ValueError, match="callable"):
        register_topic("x", "not callable")  # type: ignore[arg-type]


def test_command_main(tmp_path, monkeypatch, demo_page, capsys):
    monkeypatch.setattr(build, "TOPICS", {"quadratics": lambda: demo_page})
    monkeypatch.setattr("optheory.report.command.TOPICS", build.TOPICS)
    out = tmp_path / "out"
    assert main(["--out", str(out), "--topic", "quadratics"]) == 0
    assert capsys.readouterr().out.strip() == str(out.absolute() / "index.html")
    assert (out / "quadratics.html").is_file()
    assert main(["--out", str(out), "--topic", "quadratics", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown topic 'nope'" in err
    assert (out / "quadratics.html").is_file()  # the previous report survives


def test_import_report_does_not_import_matplotlib():
    code = (
        "import sys, optheory.report; "
        "assert 'matplotlib' not in sys.modules and 'tqdm' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_refuses_to_replace_a_folder_that_is_not_a_report(tmp_path, fast_registry, monkeypatch):
    precious = tmp_path / "project"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="holds no report") as info:
        build_report(precious, registry=fast_registry, progress=False)
    assert "\n" not in str(info.value)
    assert (precious / "notes.txt").read_text() == "keep me"
    monkeypatch.chdir(precious)
    for out in (".", str(tmp_path)):
        with pytest.raises(ValueError, match="contains the current directory"):
            build_report(out, registry=fast_registry, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]
    # an empty folder is fine, and so is a previous report
    (tmp_path / "empty").mkdir()
    build_report(tmp_path / "empty", registry=fast_registry, progress=False)
    build_report(tmp_path / "empty", registry=fast_registry, progress=False)
