"""The explorer page in a real browser: Chromium driven by Playwright.

Every value the page shows is compared with the Python API: ``spectral_radius``
(rate), ``regime`` (exact name), ``optimal_parameters`` (tuning) and ``run``
(final error on the 2-D quadratic).  Skips when Chromium or Playwright is
missing, unless OPTHEORY_REQUIRE_CHROMIUM=1 (as in CI).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pytest

from optheory import EigenQuadratic, optimal_parameters, regime, run, spectral_radius
from optheory.report.explore import DEFAULTS, RATE_GRID, START, write_explorer

CHROMIUM = "/usr/bin/chromium"
IDS = ("rate", "regime", "optimal-eta", "optimal-beta", "optimal-rate", "final-error")


def _require() -> Any:
    missing = None
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing = f"{CHROMIUM} is not installed"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = missing or "the playwright package is not installed (extra 'browser')"
    if missing:
        if os.environ.get("OPTHEORY_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"{missing} (required: OPTHEORY_REQUIRE_CHROMIUM=1)")
        pytest.skip(missing)
    return sync_playwright


@pytest.fixture(scope="module")
def explorer_file(tmp_path_factory) -> Path:
    return write_explorer(tmp_path_factory.mktemp("explorer"), [("momentum", "Momentum")])


@pytest.fixture(scope="module")
def browser_page(explorer_file):
    sync_playwright = _require()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        problems: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: requests.append(r.url))
        yield page, problems, requests
        browser.close()


def _open(page: Any, path: Path, fragment: str) -> None:
    # a fresh document each time: going to the same file with another fragment
    # would only fire hashchange
    page.goto("about:blank")
    page.goto(path.as_uri() + ("#" + fragment if fragment else ""))
    page.wait_for_function("document.getElementById('rate').textContent.length > 0")


def _shown(page: Any) -> dict[str, str]:
    return {i: page.text_content(f"#{i}") for i in IDS}


def _state(page: Any) -> dict[str, Any]:
    """The setting the page says it shows: its own URL fragment."""
    fragment = page.evaluate("window.location.hash").lstrip("#")
    out: dict[str, Any] = dict(DEFAULTS)
    for pair in fragment.split("&"):
        if pair:
            key, value = pair.split("=")
            out[key] = value if key == "method" else float(unquote(value))
    out["steps"] = int(out["steps"])
    return out


def _grid(lo: float, hi: float, n: int) -> np.ndarray:
    inner = [lo * (hi / lo) ** (k / (n - 1)) for k in range(1, n - 1)]
    return np.array([lo, *inner, hi])


def _expected(state: dict[str, Any]) -> dict[str, Any]:
    method, eta = state["method"], state["eta"]
    lo, hi, steps = state["lam_min"], state["lam_max"], state["steps"]
    beta = state["beta"] if method in ("momentum", "nesterov") else 0.0
    out: dict[str, Any] = {}
    if method != "rmsprop":
        lams = _grid(lo, hi, RATE_GRID)
        rho = spectral_radius(method, eta, lams, beta)
        k = int(np.argmax(rho))
        out["rate"] = float(rho[k])
        # the regime of the slowest component; None when another eigenvalue
        # is within rounding of being the slowest (then the page may pick it)
        near = np.flatnonzero(rho >= rho[k] * (1 - 1e-12))
        names = {regime(eta, float(lams[i]), beta) for i in near} if method == "momentum" else set()
        out["regime"] = names.pop() if len(names) == 1 else None
        out["optimal"] = optimal_parameters(method, lo, hi)
    hyper = {"eta": eta}
    if method in ("momentum", "nesterov"):
        hyper["beta"] = beta
    if method == "rmsprop":
        hyper["gamma"] = state["gamma"]
    problem = EigenQuadratic([lo, hi], basis=np.eye(2))
    traj = run(method, problem, START, steps, **hyper)
    out["diverged_at"] = traj.diverged_at
    out["final_error"] = float(np.hypot(*traj.x[-1])) if traj.diverged_at is None else None
    return out


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


def _check(page: Any, *, rate_tol: float = 1e-12, regimes: bool = True) -> dict[str, Any]:
    state = _state(page)
    shown = _shown(page)
    want = _expected(state)
    where = f"at #{page.evaluate('window.location.hash')}"
    if state["method"] == "rmsprop":
        assert shown["rate"].startswith("n/a") and shown["optimal-eta"] == "n/a", where
    else:
        # the rate and the tuning are closed forms: equal to the Python API up to rounding
        assert _rel(float(shown["rate"]), want["rate"]) < rate_tol, (where, shown, want)
        opt = want["optimal"]
        assert _rel(float(shown["optimal-eta"]), opt["eta"]) < 1e-12, (where, shown, opt)
        assert _rel(float(shown["optimal-rate"]), opt["rate"]) < 1e-12, (where, shown, opt)
        if state["method"] == "gd":
            assert float(shown["optimal-beta"]) == 0.0
        else:
            assert _rel(float(shown["optimal-beta"]), opt["beta"]) < 1e-12, (where, shown, opt)
        if state["method"] == "momentum" and want["regime"] is not None and regimes:
            assert shown["regime"] == want["regime"], (where, shown, want)
        elif state["method"] != "momentum":
            assert shown["regime"].startswith("n/a"), where
    if want["diverged_at"] is not None:
        assert shown["final-error"] == f"diverged at step {want['diverged_at']}", (where, shown)
    else:
        # The page and run() apply the same update with the same operations up to
        # their order, so each step's rounding (1e-16 relative) differs; over at most
        # a few hundred steps of a linear (or contracting adaptive) iteration this
        # stays far below 1e-9 relative.
        assert _rel(float(shown["final-error"]), want["final_error"]) < 1e-9, (where, shown, want)
    return state


FRAGMENTS = [
    "",  # the defaults: textbook quadratic, eta = 0.6, beta = 0.5
    "method=momentum&eta=0.5&beta=0.9&lam_min=1&lam_max=100&steps=200",
    "method=momentum&eta=0.02&beta=0.9&lam_min=1&lam_max=100&steps=300",
    "method=momentum&eta=0.03&beta=0.3&lam_min=1&lam_max=100&steps=150",
    "method=momentum&eta=0.9&beta=0.05&lam_min=0.2&lam_max=4&steps=60",
    "method=momentum&eta=0.15&beta=0.7&lam_min=0.5&lam_max=50&steps=100",
    "method=momentum&eta=0.4&beta=0.6&lam_min=2&lam_max=3&steps=40",
    "method=gd&eta=0.4&lam_min=0.2&lam_max=4&steps=20",
    "method=gd&eta=0.015&lam_min=1&lam_max=100&steps=400",
    "method=gd&eta=0.6&lam_min=0.2&lam_max=4&steps=80",
    "method=nesterov&eta=0.01&beta=0.8&lam_min=1&lam_max=100&steps=200",
    "method=nesterov&eta=0.3&beta=0.5&lam_min=0.2&lam_max=4&steps=100",
    "method=nesterov&eta=0.05&beta=0.95&lam_min=0.5&lam_max=50&steps=250",
    "method=rmsprop&eta=0.05&gamma=0.9&lam_min=0.2&lam_max=4&steps=100",
    "method=rmsprop&eta=0.01&gamma=0.99&lam_min=1&lam_max=100&steps=200",
]


def test_fragment_settings_match_the_python_api(explorer_file, browser_page):
    page, problems, _ = browser_page
    seen = set()
    for fragment in FRAGMENTS:
        _open(page, explorer_file, fragment)
        assert page.is_hidden("#note"), (fragment, page.text_content("#note"))
        state = _check(page)
        for key, value in (p.split("=") for p in fragment.split("&") if p):
            assert str(state[key]) == value or float(state[key]) == float(value), (key, state)
        seen.add(state["method"])
    assert seen == {"gd", "momentum", "nesterov", "rmsprop"}
    assert not problems, problems


def test_moving_the_controls(explorer_file, browser_page):
    page, problems, _ = browser_page
    _open(page, explorer_file, "")
    moves = [
        ("fill", "#eta", "0.05"),
        ("fill", "#beta-slider", "0.85"),
        ("fill", "#lam-max", "60"),
        ("fill", "#lam-min", "0.6"),
        ("fill", "#eta-slider", "-1.3"),
        ("select", "#method", "nesterov"),
        ("fill", "#steps", "250"),
        ("fill", "#beta", "0.72"),
        ("select", "#method", "gd"),
        ("fill", "#lam-max-slider", "1.5"),
        ("select", "#method", "rmsprop"),
        ("fill", "#beta-slider", "0.95"),
        ("select", "#method", "momentum"),
    ]
    for action, selector, value in moves:
        if action == "select":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
            page.dispatch_event(selector, "change")
        state = _check(page)
        if selector == "#method":
            assert state["method"] == value
        elif selector in ("#eta", "#lam-max", "#lam-min", "#steps"):
            key = selector[1:].replace("-", "_")
            assert state[key] == float(value), (selector, state)
    assert not problems, problems


def test_snap_to_optimum(explorer_file, browser_page):
    page, problems, _ = browser_page
    for method, lo, hi in (("momentum", 1, 100), ("nesterov", 0.2, 4), ("gd", 0.5, 50)):
        extra = "&beta=0.5" if method != "gd" else ""
        _open(page, explorer_file, f"method={method}&eta=0.01{extra}&lam_min={lo}&lam_max={hi}")
        page.click("#snap")
        state = _state(page)
        opt = optimal_parameters(method, float(lo), float(hi))
        assert _rel(state["eta"], opt["eta"]) < 1e-12
        if method != "gd":
            assert _rel(state["beta"], opt["beta"]) < 1e-12
        # At the optimum the smallest eigenvalue sits on a double root, where
        # the spectral radius is |h| + sqrt(h^2 - p) with h^2 - p of rounding
        # size (1e-16): both evaluations carry errors of order sqrt(1e-16) = 1e-8.
        # Both ends then lie on regime boundaries (double roots), which rounding
        # decides either way: the regime is not compared here.
        _check(page, rate_tol=1e-7, regimes=False)
        assert _rel(float(page.text_content("#rate")), opt["rate"]) < 1e-7
    assert not problems, problems


BAD = [
    ("eta=-1", "eta"),
    ("eta=1e400", "eta"),
    ("eta=abc&beta=0.5", "eta"),
    ("method=adam", "adam"),
    ("beta=1", "beta"),
    ("steps=2.5", "steps"),
    ("steps=0", "steps"),
    ("lam_min=0", "lam_min"),
    ("lam_min=5&lam_max=2", "lam_min"),
    ("lam_min=1e-7&lam_max=1e6", "lam_max / lam_min"),
    ("%E0%A4%A", "not a valid"),
    ("colour=blue", "colour"),
    ("method=gd&eta=NaN", "eta"),
]


@pytest.mark.parametrize(("fragment", "mentions"), BAD)
def test_bad_fragments_fall_back_with_a_note(explorer_file, browser_page, fragment, mentions):
    page, problems, _ = browser_page
    _open(page, explorer_file, fragment)
    note = page.text_content("#note")
    assert page.is_visible("#note") and mentions in note, note
    state = _state(page)
    for key in ("eta", "lam_min", "lam_max", "steps"):
        given = dict(p.split("=", 1) for p in fragment.split("&") if "=" in p)
        if key in given and key in note:
            assert state[key] == DEFAULTS[key], (key, state)
    _check(page)
    assert not problems, problems


def test_self_contained(explorer_file, browser_page):
    page, _, requests = browser_page
    _open(page, explorer_file, "")
    assert requests and all(u.startswith(("file:", "about:", "data:")) for u in requests), requests
    text = explorer_file.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text


def test_views_are_drawn(explorer_file, browser_page):
    """Each canvas holds a picture: many distinct colours, not a blank or flat fill."""
    page, problems, _ = browser_page
    _open(page, explorer_file, "method=momentum&eta=0.03&beta=0.6&lam_min=1&lam_max=100")
    for canvas in ("plane", "components", "trajectory"):
        colours = page.evaluate(
            """(id) => { const c = document.getElementById(id);
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 const seen = new Set();
                 for (let i = 0; i < d.length; i += 4 * 7) seen.add(d[i] + ',' + d[i+1] + ',' + d[i+2]);
                 return seen.size; }""",
            canvas,
        )
        assert colours > 20, (canvas, colours)
    assert math.isfinite(float(page.text_content("#rate")))
    assert not problems, problems


def test_notebook_embedding_runs_in_its_iframe(tmp_path, browser_page):
    """ot.explore(...) shows the page in an iframe (srcdoc) opening at its setting."""
    import optheory as ot

    page, problems, _ = browser_page
    view = ot.explore("nesterov", eta=0.01, beta=0.8, lam_min=1, lam_max=100, steps=200)
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body>{view._repr_html_()}</body></html>",
                    encoding="utf-8")
    page.goto("about:blank")
    page.goto(host.as_uri())
    frame = page.frame_locator("iframe")
    rate = frame.locator("#rate")
    rate.wait_for()
    want = _expected({**DEFAULTS, "method": "nesterov", "eta": 0.01, "beta": 0.8,
                      "lam_min": 1.0, "lam_max": 100.0, "steps": 200})
    assert _rel(float(rate.text_content()), want["rate"]) < 1e-12
    assert _rel(float(frame.locator("#final-error").text_content()), want["final_error"]) < 1e-9
    # moving a control inside the embedded page works too (no address to update there)
    frame.locator("#eta").fill("0.012")
    frame.locator("#eta").dispatch_event("change")
    moved = _expected({**DEFAULTS, "method": "nesterov", "eta": 0.012, "beta": 0.8,
                       "lam_min": 1.0, "lam_max": 100.0, "steps": 200})
    assert _rel(float(rate.text_content()), moved["rate"]) < 1e-12
    assert not problems, problems
