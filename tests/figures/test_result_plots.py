"""Plots on results: Trajectory.plot, SweepResult.plot, plot_region and the fitted map scale."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import optheory as ot
from optheory import figures as F


@pytest.fixture(autouse=True)
def _no_pyplot_figures():
    import matplotlib.pyplot as plt

    yield
    assert plt.get_fignums() == []


@pytest.fixture(scope="module")
def momentum_sweep():
    problem = ot.EigenQuadratic(np.geomspace(1.0, 100.0, 6))
    grid = {"eta": np.linspace(0.002, 0.05, 12), "beta": np.linspace(0.0, 0.9, 10)}
    return ot.sweep("momentum", problem, grid, 200)


def test_trajectory_path_plot_draws_the_iterates():
    traj = ot.train_2d("momentum", 30, eta=0.6, beta=0.5)
    fig = traj.plot()
    assert isinstance(fig, Figure)
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_array_equal(line.get_xydata(), traj.x)
    assert fig.axes[0].get_xlabel() == "$x_1$"


def test_trajectory_plot_into_existing_axes_and_loss_kind():
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure()
    ax = fig.add_subplot()
    traj = ot.train_2d("gd", 20, eta=0.4)
    assert traj.plot(ax, kind="loss") is fig
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), traj.loss)


def test_diverged_run_says_so_in_the_figure():
    # gd with eta * lam = 4 on lam = 4 multiplies x2 by -3 per step: 3^t overflows
    # float64 (1.8e308) after about 646 steps
    traj = ot.run("gd", ot.textbook_2d(), (-5.0, -2.0), 700, eta=1.0)
    assert traj.diverged_at is not None
    fig = traj.plot()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == [f"diverged at step {traj.diverged_at}"]


def test_path_needs_a_single_2d_run():
    traj = ot.run("gd", ot.EigenQuadratic([1.0, 2.0, 3.0]), [1.0, 1.0, 1.0], 5, eta=0.1)
    with pytest.raises(ValueError, match="kind='path' needs a single 2-D run") as info:
        traj.plot(kind="path")
    assert "\n" not in str(info.value)
    assert traj.plot().axes[0].get_ylabel() == "loss"


def test_sweep_map_axes_named_after_the_grid_and_scale_fitted(momentum_sweep):
    fig = momentum_sweep.plot()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "eta" and ax.get_ylabel() == "beta"
    norm = ax.collections[0].norm
    rate = momentum_sweep.closed_form_rate
    assert norm.vmin == pytest.approx(rate.min()) and norm.vmax == pytest.approx(rate.max())
    # the derived boundary rho = 1 (closed form) is drawn because the map crosses 1
    assert r"derived boundary $\rho = 1$" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_narrow_rate_map_is_not_flat():
    """A map of rates 0.82..1 spans the whole colour scale (it used to be fixed to 0..2)."""
    beta = np.linspace(0.0, 0.05, 20)
    eta_lam = np.linspace(0.02, 0.17, 30)
    rho = ot.spectral_radius("momentum", eta_lam[None, :], 1.0, beta[:, None])
    assert 0.8 < rho.min() and rho.max() < 1.0
    fig = F.stability_plane(eta_lam, beta, rho)  # no boundaries needed
    mesh = fig.axes[0].collections[0]
    colours = mesh.cmap(mesh.norm(rho))
    # the scale ends at the data's ends (rounded to 1e-12 so that colours do not change with
    # the CPU, see optheory.figures.momentum.stability_plane)
    assert mesh.norm.vmin == pytest.approx(rho.min(), abs=1e-12)
    assert mesh.norm.vmax == pytest.approx(rho.max(), abs=1e-12)
    assert np.ptp(colours[..., :3]) > 0.5  # from dark to light, not one flat colour


def test_sweep_one_axis_curve_and_bad_grids():
    problem = ot.EigenQuadratic([1.0, 10.0])
    one = ot.sweep("gd", problem, {"eta": np.linspace(0.01, 0.25, 15)}, 100)
    fig = one.plot()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "eta"
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), one.closed_form_rate)
    two = ot.sweep("momentum", problem, {"eta": [0.1, 0.2], "beta": [0.1, 0.5]}, 10)
    assert len(two.plot().axes) == 2  # a 2 x 2 map and its colour bar
    # gd with eta * lam = 300 * 10: the error grows 2999-fold per step and
    # overflows within 100 steps in every setting
    diverged = ot.sweep("gd", problem, {"eta": [300.0, 400.0]}, 200)
    assert (diverged.diverged_at >= 0).all()
    with pytest.raises(ValueError, match="nothing to plot") as info:
        diverged.plot(value="rate")
    assert "\n" not in str(info.value)


def test_sweep_with_three_parameters_is_refused():
    problem = ot.EigenQuadratic([1.0, 10.0])
    result = ot.sweep("adam", problem, {"eta": [0.1, 0.2], "beta1": [0.8, 0.9],
                                        "beta2": [0.99, 0.999]}, 10)
    with pytest.raises(ValueError, match="1 or 2 parameters; this one has 3") as info:
        result.plot()
    assert "\n" not in str(info.value)


def test_plot_region_momentum_boundary_is_where_rho_is_one():
    fig = ot.plot_region("momentum")
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert {"stability boundary", "double root", "zero root"} <= set(lines)
    u, b = lines["stability boundary"].get_xydata().T
    keep = np.isfinite(b) & (np.abs(b) < 0.99) & (u > 0.05)
    assert keep.sum() > 50
    # numeric witness: on the drawn boundary the spectral radius of the real
    # iteration is 1 (closed-form roots; 1e-9 covers rounding of the grid points)
    rho = ot.spectral_radius("momentum", u[keep], 1.0, b[keep])
    np.testing.assert_allclose(rho, 1.0, atol=1e-9)
    # the double-root curve: there the two eigenvalues coincide (radius sqrt(beta) from both)
    u2, b2 = lines["double root"].get_xydata().T
    ok = np.isfinite(b2) & (b2 > 0.05)
    np.testing.assert_allclose(ot.spectral_radius("momentum", u2[ok], 1.0, b2[ok]),
                               np.sqrt(b2[ok]), rtol=1e-6)


def test_plot_region_gd_and_nesterov_and_axes():
    from matplotlib.figure import Figure as MplFigure

    gd = ot.plot_region("gd")
    (vline,) = [ln for ln in gd.axes[0].get_lines() if "boundary" in ln.get_label()]
    assert set(vline.get_xdata()) == {2.0}
    fig = MplFigure()
    ax = fig.add_subplot()
    assert ot.plot_region("nesterov", ax) is fig
    with pytest.raises(ValueError, match="method"):
        ot.plot_region("adam")
