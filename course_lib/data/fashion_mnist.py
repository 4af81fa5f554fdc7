"""Fashion-MNIST: find the four files (COURSE_DATA_DIR, Keras cache, Debian's
dataset-fashion-mnist, download), verify their sha256, load them as float32 in [0, 1]."""
from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from .. import _validate as v

__all__ = ['FASHION_MNIST_FILES', 'FASHION_MNIST_CLASSES', 'DataNotFoundError', 'ChecksumError',
           'fashion_mnist_dir', 'FashionMNIST', 'load_fashion_mnist']


FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz":
        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz":
        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
}


FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


_DOWNLOAD_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")


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
            with (urllib.request.urlopen(_DOWNLOAD_URL + name, timeout=30) as r,
                  open(tmp, "wb") as f):
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
        raise DataNotFoundError(f"data_dir {data_dir} lacks {', '.join(missing)}.\n"
                                f"{HOW_TO_GET_DATA}")
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
    v.boolean("flatten", flatten)
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
