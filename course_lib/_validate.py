"""Argument checks shared by every public function: one clear message per bad input."""
from __future__ import annotations

import numbers

import numpy as np


def integer(name, value, *, minimum=None, maximum=None):
    """An int (NumPy integers too, never a bool) in [minimum, maximum] (either bound optional)."""
    bounds = " and ".join(b for b in (None if minimum is None else f">= {minimum}",
                                      None if maximum is None else f"<= {maximum}") if b)
    wanted = f"an integer {bounds}" if bounds else "an integer"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {wanted}, got {value!r} ({type(value).__name__})")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {wanted}, got {value}")
    return int(value)


def positive_int(name, value, *, minimum=1, maximum=None):
    """``integer`` with a lower bound (1 unless told): sizes, counts, epochs, seeds (minimum=0)."""
    return integer(name, value, minimum=minimum, maximum=maximum)


def boolean(name, value):
    """A flag: only True or False (not 0/1, not "yes"), so a misplaced argument is caught."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def string(name, value, *, allow_empty=False):
    """A str; unless ``allow_empty``, one with some non-blank character (names, titles, hints)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {'a' if allow_empty else 'a non-empty'} string, "
                        f"got {value!r}")
    if not allow_empty and not value.strip():
        raise TypeError(f"{name} must be a non-empty string, got {value!r}")
    return value


def number(name, value, *, low=None, high=None, low_open=False, high_open=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    lo_bad = low is not None and (value <= low if low_open else value < low)
    hi_bad = high is not None and (value >= high if high_open else value > high)
    if lo_bad or hi_bad:
        lo = "" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "" if high is None else f"{high}" + (")" if high_open else "]")
        rng = f"{lo or '(-inf'}, {hi or 'inf)'}"
        raise ValueError(f"{name} must be in {rng}, got {value}")
    return value


def choice(name, value, choices):
    """``value`` if it is one of ``choices`` (hashable values), else a ValueError listing them."""
    try:
        ok = value in choices
    except TypeError:  # an unhashable value (a list, a dict...) cannot be one of them
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def option(name, value, options):
    """One of the string ``options`` (a mode or kind such as 'conv'): a TypeError for anything
    that is not a string, a ValueError for an unknown string; both list the options."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {sorted(options)}, got {value!r}")
    return choice(name, value, options)


def numbers_tuple(name, values, **bounds):
    """A non-empty tuple (or list) of numbers, each checked by ``number(**bounds)`` and named by
    its position (``betas[1]``); returned as a tuple of floats."""
    if not isinstance(values, (tuple, list)) or not values:
        raise TypeError(f"{name} must be a non-empty tuple of numbers, got {values!r}")
    return tuple(number(f"{name}[{i}]", x, **bounds) for i, x in enumerate(values))


def labels(name, y, n=None, *, n_classes=None, allow_bool=False):
    """Integer class labels as a 1-D int64 array: non-empty, one per example when ``n`` is given,
    each in [0, n_classes - 1] when ``n_classes`` is given."""
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.size == 0 or (n is not None and len(arr) != n):
        wanted = (f"one integer label per example, shape ({n},)" if n is not None
                  else "a non-empty 1-D array of integer labels")
        raise ValueError(f"{name} must be {wanted}, got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.integer) or (allow_bool and arr.dtype == bool)):
        kinds = "integer (or bool)" if allow_bool else "integer"
        raise TypeError(f"{name} must hold {kinds} labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if n_classes is not None and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"{name} must hold labels in [0, {n_classes - 1}] for {n_classes} "
                         f"classes, got [{arr.min()}, {arr.max()}]")
    return arr


def int_tuple(name, value, *, minimum=1, allow_empty=True):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of integers, got {value!r}")
    if not value and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    return tuple(positive_int(f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(value))


def array(name, x, *, ndim=None, min_ndim=None, unit_range=False, allow_empty=False):
    """Return ``x`` as a float32 array after checking dtype, shape, finiteness and range."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}")
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim not in (ndim if isinstance(ndim, tuple) else (ndim,)):
        raise ValueError(f"{name} must have ndim {ndim}, got shape {arr.shape}")
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimensions, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    arr = arr.astype(np.float32, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf values")
    if unit_range and arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
        raise ValueError(f"{name} must hold values in [0, 1] (pixels scaled by 1/255), "
                         f"got min {arr.min():.3g}, max {arr.max():.3g}")
    return arr


def same_shape(name_a, a, name_b, b):
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, "
                         f"got {a.shape} and {b.shape}")


def square_images(name, x, hint="pass (n, height, width) arrays"):
    """(n, h, w[, ...]) stays as it is; (n, side*side) becomes (n, side, side); any other
    flat width is refused with ``hint`` saying what to pass instead."""
    if x.ndim != 2:
        return x
    side = int(round(np.sqrt(x.shape[1])))
    if side * side != x.shape[1]:
        raise ValueError(f"{name} has {x.shape[1]} features per example, not a square image; "
                         f"{hint}")
    return x.reshape(len(x), side, side)


def distinct(name, values):
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat a value, got {values}")
    return values


def missing_mask(mask, like):
    """``mask`` as (n, features) booleans (True = missing) matching the flattened (n, features)
    array ``like``; every example must hide at least one value."""
    m = np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"mask must be a boolean array (True = missing), got dtype {m.dtype}")
    m = m.reshape(len(m), -1) if m.ndim > 1 else m[None]
    if m.shape != like.shape:
        raise ValueError(f"mask must have the shape of x, got {np.shape(mask)} for "
                         f"{like.shape} (flattened)")
    if not m.any(axis=1).all():
        raise ValueError("mask hides no pixel in some example: there is nothing to score there")
    return m
