r"""The chapter's data set: NASA airfoil self-noise, as the textbook prepares it.

The minibatch-SGD section of the textbook (and the exercises that follow it)
trains a linear model on ``airfoil_self_noise.dat``: 1503 rows of 6
tab-separated numbers, the last one the label.  :func:`load_airfoil` reproduces
the textbook's loader exactly and :func:`least_squares_quadratic` writes the
resulting mean squared loss as an explicit quadratic, so the symbolic and
numeric layers can treat the regression like any other quadratic.

The file is never fetched implicitly: pass ``path=``, keep a copy in the user
cache, or ask for ``download=True``.  Every copy is checked against the SHA-1
:data:`AIRFOIL_SHA1` before use.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = [
    "AIRFOIL_FILE",
    "AIRFOIL_SHA1",
    "AIRFOIL_URL",
    "default_cache_dir",
    "least_squares_quadratic",
    "load_airfoil",
]

AIRFOIL_FILE = "airfoil_self_noise.dat"
#: SHA-1 of the file as distributed with the textbook's helper library.
AIRFOIL_SHA1 = "76e5be1548fd8222e5074cf0faae75edff8cf93f"
#: The textbook's data address (its helper library's DATA_URL + file name).  The
#: transport is plain HTTP, as in the textbook; the SHA-1 check guards integrity.
AIRFOIL_URL = "http://d2l-data.s3-accelerate.amazonaws.com/" + AIRFOIL_FILE
_ROWS, _COLUMNS, _KEPT = 1503, 6, 1500
_MAX_DOWNLOAD_BYTES = 1 << 20  # the file has about 59 kB
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/optheory``, or ``~/.cache/optheory`` when it is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "optheory"


def _checksum_error(path: Path, problem: str) -> ValueError:
    return ValueError(
        f"airfoil data {str(path)!r} {problem}; expected {AIRFOIL_FILE} with SHA-1 {AIRFOIL_SHA1}"
    )


def _read_verified(path: Path) -> bytes:
    """The bytes of ``path`` once their SHA-1 matches :data:`AIRFOIL_SHA1`.

    The size is checked first (a file above :data:`_MAX_DOWNLOAD_BYTES` cannot
    be the 59 kB data set and is refused unread), then the file is hashed
    while it is read in blocks, so memory stays bounded whatever the file.
    """
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > _MAX_DOWNLOAD_BYTES:
                raise _checksum_error(
                    path, f"is {size} bytes, far larger than the data set (about 59 kB)"
                )
            digest = hashlib.sha1()
            blocks = []
            read = 0
            while block := handle.read(1 << 16):
                read += len(block)
                if read > _MAX_DOWNLOAD_BYTES:  # grew while being read
                    raise _checksum_error(path, "is larger than the data set (about 59 kB)")
                digest.update(block)
                blocks.append(block)
    except FileNotFoundError:
        raise _checksum_error(path, "does not exist") from None
    except IsADirectoryError:
        raise _checksum_error(path, "is a directory") from None
    except OSError as exc:
        raise _checksum_error(path, f"cannot be read ({exc.strerror or exc})") from None
    if digest.hexdigest() != AIRFOIL_SHA1:
        raise _checksum_error(
            path, f"has SHA-1 {digest.hexdigest()} (corrupted or a different file)"
        )
    return b"".join(blocks)


def _download(target: Path) -> bytes:
    """Fetch :data:`AIRFOIL_URL`, check its SHA-1, then move it atomically to ``target``."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(AIRFOIL_URL, timeout=60) as response:
            raw = response.read(_MAX_DOWNLOAD_BYTES + 1)
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        detail = str(exc.reason if isinstance(exc, urllib.error.URLError) else exc)
        reason = (detail.splitlines() or [type(exc).__name__])[0]
        raise ValueError(
            f"downloading {AIRFOIL_URL} failed ({reason}); fetch {AIRFOIL_FILE} by hand and pass "
            f"path="
        ) from None
    digest = hashlib.sha1(raw).hexdigest()
    if digest != AIRFOIL_SHA1:
        raise ValueError(
            f"the download from {AIRFOIL_URL} has SHA-1 {digest}, expected {AIRFOIL_SHA1}; "
            f"nothing was saved"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".airfoil-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return raw


def _cached_bytes(cache_dir: str | os.PathLike[str] | None, download: bool) -> bytes:
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = directory / AIRFOIL_FILE
    if target.is_file():
        try:
            return _read_verified(target)
        except ValueError:
            if not download:
                raise
    elif not download:
        raise ValueError(
            f"airfoil data not found at {str(target)!r}; pass path= to a copy of {AIRFOIL_FILE} "
            f"(SHA-1 {AIRFOIL_SHA1}) or download=True to fetch it into the cache"
        )
    return _download(target)


def load_airfoil(
    path: str | os.PathLike[str] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = False,
    dtype: type[np.floating] | np.dtype | str = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Features and labels of the airfoil regression, normalized as in the textbook.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A copy of ``airfoil_self_noise.dat``.  If omitted, the file is looked
        up in ``cache_dir``.
    cache_dir : str or os.PathLike, optional
        Where the cached copy lives; default :func:`default_cache_dir`.
    download : bool, default False
        When the cached copy is missing (or fails its checksum), fetch
        :data:`AIRFOIL_URL`, check its SHA-1 and move it into the cache
        atomically.  Nothing is ever downloaded otherwise.
    dtype : numpy floating type, default numpy.float32
        Precision of the reading and of the normalization.  ``float32`` repeats
        the textbook bit for bit.

    Returns
    -------
    features : numpy.ndarray, shape (1500, 5)
    labels : numpy.ndarray, shape (1500,)

    Raises
    ------
    ValueError
        The file is missing or unreadable, its SHA-1 is not :data:`AIRFOIL_SHA1`,
        the download fails, or ``dtype`` is not float32/float64.

    Algorithm
    ---------
    As the textbook's loader: read all 1503 rows in ``dtype``; replace every
    column :math:`x` by :math:`(x - \bar x)/\sigma_x` with the mean and the
    *population* standard deviation over all 1503 rows (numpy's defaults, in
    ``dtype``); keep the first 1500 rows; the first five columns are the
    features and the last one the label.  Because the statistics include the
    three dropped rows, the kept columns have mean and standard deviation only
    close to 0 and 1.
    """
    try:
        kind = np.dtype(dtype)
    except TypeError:
        kind = np.dtype(object)
    if dtype is None or not any(kind == allowed for allowed in _DTYPES):
        raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}")
    if path is not None:
        raw = _read_verified(Path(path))
    else:
        raw = _cached_bytes(cache_dir, bool(download))
    data = np.genfromtxt(io.BytesIO(raw), dtype=kind, delimiter="\t")
    if data.shape != (_ROWS, _COLUMNS):  # cannot happen once the SHA-1 matched
        raise ValueError(f"airfoil data has shape {data.shape}, expected {(_ROWS, _COLUMNS)}")
    data = (data - data.mean(axis=0)) / data.std(axis=0)
    features = np.ascontiguousarray(data[:_KEPT, :-1])
    labels = np.ascontiguousarray(data[:_KEPT, -1])
    return features, labels


def least_squares_quadratic(
    features: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    r"""The mean squared loss of a linear model with bias, as a quadratic form.

    Parameters
    ----------
    features : array_like, shape (n, d)
        Rows :math:`x_i`.
    labels : array_like, shape (n,)
        Targets :math:`y_i`.

    Returns
    -------
    Q : numpy.ndarray, shape (d + 1, d + 1)
        :math:`A^\top A / n` with :math:`A = [X, \mathbf 1]` (symmetric, float64).
    c : numpy.ndarray, shape (d + 1,)
        :math:`-A^\top y / n`.
    b : float
        :math:`y^\top y / (2n)`.

    Raises
    ------
    ValueError
        Shapes do not match, there are no rows, or a value is not finite.

    Theoretical guarantee
    ---------------------
    For parameters :math:`\theta = (w, \text{bias})`,

    .. math::
        \frac{1}{2n}\sum_{i=1}^n (x_i^\top w + \text{bias} - y_i)^2
        = \frac{1}{2n}\lVert A\theta - y\rVert^2
        = \tfrac12 \theta^\top Q \theta + c^\top \theta + b,

    which is the textbook's loss :math:`\tfrac12(\hat y - y)^2` averaged over
    the whole data set.  Its gradient is :math:`Q\theta + c`, zero at the
    least-squares solution, and the eigenvalues of :math:`Q` are the curvatures
    the optimizers see.
    """
    X = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"features must be a non-empty 2-D array (n, d), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},) to match features, got {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("features and labels must be finite (found nan or inf)")
    n = X.shape[0]
    A = np.column_stack([X, np.ones(n)])
    Q = A.T @ A / n
    Q = (Q + Q.T) / 2  # exactly symmetric whatever the BLAS
    c = -(A.T @ y) / n
    b = float(y @ y) / (2 * n)
    return Q, c, b
