"""Corruptions for denoising and inpainting: Gaussian noise, pixel masks, block masks,
pixel shuffles. Seeded and chunked, so large sets cost little temporary memory."""
from __future__ import annotations

import numpy as np

from .. import _validate as v

__all__ = ['add_gaussian_noise', 'shuffle_pixels', 'mask_pixels', 'mask_blocks']


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
