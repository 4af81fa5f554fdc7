"""Data for the course: Fashion-MNIST, the seed's customers x products table, noise and masking.

Nothing here imports TensorFlow. Fashion-MNIST is looked up, in this order:

1. ``$COURSE_DATA_DIR`` (a folder holding the four ``.gz`` files),
2. the Keras cache ``~/.keras/datasets/fashion-mnist``,
3. the Debian package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``),
4. a download into the Keras cache (unless ``download=False``).

Every file is checked against its published sha256 before it is used.
"""
from __future__ import annotations

import csv
import dataclasses
import functools
import gzip
import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from . import _validate as v

__all__ = [
    "FASHION_MNIST_FILES", "FASHION_MNIST_CLASSES", "DataNotFoundError", "ChecksumError",
    "FashionMNIST", "fashion_mnist_dir", "load_fashion_mnist", "CustomerTable",
    "customers_products", "add_gaussian_noise", "mask_pixels", "shuffle_pixels", "DATASETS_DIR",
    "purchase_matrix", "hold_out_one", "docstring_corpus", "DOCSTRING_MODULES", "downsample",
    "upsample_bicubic", "image_patches", "rgb_to_ycbcr", "ycbcr_to_rgb", "mask_blocks",
    "SERIES_PATTERNS", "synthetic_series", "AnomalySplit", "anomaly_split",
    "SeriesWithAnomalies", "ANOMALY_KINDS", "series_with_anomalies", "sliding_windows",
    "few_labels",
]

FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
}
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
_DOWNLOAD_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
DATASETS_DIR = Path(__file__).resolve().parent.parent / "datasets"

HOW_TO_GET_DATA = (
    "Fashion-MNIST was not found. Get it one of these ways:\n"
    "  * Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
    "  * put the four .gz files in a folder and set COURSE_DATA_DIR=/that/folder\n"
    "  * connect to the internet once: the files are then downloaded to "
    "~/.keras/datasets/fashion-mnist"
)


class DataNotFoundError(FileNotFoundError):
    """The data is on none of the known paths and could not be downloaded."""


class ChecksumError(ValueError):
    """A data file's sha256 differs from the published one."""


def _keras_cache() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets" / "fashion-mnist"


def _candidate_dirs(data_dir):
    if data_dir is not None:
        return [Path(data_dir)]
    dirs = []
    if os.environ.get("COURSE_DATA_DIR"):
        dirs.append(Path(os.environ["COURSE_DATA_DIR"]))
    return dirs + [_keras_cache(), _DEBIAN_DIR]


@functools.lru_cache(maxsize=16)
def _sha256(path: str, size: int, mtime: float) -> str:  # size/mtime key the cache
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verify(path: Path) -> None:
    expected = FASHION_MNIST_FILES[path.name]
    st = path.stat()
    got = _sha256(str(path), st.st_size, st.st_mtime)
    if got != expected:
        raise ChecksumError(
            f"{path} is corrupted or altered: sha256 {got}, expected {expected}. "
            f"Delete it and fetch it again (see course_lib.data.HOW_TO_GET_DATA).")


def _download(target: Path) -> None:
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataNotFoundError(
            f"cannot create the download folder {target} ({e.strerror}). Set COURSE_DATA_DIR "
            f"to a folder holding the files, or make {target} writable.\n{HOW_TO_GET_DATA}") from e
    for name in FASHION_MNIST_FILES:
        dest = target / name
        if dest.exists():
            continue
        tmp = dest.with_suffix(".part")
        try:
            with urllib.request.urlopen(_DOWNLOAD_URL + name, timeout=30) as r, open(tmp, "wb") as f:
                f.write(r.read())
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            tmp.unlink(missing_ok=True)
            raise DataNotFoundError(f"download of {name} failed ({e}).\n{HOW_TO_GET_DATA}") from e
        tmp.rename(dest)


def fashion_mnist_dir(data_dir=None, *, download: bool = True) -> Path:
    """Return the folder holding the four verified Fashion-MNIST files (see module docstring)."""
    for d in _candidate_dirs(data_dir):
        files = [d / n for n in FASHION_MNIST_FILES]
        if all(f.is_file() for f in files):
            for f in files:
                _verify(f)
            return d
    if data_dir is not None:
        missing = [n for n in FASHION_MNIST_FILES if not (Path(data_dir) / n).is_file()]
        raise DataNotFoundError(f"data_dir {data_dir} lacks {', '.join(missing)}.\n{HOW_TO_GET_DATA}")
    if not download:
        raise DataNotFoundError(HOW_TO_GET_DATA)
    target = _keras_cache()
    _download(target)
    for n in FASHION_MNIST_FILES:
        _verify(target / n)
    return target


@functools.lru_cache(maxsize=2)
def _read_all(folder: str):
    def idx(name, offset):
        with gzip.open(Path(folder) / name, "rb") as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)

    x_tr = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    y_tr = idx("train-labels-idx1-ubyte.gz", 8)
    x_te = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    y_te = idx("t10k-labels-idx1-ubyte.gz", 8)
    return x_tr, y_tr, x_te, y_te


@dataclasses.dataclass(frozen=True)
class FashionMNIST:
    """Pixels are float32 in [0, 1]; images are (n, 28, 28) or (n, 784) when flattened."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple = FASHION_MNIST_CLASSES

    def __repr__(self):
        return (f"FashionMNIST(train={self.x_train.shape}, val={self.x_val.shape}, "
                f"test={self.x_test.shape})")


def _count(name, value, total):
    if value is None:
        return total
    return v.positive_int(name, value, maximum=total)


def load_fashion_mnist(*, flatten: bool = False, subset=None, test_subset=None, validation=0,
                       seed: int = 0, data_dir=None, download: bool = True) -> FashionMNIST:
    """Load Fashion-MNIST as float32 in [0, 1].

    subset: how many training images to keep (a seeded random choice, same for the same seed);
    test_subset: likewise for the test set; validation: a fraction in [0, 1) or a count of the
    kept training images moved to ``x_val``/``y_val``; flatten: (n, 784) instead of (n, 28, 28).
    """
    if not isinstance(flatten, bool):
        raise TypeError(f"flatten must be True or False, got {flatten!r}")
    seed = v.positive_int("seed", seed, minimum=0)
    x_tr, y_tr, x_te, y_te = _read_all(str(fashion_mnist_dir(data_dir, download=download)))
    n_train = _count("subset", subset, len(x_tr))
    n_test = _count("test_subset", test_subset, len(x_te))
    if isinstance(validation, float):
        v.number("validation", validation, low=0.0, high=1.0, high_open=True)
        n_val = int(round(validation * n_train))
    else:
        n_val = v.positive_int("validation", validation, minimum=0, maximum=n_train - 1)
    rng = np.random.default_rng(seed)
    tr = rng.permutation(len(x_tr))[:n_train]
    te = np.sort(rng.permutation(len(x_te))[:n_test]) if test_subset else np.arange(len(x_te))
    shape = (-1, 784) if flatten else (-1, 28, 28)

    def pixels(a, idx):
        return (a[idx].astype(np.float32) / np.float32(255.0)).reshape(shape)

    val_idx, train_idx = tr[:n_val], tr[n_val:]
    return FashionMNIST(
        x_train=pixels(x_tr, train_idx), y_train=y_tr[train_idx].astype(np.int64),
        x_val=pixels(x_tr, val_idx), y_val=y_tr[val_idx].astype(np.int64),
        x_test=pixels(x_te, te), y_test=y_te[te].astype(np.int64),
    )


@dataclasses.dataclass(frozen=True)
class CustomerTable:
    """A small purchase table: ``values[i, j] == 1`` when customer i bought product j."""
    values: np.ndarray
    customers: tuple
    products: tuple


def customers_products(path=None) -> CustomerTable:
    """The seed's worked example: 5 customers x 6 products (``datasets/customers_products.csv``)."""
    path = Path(path) if path is not None else DATASETS_DIR / "customers_products.csv"
    if not path.is_file():
        raise DataNotFoundError(
            f"{path} not found: it ships with the course repository; install course_lib from a "
            f"clone (pip install -e .) or pass path= to the CSV.")
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    values = np.array([[float(c) for c in r[1:]] for r in body], dtype=np.float32)
    if not np.isin(values, (0.0, 1.0)).all():
        raise ValueError(f"{path} must hold only 0/1 purchases")
    return CustomerTable(values, tuple(r[0] for r in body), tuple(header[1:]))


def add_gaussian_noise(x, sigma: float, *, seed: int = 0, clip: bool = True) -> np.ndarray:
    """x + N(0, sigma^2) per pixel, clipped back to [0, 1] by default (x must be in [0, 1])."""
    x = v.array("x", x, unit_range=True)
    sigma = v.number("sigma", sigma, low=0.0, high=1.0)
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    noisy = np.array(x, dtype=np.float32, copy=True)
    flat = noisy.reshape(len(noisy), -1) if noisy.ndim > 1 else noisy.reshape(1, -1)
    # Row chunks keep the float64 draws small (the values equal one big draw's): a 60k-image
    # set would otherwise need ~400 MB of temporary noise.
    for i in range(0, len(flat), 4096):
        flat[i:i + 4096] += rng.normal(0.0, sigma, flat[i:i + 4096].shape).astype(np.float32)
    return np.clip(noisy, 0.0, 1.0, out=noisy) if clip else noisy


def shuffle_pixels(x, *, seed: int = 0) -> np.ndarray:
    """Scramble the pixels of every example with one fixed random permutation (the same for all
    examples, chosen by ``seed``): the pixel values stay, the spatial structure goes. A model
    that reconstructs such images well copies its input instead of knowing the data."""
    x = v.array("x", x, min_ndim=2)
    seed = v.positive_int("seed", seed, minimum=0)
    flat = x.reshape(len(x), -1)
    perm = np.random.default_rng(seed).permutation(flat.shape[1])
    return flat[:, perm].reshape(x.shape)


def mask_pixels(x, fraction: float, *, seed: int = 0, value: float = 0.0,
                return_mask: bool = False):
    """Set a random ``fraction`` of the entries of each example to ``value`` (masking noise).

    With ``return_mask=True`` also return the boolean mask (True where a pixel was hidden).
    """
    x = v.array("x", x, min_ndim=2)
    fraction = v.number("fraction", fraction, low=0.0, high=1.0)
    value = v.number("value", value)
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    mask = np.empty(x.shape, dtype=bool)
    rows = mask.reshape(len(mask), -1)
    for i in range(0, len(rows), 4096):  # chunks: same draws as one call, far less memory
        rows[i:i + 4096] = rng.random(rows[i:i + 4096].shape) < fraction
    out = np.array(x, dtype=np.float32, copy=True)
    out[mask] = np.float32(value)
    return (out, mask) if return_mask else out


def purchase_matrix(n_customers: int = 2000, n_products: int = 200, *, n_segments: int = 8,
                    mean_purchases: float = 12.0, popular_share: float = 0.2, seed: int = 0):
    """A customers x products 0/1 purchase table with hidden customer segments.

    Each segment likes its own random set of ``2 * n_products / n_segments`` products (gamma
    weights); every product also has a Zipf-like popularity. A customer of segment s buys
    ``max(2, Poisson(mean_purchases))`` distinct products drawn from
    ``(1 - popular_share) * likes[s] + popular_share * popularity``. Returns
    ``(matrix float32 (n_customers, n_products), segments int (n_customers,))``.
    """
    n_customers = v.positive_int("n_customers", n_customers, minimum=2)
    n_products = v.positive_int("n_products", n_products, minimum=4)
    n_segments = v.positive_int("n_segments", n_segments, maximum=n_products // 2)
    mean_purchases = v.number("mean_purchases", mean_purchases, low=1.0, high=n_products / 2)
    popular_share = v.number("popular_share", popular_share, low=0.0, high=1.0)
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    popularity = rng.permutation(1.0 / np.arange(1, n_products + 1) ** 0.8)
    popularity /= popularity.sum()
    likes = np.zeros((n_segments, n_products))
    for s in range(n_segments):
        liked = rng.choice(n_products, size=max(2, 2 * n_products // n_segments), replace=False)
        likes[s, liked] = rng.gamma(1.0, 1.0, size=len(liked))
        likes[s] /= likes[s].sum()
    segments = rng.integers(0, n_segments, n_customers)
    matrix = np.zeros((n_customers, n_products), np.float32)
    for i, s in enumerate(segments):
        p = (1 - popular_share) * likes[s] + popular_share * popularity
        k = int(min(max(2, rng.poisson(mean_purchases)), np.count_nonzero(p)))
        matrix[i, rng.choice(n_products, size=k, replace=False, p=p)] = 1.0
    return matrix, segments


def hold_out_one(matrix, *, seed: int = 0):
    """Hide one random purchase per customer: returns ``(train_matrix, held_out_items)``.

    Every row needs at least two purchases, so each customer keeps something to learn from."""
    m = v.array("matrix", matrix, ndim=2)
    if not np.isin(m, (0.0, 1.0)).all():
        raise ValueError("matrix must hold only 0/1 purchases")
    counts = m.sum(axis=1)
    if counts.min() < 2:
        raise ValueError(f"matrix: every row needs >= 2 purchases, row {int(counts.argmin())} "
                         f"has {int(counts.min())}")
    rng = np.random.default_rng(v.positive_int("seed", seed, minimum=0))
    held = np.array([rng.choice(np.flatnonzero(row)) for row in m])
    train = m.copy()
    train[np.arange(len(m)), held] = 0.0
    return train, held


SERIES_PATTERNS = ("sine", "square", "sawtooth")


def synthetic_series(n: int, length: int = 64, *, noise: float = 0.1, seed: int = 0):
    """``n`` noisy periodic series with labels, for sequence autoencoders.

    Each series is one pattern of ``SERIES_PATTERNS`` (label 0 sine, 1 square, 2 sawtooth, in
    equal shares, shuffled), with a random period of 8 to 32 steps, random phase, amplitude in
    [0.5, 1] and Gaussian noise of std ``noise``; values are centred on 0.
    Returns ``(x, labels)``: x float32 of shape (n, length, 1), labels int64 of shape (n,).
    The same seed gives the same data.
    """
    n = v.positive_int("n", n)
    length = v.positive_int("length", length, minimum=8)
    noise = v.number("noise", noise, low=0.0)
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(SERIES_PATTERNS))
    period = rng.uniform(8, 32, (n, 1))
    phase = rng.uniform(0, 1, (n, 1))
    amp = rng.uniform(0.5, 1.0, (n, 1))
    cycles = np.arange(length)[None, :] / period + phase  # position in cycles
    frac = cycles % 1.0
    shapes = np.stack([np.sin(2 * np.pi * cycles), np.where(frac < 0.5, 1.0, -1.0),
                       2.0 * frac - 1.0])  # (patterns, n, length)
    clean = shapes[labels, np.arange(n)] * amp
    x = clean + noise * rng.standard_normal((n, length))
    return x[..., None].astype(np.float32), labels.astype(np.int64)




@dataclasses.dataclass(frozen=True)
class AnomalySplit:
    """Train and validation hold normal examples only; ``y_test`` is 1 for an anomaly."""
    x_train: np.ndarray
    x_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    normal_class: int

    def __repr__(self):
        return (f"AnomalySplit(normal_class={self.normal_class}, train={self.x_train.shape}, "
                f"val={self.x_val.shape}, test={self.x_test.shape}, "
                f"test anomalies={int(self.y_test.sum())})")


def anomaly_split(x, y, normal_class, *, x_test=None, y_test=None, validation: float = 0.2,
                  test: float = 0.2, seed: int = 0) -> AnomalySplit:
    """One class is "normal", every other class is an anomaly.

    The rows of ``x`` whose label is ``normal_class`` are shuffled (seeded); a ``validation``
    share of them becomes ``x_val`` (for choosing a threshold without labels of anomalies), the
    rest ``x_train``. Anomalies never reach train or validation. With ``x_test``/``y_test``
    given, they are the test set (other classes of ``x`` are dropped); without, a ``test`` share
    of the normal rows plus every anomalous row of ``x`` form the test set.
    """
    x = v.array("x", x, min_ndim=2)
    y = np.asarray(y)
    if y.shape != (len(x),) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be one integer label per row of x, shape ({len(x)},), got "
                         f"shape {y.shape} and dtype {y.dtype}")
    if isinstance(normal_class, bool) or not isinstance(normal_class, (int, np.integer)):
        raise TypeError(f"normal_class must be an integer label, got {normal_class!r}")
    if normal_class not in set(np.unique(y).tolist()):
        raise ValueError(f"normal_class must be one of the labels in y {sorted(set(y.tolist()))}, "
                         f"got {normal_class}")
    validation = v.number("validation", validation, low=0.0, high=1.0, low_open=True, high_open=True)
    seed = v.positive_int("seed", seed, minimum=0)
    if (x_test is None) != (y_test is None):
        raise ValueError("give both x_test and y_test, or neither")
    rng = np.random.default_rng(seed)
    normal = x[rng.permutation(np.flatnonzero(y == normal_class))]
    if x_test is None:
        test = v.number("test", test, low=0.0, high=1.0, low_open=True, high_open=True)
        n_test = int(round(test * len(normal)))
        rest = x[y != normal_class]
        xt = np.concatenate([normal[:n_test], rest])
        yt = np.concatenate([np.zeros(n_test, np.int64), np.ones(len(rest), np.int64)])
        normal = normal[n_test:]
    else:
        xt = v.array("x_test", x_test, min_ndim=2)
        if xt.shape[1:] != x.shape[1:]:
            raise ValueError(f"x_test rows must have shape {x.shape[1:]}, got {xt.shape[1:]}")
        y_test = np.asarray(y_test)
        if y_test.shape != (len(xt),) or not np.issubdtype(y_test.dtype, np.integer):
            raise ValueError(f"y_test must be one integer label per row of x_test, shape "
                             f"({len(xt)},), got shape {y_test.shape} and dtype {y_test.dtype}")
        yt = (y_test != normal_class).astype(np.int64)
    n_val = int(round(validation * len(normal)))
    if n_val < 1 or n_val >= len(normal):
        raise ValueError(f"normal_class {normal_class} has {len(normal)} training rows: too few "
                         f"to keep a validation share of {validation}")
    if yt.min() == yt.max():
        raise ValueError("the test set must hold both normal and anomalous rows")
    return AnomalySplit(x_train=normal[n_val:], x_val=normal[:n_val], x_test=xt, y_test=yt,
                        normal_class=int(normal_class))


@dataclasses.dataclass(frozen=True)
class SeriesWithAnomalies:
    """``values[t]``; ``labels[t]`` is True inside an anomaly; ``events`` lists
    ``(start, end, kind)`` with ``end`` exclusive."""
    values: np.ndarray
    labels: np.ndarray
    events: tuple


ANOMALY_KINDS = ("spike", "level_shift", "noise_burst", "frequency", "flatline")


def series_with_anomalies(length: int = 10000, *, period: int = 50, noise: float = 0.1,
                          n_anomalies: int = 10, min_length: int = 10, max_length: int = 40,
                          kinds=ANOMALY_KINDS, seed: int = 0) -> SeriesWithAnomalies:
    """One long seasonal series (two sines, periods ``period`` and ``4 * period``, plus Gaussian
    noise of std ``noise``) with ``n_anomalies`` injected, non-overlapping events.

    Each event has a random length in [min_length, max_length] and a kind cycled from ``kinds``:
    spike (3 single-step jumps of +-3), level_shift (+1.5), noise_burst (extra noise std 0.6),
    frequency (the sine runs 3x faster), flatline (the value freezes). ``n_anomalies=0`` gives a
    clean series for training. The same seed gives the same series.
    """
    length = v.positive_int("length", length, minimum=100)
    period = v.positive_int("period", period, minimum=4, maximum=length // 4)
    noise = v.number("noise", noise, low=0.0)
    n_anomalies = v.positive_int("n_anomalies", n_anomalies, minimum=0)
    min_length = v.positive_int("min_length", min_length, minimum=3)
    max_length = v.positive_int("max_length", max_length, minimum=min_length)
    if isinstance(kinds, str) or not isinstance(kinds, (tuple, list)) or not kinds:
        raise TypeError(f"kinds must be a non-empty tuple from {ANOMALY_KINDS}, got {kinds!r}")
    for k in kinds:
        v.choice("kinds", k, set(ANOMALY_KINDS))
    slot = length // max(n_anomalies, 1)
    if n_anomalies and slot < 2 * max_length + 2:
        raise ValueError(f"n_anomalies={n_anomalies} events of up to {max_length} steps do not fit "
                         f"in length={length}: use fewer events or a longer series")
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    t = np.arange(length, dtype=np.float64)
    phase = 2 * np.pi * t / period
    values = np.sin(phase) + 0.5 * np.sin(phase / 4) + noise * rng.standard_normal(length)
    labels = np.zeros(length, bool)
    events = []
    for i in range(n_anomalies):
        n = int(rng.integers(min_length, max_length + 1))
        # one event per slot, away from the slot's edges, so events never touch
        start = i * slot + int(rng.integers(max_length // 2, slot - n - max_length // 2 + 1))
        end, kind = start + n, kinds[i % len(kinds)]
        seg = slice(start, end)
        if kind == "spike":
            at = start + rng.choice(n, size=min(3, n), replace=False)
            values[at] += 3.0 * rng.choice((-1.0, 1.0), size=len(at))
        elif kind == "level_shift":
            values[seg] += 1.5
        elif kind == "noise_burst":
            values[seg] += 0.6 * rng.standard_normal(n)
        elif kind == "frequency":
            values[seg] += np.sin(3 * phase[seg]) - np.sin(phase[seg])
        else:  # flatline
            values[seg] = values[start]
        labels[seg] = True
        events.append((start, end, kind))
    return SeriesWithAnomalies(values.astype(np.float32), labels, tuple(events))


def sliding_windows(series, width: int, step: int = 1):
    """Cut a 1-D series into windows ``series[s:s + width]`` for s = 0, step, 2*step, ...
    Returns ``(windows float32 (n, width), starts int64 (n,))``."""
    s = v.array("series", series, ndim=1)
    width = v.positive_int("width", width, minimum=2, maximum=len(s))
    step = v.positive_int("step", step)
    starts = np.arange(0, len(s) - width + 1, step, dtype=np.int64)
    return np.stack([s[i:i + width] for i in starts]), starts




DOCSTRING_MODULES = ("scipy.linalg", "scipy.stats", "scipy.signal", "scipy.optimize",
                     "scipy.special", "scipy.sparse", "scipy.interpolate", "scipy.ndimage",
                     "numpy.random", "numpy.linalg", "numpy.fft", "numpy.ma")


def docstring_corpus(modules=DOCSTRING_MODULES, *, min_words: int = 30):
    """An offline text corpus: the docstrings of the public callables of installed modules,
    each labelled by its module. Duplicates (re-exported functions) are kept once.

    Returns ``(texts list[str], labels int array, module_names tuple)``. The texts depend on
    the installed versions of the modules, so counts differ slightly between machines.
    """
    import importlib
    import inspect
    import warnings

    if isinstance(modules, str) or not isinstance(modules, (tuple, list)) or not modules:
        raise TypeError(f"modules must be a non-empty tuple of module names, got {modules!r}")
    min_words = v.positive_int("min_words", min_words)
    texts, labels, seen = [], [], set()
    for i, name in enumerate(modules):
        try:
            module = importlib.import_module(name)
        except ImportError as e:
            raise ValueError(f"modules[{i}]: cannot import {name!r} ({e})") from None
        for attr in sorted(dir(module)):
            if attr.startswith("_"):
                continue
            with warnings.catch_warnings():  # some attributes warn when touched (deprecations)
                warnings.simplefilter("ignore")
                obj = getattr(module, attr, None)
            doc = inspect.getdoc(obj) if callable(obj) else None
            if doc and len(doc.split()) >= min_words and doc not in seen:
                seen.add(doc)
                texts.append(doc)
                labels.append(i)
    return texts, np.array(labels, dtype=np.int64), tuple(modules)


def downsample(x, factor: int = 2) -> np.ndarray:
    """Average-pool images (n, h, w[, c]) by ``factor`` in both directions (what a camera with
    bigger pixels would record)."""
    x = v.array("x", x, ndim=(3, 4))
    factor = v.positive_int("factor", factor, minimum=2)
    n, h, w = x.shape[:3]
    if h % factor or w % factor:
        raise ValueError(f"factor must divide the image size {h}x{w}, got {factor}")
    return x.reshape(n, h // factor, factor, w // factor, factor, *x.shape[3:]).mean(axis=(2, 4))


def upsample_bicubic(x, size) -> np.ndarray:
    """Bicubic up-sampling of grayscale images (n, h, w) to ``size`` (an int or (h, w)) with
    Pillow, clipped to [0, 1]: the classic baseline for super-resolution."""
    from PIL import Image

    x = v.array("x", x, ndim=3, unit_range=True)
    size = v.int_tuple("size", size if isinstance(size, (tuple, list)) else (size, size))
    if len(size) != 2:
        raise ValueError(f"size must be an int or (height, width), got {size}")
    out = [np.asarray(Image.fromarray(im, mode="F").resize(size[::-1], Image.BICUBIC)) for im in x]
    return np.clip(np.stack(out), 0.0, 1.0).astype(np.float32)


def image_patches(image, size: int, *, stride: int, columns=None) -> np.ndarray:
    """All ``size x size`` patches of an (h, w, c) image whose top-left corners step by
    ``stride``, restricted to the column range ``columns=(start, stop)`` if given."""
    img = v.array("image", image, ndim=3)
    size = v.positive_int("size", size, maximum=min(img.shape[:2]))
    stride = v.positive_int("stride", stride)
    start, stop = (0, img.shape[1]) if columns is None else columns
    if not (0 <= start < stop <= img.shape[1]) or stop - start < size:
        raise ValueError(f"columns must be (start, stop) with 0 <= start, stop - start >= size "
                         f"and stop <= {img.shape[1]}, got {columns}")
    return np.stack([img[r:r + size, c:c + size]
                     for r in range(0, img.shape[0] - size + 1, stride)
                     for c in range(start, stop - size + 1, stride)])


def rgb_to_ycbcr(rgb) -> np.ndarray:
    """RGB in [0, 1] (..., 3) -> Y (luminance), Cb, Cr in [0, 1] (JPEG's full-range transform;
    Cb = Cr = 0.5 is colourless)."""
    rgb = v.array("rgb", rgb, min_ndim=1, unit_range=True)
    if rgb.shape[-1] != 3:
        raise ValueError(f"rgb must end in 3 channels, got shape {rgb.shape}")
    y = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.stack([y, 0.5 + 0.564 * (rgb[..., 2] - y), 0.5 + 0.713 * (rgb[..., 0] - y)], -1)


def ycbcr_to_rgb(ycbcr) -> np.ndarray:
    """Inverse of ``rgb_to_ycbcr``, clipped to [0, 1]."""
    ycc = v.array("ycbcr", ycbcr, min_ndim=1)
    if ycc.shape[-1] != 3:
        raise ValueError(f"ycbcr must end in 3 channels, got shape {ycc.shape}")
    y, cb, cr = ycc[..., 0], ycc[..., 1] - 0.5, ycc[..., 2] - 0.5
    rgb = np.stack([y + 1.403 * cr, y - 0.344 * cb - 0.714 * cr, y + 1.773 * cb], -1)
    return np.clip(rgb, 0.0, 1.0).astype(np.float32)


def mask_blocks(x, size: int, *, seed: int = 0, value: float = 0.0, return_mask: bool = False):
    """Hide one random ``size x size`` square per image (a scratch, a sticker, a lost tile).

    x: (n, h, w) images or (n, h*w) square images flattened; the output has x's shape. With
    ``return_mask=True`` also return the boolean mask (True where a pixel was hidden)."""
    x = v.array("x", x, ndim=(2, 3))
    imgs = v.square_images("x", x)
    n, h, w = imgs.shape
    size = v.positive_int("size", size, maximum=min(h, w))
    value = v.number("value", value)
    rng = np.random.default_rng(v.positive_int("seed", seed, minimum=0))
    rows, cols = rng.integers(0, h - size + 1, n), rng.integers(0, w - size + 1, n)
    mask = np.zeros(imgs.shape, bool)
    for i in range(n):
        mask[i, rows[i]:rows[i] + size, cols[i]:cols[i] + size] = True
    mask = mask.reshape(x.shape)
    out = np.where(mask, np.float32(value), x).astype(np.float32)
    return (out, mask) if return_mask else out


def few_labels(y, per_class: int, *, seed: int = 0) -> np.ndarray:
    """Indices of ``per_class`` randomly chosen examples of every class in ``y`` (seeded,
    sorted): the small labelled set of a semi-supervised experiment."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array of integer labels, got shape "
                         f"{y.shape} and dtype {y.dtype}")
    per_class = v.positive_int("per_class", per_class)
    seed = v.positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    picked = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        if len(members) < per_class:
            raise ValueError(f"per_class={per_class} but class {c} has only {len(members)} "
                             f"examples")
        picked.append(rng.choice(members, per_class, replace=False))
    return np.sort(np.concatenate(picked))
