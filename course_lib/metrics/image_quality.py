"""Image quality: PSNR, SSIM, masked PSNR (only the pixels that were missing), and a
checkerboard score for up-sampling artefacts."""
from __future__ import annotations

import numpy as np

from .. import _validate as v
from .reconstruction import _pair, _reduce, mse

__all__ = ['psnr', 'ssim', 'checkerboard_score', 'masked_psnr']


def psnr(x, x_hat, *, data_range: float = 1.0, per_example: bool = False):
    """Peak signal-to-noise ratio in dB, computed per example and averaged (identical examples
    are capped at 100 dB instead of infinity)."""
    data_range = v.number("data_range", data_range, low=0.0, low_open=True)
    per_mse = mse(x, x_hat, per_example=True)
    per = 10.0 * np.log10(data_range ** 2 / np.maximum(per_mse, data_range ** 2 * 1e-10))
    return _reduce(per, per_example)


def _gaussian_window(size: int, sigma: float) -> np.ndarray:
    """The 1-D Gaussian taps of tf.image.ssim: centred, ``size`` long, summing to 1."""
    t = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    g = np.exp(-(t ** 2) / (2.0 * sigma ** 2))
    return g / g.sum()


def _filter_valid(img, g):
    """Separable 'valid' filtering of (n, h, w) images with taps ``g`` along h, then w."""
    from numpy.lib.stride_tricks import sliding_window_view

    rows = sliding_window_view(img, len(g), axis=1) @ g       # (n, h-k+1, w)
    return sliding_window_view(rows, len(g), axis=2) @ g      # (n, h-k+1, w-k+1)


def ssim(x, x_hat, *, data_range: float = 1.0, sigma: float = 1.5, filter_size: int = 11,
         per_example: bool = False):
    """Structural similarity (Wang et al., 2004) of grayscale images, by the reference
    definition that ``tf.image.ssim`` implements: local means, variances and covariance under a
    ``filter_size`` x ``filter_size`` Gaussian window of std ``sigma`` (11 and 1.5), K1 = 0.01,
    K2 = 0.03, the map computed only where the window fits inside the image ("valid": 18 x 18
    positions on a 28 x 28 image), averaged over each image, then over examples. 1 means
    identical; unlike PSNR it rewards kept edges and texture over a blurry average.

    x, x_hat: (n, h, w) images, or (n, h*w) for square images; h and w >= filter_size.
    """
    data_range = v.number("data_range", data_range, low=0.0, low_open=True)
    sigma = v.number("sigma", sigma, low=0.0, low_open=True)
    filter_size = v.positive_int("filter_size", filter_size)
    a = v.array("x", x, ndim=(2, 3))
    b = v.array("x_hat", x_hat, ndim=(2, 3))
    v.same_shape("x", a, "x_hat", b)
    a, b = v.square_images("x", a), v.square_images("x_hat", b)
    if min(a.shape[1:]) < filter_size:
        raise ValueError(f"filter_size must be <= the image's height and width, got "
                         f"{filter_size} for {a.shape[1]} x {a.shape[2]} images")
    g = _gaussian_window(filter_size, sigma)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    scores = np.empty(len(a))
    for start in range(0, len(a), 1024):  # chunks bound the float64 temporaries
        p, q = (t[start:start + 1024].astype(np.float64) for t in (a, b))
        mu_p, mu_q = _filter_valid(p, g), _filter_valid(q, g)
        var_sum = _filter_valid(p * p + q * q, g) - mu_p ** 2 - mu_q ** 2
        cov = _filter_valid(p * q, g) - mu_p * mu_q
        s_map = ((2 * mu_p * mu_q + c1) * (2 * cov + c2)) / ((mu_p ** 2 + mu_q ** 2 + c1)
                                                             * (var_sum + c2))
        scores[start:start + len(p)] = s_map.reshape(len(p), -1).mean(axis=1)
    return _reduce(scores, per_example)


def checkerboard_score(images, *, per_example: bool = False):
    """Share of each image's spectral power (mean removed) at the period-2 frequencies — the
    rows-alternate, columns-alternate and checkerboard patterns that uneven overlap in strided
    transposed convolutions produces. Photos and clothing images score near 0.001; a pure
    checkerboard scores 1. images: (n, h, w) with even h and w, or (n, h*w) square."""
    x = v.array("images", images, ndim=(2, 3))
    x = v.square_images("images", x)
    h, w = x.shape[1:]
    if h % 2 or w % 2:
        raise ValueError(f"images must have even height and width, got {h} x {w}")
    power = np.abs(np.fft.fft2(x - x.mean(axis=(1, 2), keepdims=True))) ** 2
    nyquist = power[:, h // 2, 0] + power[:, 0, w // 2] + power[:, h // 2, w // 2]
    total = power.sum(axis=(1, 2))
    per = np.where(total > 0, nyquist / np.maximum(total, 1e-30), 0.0)
    return _reduce(per, per_example)


def _mask_args(x, x_hat, mask):
    a, b = _pair(x, x_hat)
    return a, b, v.missing_mask(mask, a)


def masked_psnr(x, x_hat, mask, *, per_example: bool = False):
    """PSNR (data range 1) over the pixels where ``mask`` is True only — the restored region —
    computed per example and averaged."""
    a, b, m = _mask_args(x, x_hat, mask)
    per_mse = ((a - b) ** 2 * m).sum(axis=1) / m.sum(axis=1)
    return _reduce(10.0 * np.log10(1.0 / np.maximum(per_mse, 1e-10)), per_example)
