"""The HTML report as a real browser shows it (headless Chromium screenshots).

Skips when Chromium is missing, unless OPTHEORY_REQUIRE_CHROMIUM=1 (as in CI,
which installs the Debian packages ``chromium`` and ``chromium-driver``).
"""

from __future__ import annotations

import html
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from optheory.report import Figure, Math, Page, build_report, render_page_html

CHROMIUM = "/usr/bin/chromium"


def _require_chromium() -> str:
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    if os.environ.get("OPTHEORY_REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"{CHROMIUM} is required (OPTHEORY_REQUIRE_CHROMIUM=1) but missing")
    pytest.skip(f"{CHROMIUM} is not installed")


def _screenshot(page: Path, workdir: Path, size: tuple[int, int] = (1200, 1600)) -> np.ndarray:
    """RGB uint8 array of ``page`` as Chromium renders it."""
    from PIL import Image

    chromium = _require_chromium()
    png = workdir / f"{page.stem}.png"
    profile = workdir / f"profile-{page.stem}"
    cmd = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
        f"--user-data-dir={profile}", f"--screenshot={png}",
        f"--window-size={size[0]},{size[1]}", page.absolute().as_uri(),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert png.is_file(), f"no screenshot (rc {result.returncode}): {result.stderr[-800:]}"
    with Image.open(png) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape == (size[1], size[0], 3)
    return pixels


def _ink(pixels: np.ndarray) -> np.ndarray:
    """Mask of clearly non-background pixels."""
    return pixels.min(axis=2) < 200


def _first_block(mask: np.ndarray, start: int, gap: int = 10) -> np.ndarray:
    """Rows of ``mask`` from the first inked row at or after ``start`` up to the
    next run of ``gap`` blank rows: one visual line or formula."""
    inked = mask.any(axis=1)
    rows = np.flatnonzero(inked[start:]) + start
    assert rows.size, "nothing drawn"
    end = rows[0]
    for r in rows[1:]:
        if r - end > gap:
            break
        end = r
    return mask[rows[0] : end + 1]


def _bbox(mask: np.ndarray) -> tuple[int, int]:
    """(height, width) of the bounding box of ``mask``."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    assert rows.size and cols.size, "nothing drawn"
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def test_demo_report_shows_figures_and_maths(tmp_path, demo_page):
    out = build_report(tmp_path / "reports", registry={"quadratics": lambda: demo_page},
                       progress=False)
    pixels = _screenshot(out / "quadratics.html", tmp_path)
    ink = _ink(pixels)
    # A blank page has no ink and the title and navigation alone about 0.2 %; the
    # demo page (text, three formulas, two figures) inks about 1.8 % of the window.
    assert ink.mean() > 0.01
    # Text and MathML are near-black, so saturated pixels can only come from the
    # inline SVG figures (blue and orange curves, light-blue contours).
    spread = pixels.max(axis=2).astype(int) - pixels.min(axis=2).astype(int)
    colourful = spread > 80
    assert colourful.sum() > 3000
    height, width = _bbox(colourful)
    assert height > 300 and width > 300  # spread over figure-sized regions, not a speck
    index = _screenshot(out / "index.html", tmp_path)
    assert _ink(index).mean() > 0.005


def test_stability_plane_colours_render(tmp_path):
    from optheory.figures import figure_to_svg, inline_svg, stability_plane

    eta_lam = np.linspace(0.02, 4.0, 60)
    beta = np.linspace(0.0, 0.98, 50)
    rho = np.abs(1 - eta_lam)[None, :] * (1 - 0.5 * beta[:, None]) + 0.3 * beta[:, None]
    fig = stability_plane(eta_lam, beta, rho, {"edge": (2 * (1 + beta), beta)})
    page = Page("plane", "Plane", (Figure("plane", fig, "A coloured plane."),))
    svgs = {"plane": inline_svg(figure_to_svg(fig), "plane-plane-")}
    path = tmp_path / "plane.html"
    path.write_text(render_page_html(page, svgs), encoding="utf-8")
    pixels = _screenshot(path, tmp_path).astype(int)
    red = (pixels[..., 0] - pixels[..., 2] > 60).sum()
    blue = (pixels[..., 2] - pixels[..., 0] > 60).sum()
    # the colour map shows both convergent (blue) and divergent (red) cells
    assert red > 5000 and blue > 5000
    region = pixels[_ink(pixels.astype(np.uint8))]
    assert region.std(axis=0).min() > 30  # real colour variance, not a flat fill


def test_mathml_is_typeset_not_shown_as_source(tmp_path):
    latex = r"\frac{1}{1 - \beta}"
    page = Page("frac", "Fraction", (Math(latex),))
    typeset = render_page_html(page, {})
    as_text = re.sub(r"<math .*?</math>", f"<p>{html.escape(latex)}</p>", typeset, count=1,
                     flags=re.DOTALL)
    assert as_text != typeset
    (tmp_path / "typeset.html").write_text(typeset, encoding="utf-8")
    (tmp_path / "source.html").write_text(as_text, encoding="utf-8")
    a = _screenshot(tmp_path / "typeset.html", tmp_path, (1200, 500))
    b = _screenshot(tmp_path / "source.html", tmp_path, (1200, 500))
    differ = (a != b).any(axis=2)
    rows = np.flatnonzero(differ.any(axis=1))
    assert rows.size, "the formula and its source render identically"
    # the formula (or its source): the first ink block where the two pages differ
    math_ink = _first_block(_ink(a), max(rows[0] - 3, 0))
    text_ink = _first_block(_ink(b), max(rows[0] - 3, 0))
    math_h, math_w = _bbox(math_ink)
    text_h, text_w = _bbox(text_ink)
    # A typeset fraction stacks numerator over denominator: taller than one line of
    # source text and much narrower than the 19 characters of its LaTeX.
    assert math_h > 1.5 * text_h
    assert math_w < 0.8 * text_w
    # and it has a fraction bar: one row of the formula inked across most of its width
    cols = np.flatnonzero(math_ink.any(axis=0))
    widest_row = math_ink[:, cols[0] : cols[-1] + 1].sum(axis=1).max()
    assert widest_row > 0.6 * math_w
