"""Image operations: down- and up-sampling, patches, colour spaces."""
from __future__ import annotations

import numpy as np

from .. import _validate as v
from ..baselines import upsample_bicubic  # noqa: F401  (re-exported: lessons call data.upsample_bicubic)

__all__ = ['downsample', 'upsample_bicubic', 'image_patches', 'rgb_to_ycbcr', 'ycbcr_to_rgb']


def downsample(x, factor: int = 2) -> np.ndarray:
    """Average-pool images (n, h, w[, c]) by ``factor`` in both directions (what a camera with
    bigger pixels would record)."""
    x = v.array("x", x, ndim=(3, 4))
    factor = v.positive_int("factor", factor, minimum=2)
    n, h, w = x.shape[:3]
    if h % factor or w % factor:
        raise ValueError(f"factor must divide the image size {h}x{w}, got {factor}")
    return x.reshape(n, h // factor, factor, w // factor, factor, *x.shape[3:]).mean(axis=(2, 4))


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
