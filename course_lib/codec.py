"""Turning codes into bits: a uniform quantizer and a JPEG round trip for comparison."""
from __future__ import annotations

import numpy as np

from . import _validate as v
from .baselines import jpeg_roundtrip  # noqa: F401  (the codec lesson compares against it)

__all__ = ["Quantizer", "jpeg_roundtrip"]


class Quantizer:
    """Uniform scalar quantizer with ``2**bits`` levels per dimension, spanning each dimension's
    range on the data it is fitted to (values outside are clipped). The range is shared side
    information, so each code costs ``bits * dims`` bits."""

    def __init__(self, bits: int):
        self.bits = v.positive_int("bits", bits, maximum=16)
        self.low = self.high = None

    def fit(self, z) -> Quantizer:
        z = v.array("z", z, ndim=2)
        self.low, self.high = z.min(axis=0), z.max(axis=0)
        self.high = np.where(self.high > self.low, self.high, self.low + 1e-6)
        return self

    def _check(self, z):
        if self.low is None:
            raise ValueError("Quantizer is not fitted: call fit(training_codes) first")
        z = v.array("z", z, ndim=2)
        if z.shape[1] != len(self.low):
            raise ValueError(f"z must have {len(self.low)} columns, got {z.shape[1]}")
        return z

    def encode(self, z) -> np.ndarray:
        """Integer levels in [0, 2**bits - 1]."""
        z = self._check(z)
        levels = 2 ** self.bits - 1
        return np.round((np.clip(z, self.low, self.high) - self.low) / (self.high - self.low)
                        * levels).astype(np.int64)

    def decode(self, q) -> np.ndarray:
        levels = 2 ** self.bits - 1
        return (self.low + np.asarray(q) / levels * (self.high - self.low)).astype(np.float32)

    def roundtrip(self, z) -> np.ndarray:
        return self.decode(self.encode(z))

    def bits_per_code(self, dims: int) -> int:
        return self.bits * v.positive_int("dims", dims)
