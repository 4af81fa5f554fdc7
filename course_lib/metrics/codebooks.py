"""Codebook usage of a vector quantizer (VQ-VAE, lesson 26), from its integer code indices.

    code_usage   how often each of the K codes was picked (counts, shape (K,))
    perplexity   exp(entropy of that usage): the "effective number of codes", 1 ... K
    dead_codes   how many codes were never (or almost never) picked
    index_bits   fixed-length cost of a grid of indices: positions * log2(K) bits

``log2(perplexity)`` is the entropy of the usage in bits: an ideal entropy coder that knows the
usage (and treats positions as independent) would spend that many bits per position instead
of ``log2(K)``.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import _validate as v

__all__ = ["code_usage", "perplexity", "dead_codes", "index_bits"]


def _indices(indices, num_codes):
    num_codes = v.positive_int("num_codes", num_codes)
    if isinstance(indices, (str, bytes)) or indices is None:
        raise TypeError(f"indices must be an array of integer code indices, got "
                        f"{type(indices).__name__}")
    idx = np.asarray(indices)
    if idx.size == 0:
        raise ValueError(f"indices must not be empty, got shape {idx.shape}")
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"indices must hold integers (code numbers 0 ... num_codes - 1), got "
                        f"dtype {idx.dtype}")
    if idx.min() < 0 or idx.max() >= num_codes:
        raise ValueError(f"indices must lie in [0, num_codes - 1] = [0, {num_codes - 1}], got "
                         f"min {idx.min()}, max {idx.max()}")
    return idx.ravel(), num_codes


def code_usage(indices, num_codes: int) -> np.ndarray:
    """Counts of each code 0 ... ``num_codes - 1`` among ``indices`` (any shape, flattened)."""
    idx, k = _indices(indices, num_codes)
    return np.bincount(idx, minlength=k)


def perplexity(indices, num_codes: int) -> float:
    """exp(H(p)) of the usage distribution p (natural log): 1 when one code does everything,
    ``num_codes`` when every code is used equally often."""
    counts = code_usage(indices, num_codes).astype(np.float64)
    p = counts[counts > 0] / counts.sum()
    return float(np.exp(-(p * np.log(p)).sum()))


def dead_codes(indices, num_codes: int, *, min_count: int = 1) -> int:
    """How many codes were picked fewer than ``min_count`` times (1: never picked)."""
    min_count = v.positive_int("min_count", min_count)
    return int((code_usage(indices, num_codes) < min_count).sum())


def index_bits(positions: int, num_codes: int) -> float:
    """Bits to store one grid of ``positions`` code indices at a fixed length of log2(K) bits
    each (no entropy coding): ``positions * log2(num_codes)``. The codebook itself is shared
    by encoder and decoder, like a codec's tables, and not counted per image."""
    positions = v.positive_int("positions", positions)
    if isinstance(num_codes, bool) or not isinstance(num_codes, numbers.Integral):
        raise TypeError(f"num_codes must be an integer >= 2, got {num_codes!r}")
    num_codes = v.positive_int("num_codes", num_codes, minimum=2)
    return float(positions * np.log2(num_codes))
