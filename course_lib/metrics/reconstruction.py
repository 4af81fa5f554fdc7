"""Reconstruction errors per pixel, averaged over examples (or per example): MSE, MAE, BCE."""
from __future__ import annotations

import numpy as np

from .. import _validate as v

__all__ = ['mse', 'mae', 'bce']


def _pair(x, x_hat, *, unit_range=False):
    x = v.array("x", x, min_ndim=1)
    x_hat = v.array("x_hat", x_hat, min_ndim=1)
    v.same_shape("x", x, "x_hat", x_hat)
    if unit_range:
        for name, a in (("x", x), ("x_hat", x_hat)):
            if a.min() < 0 or a.max() > 1:
                raise ValueError(f"{name} must hold values in [0, 1] for this metric, "
                                 f"got min {a.min():.3g}, max {a.max():.3g}")
    return x.reshape(len(x), -1) if x.ndim > 1 else x[None], \
        x_hat.reshape(len(x_hat), -1) if x_hat.ndim > 1 else x_hat[None]


def _reduce(per_example, per_example_flag):
    return per_example if v.boolean("per_example", per_example_flag) else float(per_example.mean())


def mse(x, x_hat, *, per_example: bool = False):
    """Mean squared error per pixel (a float, or one value per example)."""
    a, b = _pair(x, x_hat)
    return _reduce(((a - b) ** 2).mean(axis=1), per_example)


def mae(x, x_hat, *, per_example: bool = False):
    """Mean absolute error per pixel."""
    a, b = _pair(x, x_hat)
    return _reduce(np.abs(a - b).mean(axis=1), per_example)


def bce(x, x_hat, *, per_example: bool = False, eps: float = 1e-7):
    """Binary cross-entropy per pixel in nats; x and x_hat in [0, 1] (x_hat clipped to eps)."""
    a, b = _pair(x, x_hat, unit_range=True)
    eps = v.number("eps", eps, low=0.0, high=0.5, low_open=True, high_open=True)
    b = np.clip(b, eps, 1 - eps)
    per = -(a * np.log(b) + (1 - a) * np.log(1 - b)).mean(axis=1)
    return _reduce(per, per_example)
