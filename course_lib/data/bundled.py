"""Small data that ships with the course: the seed's customers x products table (package
data) and a docstring corpus read from installed libraries."""
from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np

from .. import _validate as v
from .fashion_mnist import DataNotFoundError

__all__ = ['CUSTOMERS_CSV', 'CustomerTable', 'customers_products', 'DOCSTRING_MODULES',
           'docstring_corpus']


# Package data: installed with course_lib, so the table is there wherever the library is.
CUSTOMERS_CSV = Path(__file__).resolve().with_name("customers_products.csv")


@dataclasses.dataclass(frozen=True)
class CustomerTable:
    """A small purchase table: ``values[i, j] == 1`` when customer i bought product j."""
    values: np.ndarray
    customers: tuple
    products: tuple


def customers_products(path=None) -> CustomerTable:
    """The seed's worked example: 5 customers x 6 products
    (``course_lib/data/customers_products.csv``)."""
    path = Path(path) if path is not None else CUSTOMERS_CSV
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
