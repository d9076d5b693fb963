"""The chapter's data set loader and its least-squares quadratic (optheory.data)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from optheory.data import (
    AIRFOIL_FILE,
    AIRFOIL_SHA1,
    AIRFOIL_URL,
    default_cache_dir,
    least_squares_quadratic,
    load_airfoil,
)
from tests.conftest import DATA_PATH

needs_file = pytest.mark.skipif(not os.path.isfile(DATA_PATH),
                                reason="airfoil_self_noise.dat is not present")

# float32 statistics over 1503 rows (numpy reduces along axis 0 row by row): the mean and
# the standard deviation carry a relative error up to about n * eps32 = 1503 * 6e-8 = 9e-5,
# which reaches the normalized values multiplied by |z| <= 5.5.  Measured: 1.8e-5.
FLOAT32_ATOL = 5e-4


@pytest.fixture(scope="module")
def airfoil() -> tuple[np.ndarray, np.ndarray]:
    if not os.path.isfile(DATA_PATH):
        pytest.skip("airfoil_self_noise.dat is not present")
    return load_airfoil(DATA_PATH)


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """Independent float64 oracle: all 1503 rows standardized with the population std."""
    if not os.path.isfile(DATA_PATH):
        pytest.skip("airfoil_self_noise.dat is not present")
    raw = np.loadtxt(DATA_PATH)
    assert raw.shape == (1503, 6)
    return (raw - raw.mean(axis=0)) / raw.std(axis=0)


def _copy(tmp: Path, name: str = AIRFOIL_FILE) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    target = tmp / name
    shutil.copyfile(DATA_PATH, target)
    return target


# ---------------------------------------------------------------- the loader
def test_shapes_and_dtype(airfoil: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = airfoil
    assert X.shape == (1500, 5) and y.shape == (1500,)
    assert X.dtype == np.float32 and y.dtype == np.float32


@needs_file
def test_bit_identical_to_the_textbook_loader(airfoil: tuple[np.ndarray, np.ndarray]) -> None:
    # the textbook's own two lines (minus the download helper), run with numpy
    data = np.genfromtxt(DATA_PATH, dtype=np.float32, delimiter="\t")
    data = (data - data.mean(axis=0)) / data.std(axis=0)
    X, y = airfoil
    np.testing.assert_array_equal(X, data[:1500, :-1])
    np.testing.assert_array_equal(y, data[:1500, -1])


def test_matches_float64_normalization(airfoil: tuple[np.ndarray, np.ndarray],
                                       reference: np.ndarray) -> None:
    X, y = airfoil
    np.testing.assert_allclose(X, reference[:1500, :5], rtol=0, atol=FLOAT32_ATOL)
    np.testing.assert_allclose(y, reference[:1500, 5], rtol=0, atol=FLOAT32_ATOL)
    X64, y64 = load_airfoil(DATA_PATH, dtype=np.float64)
    assert X64.dtype == np.float64
    # float64 throughout: only summation-order rounding separates it from the oracle
    np.testing.assert_allclose(X64, reference[:1500, :5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(y64, reference[:1500, 5], rtol=0, atol=1e-12)


def test_statistics_use_all_1503_rows(airfoil: tuple[np.ndarray, np.ndarray],
                                      reference: np.ndarray) -> None:
    Z = np.column_stack([airfoil[0], airfoil[1]]).astype(np.float64)
    means, stds = Z.mean(axis=0), Z.std(axis=0)
    # the columns sum to zero over 1503 rows, so the kept 1500 rows have mean
    # -(sum of the 3 dropped rows)/1500: up to 0.006 here, not 0 (which normalizing over 1500
    # rows would give); agreement to the float32 tolerance tells the two apart
    np.testing.assert_allclose(means, -reference[1500:].sum(axis=0) / 1500, atol=FLOAT32_ATOL)
    assert np.all(np.abs(means) < 0.01)
    # three dropped rows with |z| < 5.5 move the std by at most 3 * 5.5**2 / 1500 = 0.06;
    # the oracle gives it to the float32 tolerance
    np.testing.assert_allclose(stds, reference[:1500].std(axis=0), atol=FLOAT32_ATOL)
    assert np.all(np.abs(stds - 1) < 0.02)


def test_corrupted_copy_is_rejected(tmp_path: Path) -> None:
    if not os.path.isfile(DATA_PATH):
        pytest.skip("airfoil_self_noise.dat is not present")
    raw = bytearray(Path(DATA_PATH).read_bytes())
    raw[100] = ord("7") if raw[100] != ord("7") else ord("8")  # one digit changed
    bad = tmp_path / "airfoil_bad.dat"
    bad.write_bytes(bytes(raw))
    with pytest.raises(ValueError) as info:
        load_airfoil(bad)
    message = str(info.value)
    assert "\n" not in message
    assert str(bad) in message and AIRFOIL_SHA1 in message
    assert hashlib.sha1(bytes(raw)).hexdigest() in message


def test_missing_file_names_path_and_checksum(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / AIRFOIL_FILE
    with pytest.raises(ValueError) as info:
        load_airfoil(missing)
    message = str(info.value)
    assert "\n" not in message and str(missing) in message and AIRFOIL_SHA1 in message


def test_bad_dtype() -> None:
    for dtype in (np.int32, "complex128", "no-such-type", object, None):
        with pytest.raises(ValueError, match="dtype"):
            load_airfoil(DATA_PATH, dtype=dtype)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the cache
@needs_file
def test_cache_dir_copy_is_used(tmp_path: Path) -> None:
    _copy(tmp_path / "cache")
    X, y = load_airfoil(cache_dir=tmp_path / "cache")
    assert X.shape == (1500, 5)


@needs_file
def test_default_cache_honours_xdg_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "optheory"
    _copy(tmp_path / "xdg" / "optheory")
    assert load_airfoil()[0].shape == (1500, 5)
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "optheory"


def test_missing_cache_without_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("must not download")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    with pytest.raises(ValueError) as info:
        load_airfoil(cache_dir=tmp_path)
    message = str(info.value)
    assert "path=" in message and "download=True" in message and str(tmp_path) in message


class _FakeResponse(io.BytesIO):
    def __enter__(self) -> _FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@needs_file
def test_download_checks_then_moves_atomically(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # no network: the "server" serves the local copy's bytes
    served = Path(DATA_PATH).read_bytes()
    urls: list[str] = []

    def fake_urlopen(url: str, timeout: float) -> _FakeResponse:
        urls.append(url)
        return _FakeResponse(served)

    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen)
    cache = tmp_path / "cache"
    X, _ = load_airfoil(cache_dir=cache, download=True)
    assert urls == [AIRFOIL_URL] and X.shape == (1500, 5)
    assert sorted(p.name for p in cache.iterdir()) == [AIRFOIL_FILE]
    # a second call reads the cache without downloading
    load_airfoil(cache_dir=cache, download=True)
    assert len(urls) == 1


def test_download_with_wrong_checksum_saves_nothing(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("urllib.request.urlopen",
                        lambda url, timeout: _FakeResponse(b"800\t0\t0.3\t71.3\t0.002\t126.2\n"))
    cache = tmp_path / "cache"
    with pytest.raises(ValueError, match=AIRFOIL_SHA1):
        load_airfoil(cache_dir=cache, download=True)
    assert not cache.exists() or list(cache.iterdir()) == []


@needs_file
def test_corrupted_cache_is_replaced_only_with_download(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / AIRFOIL_FILE).write_bytes(b"truncated")
    with pytest.raises(ValueError, match="SHA-1"):
        load_airfoil(cache_dir=cache)
    monkeypatch.setattr("urllib.request.urlopen",
                        lambda url, timeout: _FakeResponse(Path(DATA_PATH).read_bytes()))
    assert load_airfoil(cache_dir=cache, download=True)[0].shape == (1500, 5)
    assert hashlib.sha1((cache / AIRFOIL_FILE).read_bytes()).hexdigest() == AIRFOIL_SHA1


def test_network_failure_is_a_value_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error

    def offline(url: str, timeout: float) -> None:
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(ValueError, match="no route to host"):
        load_airfoil(cache_dir=tmp_path, download=True)


# ---------------------------------------------------------------- the quadratic
def _mean_loss(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    residual = X @ theta[:-1] + theta[-1] - y
    return float(np.sum(residual**2) / (2 * len(y)))


def _check_quadratic(X: np.ndarray, y: np.ndarray) -> None:
    Q, c, b = least_squares_quadratic(X, y)
    d = X.shape[1]
    assert Q.shape == (d + 1, d + 1) and c.shape == (d + 1,) and Q.dtype == np.float64
    np.testing.assert_array_equal(Q, Q.T)
    rng = np.random.default_rng(7)
    for theta in rng.standard_normal((20, d + 1)):
        quadratic = 0.5 * theta @ Q @ theta + c @ theta + b
        # float64 on both sides; at random theta the loss is O(1) and the three terms do
        # not cancel, so rounding stays near 1e-15 relative
        assert quadratic == pytest.approx(_mean_loss(X, y, theta), rel=1e-10)
    A = np.column_stack([X, np.ones(len(y))])
    theta_star = np.linalg.lstsq(A, y, rcond=None)[0]
    gradient = Q @ theta_star + c
    # lstsq is backward stable: the normal-equation residual is a few eps * ||Q|| ||theta||
    scale = np.linalg.norm(Q) * np.linalg.norm(theta_star) + np.linalg.norm(c)
    assert np.linalg.norm(gradient) <= 1e-10 * scale
    # and the minimum of the quadratic is the least-squares loss
    assert 0.5 * theta_star @ Q @ theta_star + c @ theta_star + b == pytest.approx(
        _mean_loss(X, y, theta_star), rel=1e-9)


def test_quadratic_on_synthetic_data() -> None:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 4)) * [1.0, 3.0, 0.2, 10.0] + [0.0, 1.0, -2.0, 5.0]
    y = X @ [1.0, -2.0, 0.5, 0.1] + 3.0 + 0.1 * rng.standard_normal(200)
    _check_quadratic(X, y)


def test_quadratic_on_airfoil(airfoil: tuple[np.ndarray, np.ndarray]) -> None:
    _check_quadratic(*airfoil)


@pytest.mark.parametrize(
    ("features", "labels", "needle"),
    [
        (np.zeros(5), np.zeros(5), "2-D"),
        (np.zeros((0, 2)), np.zeros(0), "2-D"),
        (np.zeros((5, 2)), np.zeros(4), "labels"),
        (np.zeros((5, 2)), np.zeros((5, 1)), "labels"),
        (np.full((5, 2), np.nan), np.zeros(5), "finite"),
        (np.zeros((5, 2)), np.full(5, np.inf), "finite"),
    ],
)
def test_quadratic_bad_input(features: np.ndarray, labels: np.ndarray, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        least_squares_quadratic(features, labels)
