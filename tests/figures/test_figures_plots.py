"""The figure functions: Figure objects, axes and line counts, bad shapes, no pyplot state."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from optheory import figures as F


@pytest.fixture(autouse=True)
def _no_pyplot_figures():
    """Every figure function must leave pyplot's global figure registry empty."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before == []


def _line_labels(fig: Figure, axis: int = 0) -> list[str]:
    return [line.get_label() for line in fig.axes[axis].get_lines()]


def _plane_data():
    eta_lam = np.linspace(0.01, 4.0, 40)
    beta = np.linspace(0.0, 0.99, 30)
    # Spectral radius of heavy ball's 2x2 iteration matrix, computed numerically.
    rho = np.empty((beta.size, eta_lam.size))
    for i, b in enumerate(beta):
        for j, h in enumerate(eta_lam):
            rho[i, j] = max(abs(np.roots([1.0, -(1.0 + b - h), b])))
    return eta_lam, beta, rho


def test_stability_plane_structure():
    eta_lam, beta, rho = _plane_data()
    edge = (2 * (1 + beta), beta)
    crit = ((1 - np.sqrt(beta)) ** 2, beta)
    fig = F.stability_plane(eta_lam, beta, rho, {"stability boundary": edge, "critical": crit},
                            title="heavy ball")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2  # the plane and its colour bar
    assert _line_labels(fig) == ["stability boundary", "critical"]
    ax = fig.axes[0]
    assert ax.get_xlim() == (eta_lam.min(), eta_lam.max())
    assert ax.get_title() == "heavy ball"
    # The measured rho = 1 contour is drawn because rho crosses 1 on this grid.
    assert any(type(c).__name__ == "QuadContourSet" for c in ax.collections)


def test_stability_plane_without_crossing_draws_no_contour():
    eta_lam, beta, rho = _plane_data()
    fig = F.stability_plane(eta_lam, beta, np.full_like(rho, 0.5), {"b": (eta_lam, eta_lam)})
    assert not any(type(c).__name__ == "QuadContourSet" for c in fig.axes[0].collections)


@pytest.mark.parametrize(
    ("rho_shape", "boundaries", "match"),
    [
        ((40, 30), {"b": ([0, 1], [0, 1])}, "shape"),
        ((30, 40), {}, "non-empty dict"),
        ((30, 40), {"b": ([0, 1], [0, 1, 2])}, "entries to match"),
        ((30, 40), {"b": [0, 1, 2]}, "pair"),
    ],
)
def test_stability_plane_rejects_bad_input(rho_shape, boundaries, match):
    eta_lam, beta, _ = _plane_data()
    with pytest.raises(ValueError, match=match) as info:
        F.stability_plane(eta_lam, beta, np.ones(rho_shape), boundaries)
    assert "\n" not in str(info.value)


def test_stability_plane_greys_nan_and_rejects_no_finite_value():
    eta_lam, beta, rho = _plane_data()
    rho[0, 0] = np.nan
    fig = F.stability_plane(eta_lam, beta, rho)
    mesh = fig.axes[0].collections[0]
    assert np.ma.getmaskarray(mesh.get_array()).sum() == 1  # the NaN cell, drawn grey
    with pytest.raises(ValueError, match="finite"):
        F.stability_plane(eta_lam, beta, np.full_like(rho, np.nan), {"b": ([0, 1], [0, 1])})


def test_rate_curves_with_reference():
    x = np.linspace(0, 2, 21)
    fig = F.rate_curves(x, {"GD": np.abs(1 - x), "momentum": np.sqrt(0.5) + 0 * x}, reference=1.0)
    assert len(fig.axes) == 1
    # two curves + the reference line
    assert len(fig.axes[0].get_lines()) == 3
    assert _line_labels(fig)[:2] == ["GD", "momentum"]
    with pytest.raises(ValueError, match="21 entries"):
        F.rate_curves(x, {"GD": x[:-1]})


def test_textbook_grid_and_contour_trajectories():
    x1, x2, f = F.textbook_contour_grid(lambda a, b: 0.1 * a**2 + 2 * b**2)
    # arange(-5.5, 1.0, 0.1) has 65 points, arange(-3.0, 1.0, 0.1) has 40.
    assert x1.shape == x2.shape == f.shape == (40, 65)
    assert x1[0, 0] == -5.5 and x2[0, 0] == -3.0
    np.testing.assert_allclose(f, 0.1 * x1**2 + 2 * x2**2)
    path = np.array([[-5.0, -2.0], [-4.0, -1.0], [-3.0, -0.5]])
    fig = F.contour_trajectories((x1, x2, f), {"GD": path, "momentum": path * 0.5}, "demo")
    assert len(fig.axes) == 1
    assert _line_labels(fig) == ["GD", "momentum"]
    np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_xdata(), path[:, 0])
    assert fig.axes[0].get_title() == "demo"
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        F.contour_trajectories((x1, x2, f), {"GD": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="one shape"):
        F.contour_trajectories((x1, x2, f[:, :-1]), {"GD": path})
    with pytest.raises(ValueError, match="constant"):
        F.contour_trajectories((x1, x2, np.zeros_like(f)), {"GD": path})
    with pytest.raises(ValueError, match="shape"):
        F.textbook_contour_grid(lambda a, b: 1.0)


def test_weight_and_bias_correction_curves():
    t = np.arange(10.0)
    fig = F.weight_curves(t, {"beta = 0.5": 0.5**t, "beta = 0.9": 0.9**t})
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 2
    fig = F.bias_correction_curves(t, {"raw": 1 - 0.9 ** (t + 1), "corrected": 1 + 0 * t},
                                   reference=1.0)
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 3
    fig = F.bias_correction_curves(t, {"raw": t})
    assert len(fig.axes[0].get_lines()) == 1
    with pytest.raises(ValueError, match="labels must be strings"):
        F.weight_curves(t, {0.5: t})


def test_ode_vs_discrete():
    t = np.arange(0, 2, 0.25)
    tc = np.linspace(0, 2, 81)
    fig = F.ode_vs_discrete(t, {"GD": 0.75**np.arange(t.size)}, {"gradient flow": np.exp(-tc)},
                            t_continuous=tc)
    lines = fig.axes[0].get_lines()
    assert len(fig.axes) == 1 and len(lines) == 2
    # continuous solution drawn as a line, iterates as markers only
    assert lines[0].get_linestyle() == "-" and lines[1].get_linestyle() == "None"
    assert lines[0].get_color() == lines[1].get_color()
    with pytest.raises(ValueError, match="81 entries"):
        F.ode_vs_discrete(t, {"GD": t}, {"flow": tc[:-1]}, t_continuous=tc)


def test_convergence_order_fits_intercept_for_given_slope():
    h = np.array([0.1, 0.05, 0.025, 0.0125])
    e = 3.0 * h**2
    fig = F.convergence_order(h, e, 2.0)
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    points, fit = ax.get_lines()
    # For exact power-law data the fitted line must pass through the points:
    # its intercept is mean(log e - p log h) = log 3 exactly (up to rounding).
    xf, yf = fit.get_xydata().T
    np.testing.assert_allclose(yf, 3.0 * xf**2, rtol=1e-12)
    assert "slope 2" in fit.get_label()
    with pytest.raises(ValueError, match="> 0"):
        F.convergence_order(h, -e, 2.0)
    with pytest.raises(ValueError, match="fitted_slope"):
        F.convergence_order(h, e, float("nan"))


def test_reddi_counterexample_and_loss_curves():
    t = np.arange(1.0, 31.0)
    fig = F.reddi_counterexample(t, np.linspace(0, 1, 30), np.linspace(0, -1, 30))
    assert _line_labels(fig) == ["Adam", "AMSGrad", "optimum"]
    assert fig.axes[0].get_lines()[2].get_ydata()[0] == -1.0
    diverged = np.array([1.0, 0.5, np.inf, np.nan, 0.0, 0.1])
    fig = F.loss_curves(np.arange(6.0), {"sgd": diverged, "adam": np.geomspace(1, 1e-3, 6)})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2
    # non-positive and non-finite losses are blanked, not plotted
    assert np.isnan(ax.get_lines()[0].get_ydata()[2:5]).all()
    with pytest.raises(ValueError, match="finite value > 0"):
        F.loss_curves(np.arange(3.0), {"bad": [0.0, -1.0, np.nan]})


def test_importing_optheory_does_not_import_matplotlib():
    code = "import sys, optheory; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
