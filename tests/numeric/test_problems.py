"""EigenQuadratic on numpy and torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optheory.numeric.problems import EigenQuadratic, textbook_2d, textbook_2d_rotated
from tests.conftest import cuda_available, require_torch


def test_textbook_2d_matches_hand_formula() -> None:
    p = textbook_2d()
    x = np.array([[-5.0, -2.0], [1.5, 0.25]])
    np.testing.assert_array_equal(p.grad(x), np.stack([0.2 * x[:, 0], 4 * x[:, 1]], -1))
    np.testing.assert_allclose(p.f(x), 0.1 * x[:, 0] ** 2 + 2 * x[:, 1] ** 2, rtol=1e-15)


def test_rotated_textbook_problem() -> None:
    p = textbook_2d_rotated()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 2))
    x1, x2 = x[:, 0], x[:, 1]
    np.testing.assert_allclose(p.f(x), 0.1 * (x1 + x2) ** 2 + 2 * (x1 - x2) ** 2, rtol=1e-14)
    np.testing.assert_allclose(sorted(p.eigenvalues), [0.4, 8.0], rtol=1e-14)


def test_from_matrix_minimizer() -> None:
    Q = np.array([[2.0, 1.0], [1.0, 3.0]])
    c = np.array([1.0, -1.0])
    p = EigenQuadratic.from_matrix(Q, c, 2.0)
    np.testing.assert_allclose(p.x_star, [-0.8, 0.6], rtol=1e-14)
    assert p.h_star == pytest.approx(1.3, rel=1e-14)
    # h(x) = 1/2 x^T Q x + c^T x + b equals the eigen form everywhere
    x = np.random.default_rng(0).standard_normal((10, 2))
    direct = 0.5 * np.einsum("ni,ij,nj->n", x, Q, x) + x @ c + 2.0
    np.testing.assert_allclose(p.f(x), direct, rtol=1e-13)
    np.testing.assert_allclose(p.hessian(), Q, rtol=0, atol=0)


def test_eigen_round_trip_and_decoupled_form() -> None:
    p = EigenQuadratic([0.5, 2.0, 9.0], basis="random", x_star=[1.0, -1.0, 2.0], h_star=3.0, seed=7)
    x = np.random.default_rng(3).standard_normal((4, 3))
    z = p.to_eigen(x)
    np.testing.assert_allclose(p.from_eigen(z), x, atol=1e-14)
    np.testing.assert_allclose(p.f(x), 0.5 * (z**2 * p.eigenvalues).sum(-1) + 3.0, rtol=1e-13)


def test_torch_and_numpy_agree() -> None:
    torch = require_torch()
    p = EigenQuadratic([0.1, 1.0, 30.0], basis="random", seed=2, x_star=[1.0, 2.0, 3.0])
    pt = p.with_backend("torch")
    x = np.random.default_rng(5).standard_normal((6, 3))
    xt = torch.tensor(x)
    for name in ("f", "grad", "to_eigen", "from_eigen"):
        a = getattr(p, name)(x)
        b = getattr(pt, name)(xt)
        assert isinstance(b, torch.Tensor)
        np.testing.assert_allclose(b.numpy(), a, rtol=1e-12, atol=1e-12)


@pytest.mark.skipif(not cuda_available(), reason="no CUDA GPU")
def test_cuda_agrees_with_cpu() -> None:  # pragma: no cover - needs a GPU
    torch = require_torch()
    p = EigenQuadratic([1.0, 4.0], basis="random", backend="torch", device="cuda")
    x = torch.randn(3, 2, dtype=torch.float64, device="cuda")
    q = p.with_backend("numpy")
    np.testing.assert_allclose(p.grad(x).cpu().numpy(), q.grad(x.cpu().numpy()), rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eigenvalues": [1.0, float("nan")]}, "finite"),
        ({"eigenvalues": [1.0, float("inf")]}, "finite"),
        ({"eigenvalues": [1.0, 0.0]}, "eigenvalues must be > 0"),
        ({"eigenvalues": [1.0, -2.0]}, "eigenvalues must be > 0"),
        ({"eigenvalues": []}, "non-empty"),
        ({"eigenvalues": [[1.0]]}, "1-D"),
        ({"eigenvalues": [1.0, 2.0], "basis": [[1.0, 1.0], [0.0, 1.0]]}, "orthonormal"),
        ({"eigenvalues": [1.0, 2.0], "basis": np.eye(3)}, "shape"),
        ({"eigenvalues": [1.0, 2.0], "basis": "spiral"}, "unknown basis"),
        ({"eigenvalues": [1.0, 2.0], "x_star": [1.0]}, "x_star has 1"),
        ({"eigenvalues": [1.0], "backend": "jax"}, "unknown backend"),
        ({"eigenvalues": [1.0], "device": "cuda"}, "backend='torch'"),
        ({"eigenvalues": [1.0], "device": "tpu"}, "unknown device"),
        ({"eigenvalues": [1.0], "dtype": "float16"}, "unknown dtype"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        EigenQuadratic(**kwargs)
    assert "\n" not in str(info.value)


def test_cuda_without_gpu_is_a_clear_error() -> None:
    require_torch()
    if cuda_available():  # pragma: no cover
        pytest.skip("a GPU is present")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        EigenQuadratic([1.0], backend="torch", device="cuda")


@pytest.mark.parametrize(
    ("Q", "message"),
    [
        ([[1.0, 2.0], [0.0, 1.0]], "symmetric"),
        ([[1.0, 0.0], [0.0, -1.0]], "eigenvalue -1"),
        ([[1.0, 0.0], [0.0, 0.0]], "eigenvalue 0"),
        ([[1.0, 2.0, 3.0]], "square"),
        ([[float("nan"), 0.0], [0.0, 1.0]], "finite"),
    ],
)
def test_from_matrix_bad_input(Q: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EigenQuadratic.from_matrix(Q, None)


def test_point_shape_checked() -> None:
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        textbook_2d().grad(np.zeros(3))


@st.composite
def spd_matrices(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(1, 5))
    A = draw(hnp.arrays(np.float64, (n, n), elements=st.floats(-3, 3)))
    return A.T @ A + 0.5 * np.eye(n)


@settings(max_examples=40, deadline=None)
@given(spd_matrices(), st.integers(0, 2**16))
def test_properties(Q: np.ndarray, seed: int) -> None:
    n = Q.shape[0]
    rng = np.random.default_rng(seed)
    c = rng.standard_normal(n)
    p = EigenQuadratic.from_matrix(Q, c, 1.0)
    # tolerances: eigh/solve are backward stable, errors ~ cond(Q) * eps with cond <= ~1e3 here
    scale = 1.0 + float(np.abs(p.x_star).max())
    np.testing.assert_allclose(p.grad(p.x_star), 0.0, atol=1e-9 * scale * np.abs(Q).max())
    assert p.f(p.x_star) == pytest.approx(p.h_star, abs=1e-9 * scale**2)
    x = rng.standard_normal((20, n)) * 3
    assert np.all(p.f(x) >= p.h_star - 1e-9 * scale**2)
    np.testing.assert_allclose(p.from_eigen(p.to_eigen(x)), x, atol=1e-9 * scale)
