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


def ssim(x, x_hat, *, data_range: float = 1.0, sigma: float = 1.5,
         per_example: bool = False):
    """Structural similarity (Wang et al., 2004) of grayscale images, averaged over each image
    and then over examples: local means, variances and covariance under a Gaussian window of
    std ``sigma`` pixels (11 x 11 for the standard 1.5), with the paper's K1 = 0.01, K2 = 0.03.
    1 means identical; unlike PSNR it rewards kept edges and texture over a blurry average.

    x, x_hat: (n, h, w) images, or (n, h*w) for square images.
    """
    from scipy.ndimage import gaussian_filter

    data_range = v.number("data_range", data_range, low=0.0, low_open=True)
    sigma = v.number("sigma", sigma, low=0.0, low_open=True)
    a = v.array("x", x, ndim=(2, 3))
    b = v.array("x_hat", x_hat, ndim=(2, 3))
    v.same_shape("x", a, "x_hat", b)
    a, b = v.square_images("x", a), v.square_images("x_hat", b)

    def blur(img):  # the window slides over height and width only, never across examples
        return gaussian_filter(img, sigma=(0, sigma, sigma), truncate=3.5, mode="reflect")

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a ** 2
    var_b = blur(b * b) - mu_b ** 2
    cov = blur(a * b) - mu_a * mu_b
    s_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1)
                                                         * (var_a + var_b + c2))
    return _reduce(s_map.reshape(len(a), -1).mean(axis=1, dtype=np.float64), per_example)


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
