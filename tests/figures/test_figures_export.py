"""Deterministic SVG export and id-prefixing for inline use."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from optheory.figures import figure_to_svg, inline_svg, rate_curves, stability_plane


def _plane():
    eta_lam = np.linspace(0.1, 3.0, 12)
    beta = np.linspace(0.0, 0.9, 10)
    rho = np.abs(1 - eta_lam)[None, :] + 0.1 * beta[:, None]
    return stability_plane(eta_lam, beta, rho, {"edge": (2 * (1 + beta), beta)})


def test_svg_is_valid_and_has_no_date_or_creator():
    svg = figure_to_svg(_plane())
    root = ET.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    # the rasterized colour map is embedded, not linked
    assert "data:image/png;base64," in svg


_SCRIPT = """
import hashlib, numpy as np
from optheory.figures import figure_to_svg, stability_plane
eta_lam = np.linspace(0.1, 3.0, 12); beta = np.linspace(0.0, 0.9, 10)
rho = np.abs(1 - eta_lam)[None, :] + 0.1 * beta[:, None]
fig = stability_plane(eta_lam, beta, rho, {"edge": (2 * (1 + beta), beta)})
print(hashlib.sha256(figure_to_svg(fig).encode()).hexdigest())
"""


def test_svg_bytes_identical_across_processes():
    # Matplotlib salts SVG ids with a fresh UUID per process unless the salt is
    # fixed, so a separate interpreter is the real test of determinism.
    import hashlib

    child = subprocess.run([sys.executable, "-c", _SCRIPT], check=True, capture_output=True,
                           text=True).stdout.strip()
    here = hashlib.sha256(figure_to_svg(_plane()).encode()).hexdigest()
    assert child == here
    assert figure_to_svg(_plane()) == figure_to_svg(_plane())


def test_inline_svg_prefixes_every_id_and_reference():
    a = inline_svg(figure_to_svg(_plane()), "pa-")
    b = inline_svg(figure_to_svg(rate_curves([0, 1], {"r": [1, 0]})), "pb-")
    for body, prefix in ((a, "pa-"), (b, "pb-")):
        assert body.startswith("<svg") and "<?xml" not in body and "<metadata>" not in body
        ET.fromstring(body.encode())  # still well-formed
        ids = re.findall(r'\bid="([^"]+)"', body)
        assert ids and all(i.startswith(prefix) for i in ids)
        refs = re.findall(r'(?:href="#|url\(#)([^")]+)', body)
        assert refs and set(refs) <= set(ids)  # no dangling reference after renaming
    ids_a = set(re.findall(r'\bid="([^"]+)"', a))
    ids_b = set(re.findall(r'\bid="([^"]+)"', b))
    assert not ids_a & ids_b  # two figures on one page never share an id


def test_inline_svg_rejects_bad_prefix_and_non_svg():
    with pytest.raises(ValueError, match="id_prefix"):
        inline_svg("<svg/>", "1bad")
    with pytest.raises(ValueError, match="<svg>"):
        inline_svg("<html></html>", "ok-")
    with pytest.raises(ValueError, match="matplotlib Figure"):
        figure_to_svg("not a figure")  # type: ignore[arg-type]
