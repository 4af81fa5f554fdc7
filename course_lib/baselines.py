"""Baselines every autoencoder in the course is measured against: the best linear code (PCA),
a real image codec (JPEG) and classical up-sampling (bicubic). Each is computed in the lesson
that uses it, in seconds, never typed in as a number.

Nothing here imports TensorFlow or another course_lib module but ``_validate``: metrics, data
and codec re-export these names for the lessons, and the import graph stays a tree."""
from __future__ import annotations

import io

import numpy as np

from . import _validate as v

__all__ = ['jpeg_roundtrip', 'upsample_bicubic', 'pca_basis', 'pca_reconstruction', 'pca_curve',
           'pca_inpaint']


def _pca_args(x_train, x_test, name_test="x_test"):
    a = v.array("x_train", x_train, min_ndim=2)
    b = v.array(name_test, x_test, min_ndim=2)
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x_train and {name_test} must have the same number of features, "
                         f"got {a.shape[1]} and {b.shape[1]}")
    if len(a) < 2:
        raise ValueError(f"x_train needs at least 2 examples to estimate PCA, got {len(a)}")
    return a, b


def _pca_basis(a):
    # eigh of the d x d covariance is far cheaper than an SVD of the n x d data for n >> d
    mean = a.mean(axis=0, dtype=np.float64)
    cov = np.zeros((a.shape[1], a.shape[1]))
    for start in range(0, len(a), 4096):  # chunks: no float64 copy of the whole training set
        c = a[start:start + 4096].astype(np.float64) - mean
        cov += c.T @ c
    vals, vecs = np.linalg.eigh(cov)
    return mean, vecs[:, ::-1]  # columns by decreasing variance


def pca_basis(x_train, k: int):
    """PCA fitted on ``x_train`` (rows = examples, any trailing shape flattened): returns
    ``(mean, components)`` with ``mean`` of shape (d,) and ``components`` of shape (d, k), whose
    orthonormal columns are the top-``k`` principal directions by decreasing variance (each
    column's sign is arbitrary). The PCA-k code of ``x`` is ``(x - mean) @ components``."""
    a = v.array("x_train", x_train, min_ndim=2)
    a = a.reshape(len(a), -1)
    if len(a) < 2:
        raise ValueError(f"x_train needs at least 2 examples to estimate PCA, got {len(a)}")
    k = v.positive_int("k", k, maximum=a.shape[1])
    mean, basis = _pca_basis(a)
    return mean.astype(np.float32), np.ascontiguousarray(basis[:, :k]).astype(np.float32)


def pca_reconstruction(x_train, x_test, k: int) -> np.ndarray:
    """Project ``x_test`` onto the top-``k`` principal components of ``x_train`` and map back:
    the best any linear k-dimensional code can do in MSE (same shape as ``x_test``)."""
    a, b = _pca_args(x_train, x_test)
    k = v.positive_int("k", k, maximum=a.shape[1])
    mean, basis = _pca_basis(a)
    w = basis[:, :k]
    rec = (b - mean) @ w @ w.T + mean
    return rec.astype(np.float32).reshape(np.shape(x_test))


def pca_curve(x_train, x_test, ks=(2, 4, 8, 16, 32, 64, 128)) -> dict:
    """Test MSE per pixel of PCA with each code size in ``ks`` ({k: mse}), fitted once on
    ``x_train``: the baseline curve an autoencoder's code-size sweep is drawn against."""
    a, b = _pca_args(x_train, x_test)
    ks = v.int_tuple("ks", ks, allow_empty=False)
    if max(ks) > a.shape[1]:
        raise ValueError(f"ks must be <= the number of features ({a.shape[1]}), got {max(ks)}")
    mean, basis = _pca_basis(a)
    centered = b - mean
    out = {}
    for k in ks:
        w = basis[:, :k]
        out[k] = float(np.mean((centered - centered @ w @ w.T) ** 2))
    return out


def pca_inpaint(x_train, x_masked, mask, k: int, *, ridge: float = 1e-3) -> np.ndarray:
    """Fill the masked pixels of each image with PCA: fit the top-``k`` component coefficients
    to the *observed* pixels only (ridge-regularized least squares), then read the missing
    pixels off ``mean + components @ coefficients``. Observed pixels are kept as they are."""
    a, b = _pca_args(x_train, x_masked, "x_masked")
    m = v.missing_mask(mask, b)
    k = v.positive_int("k", k, maximum=a.shape[1])
    ridge = v.number("ridge", ridge, low=0.0)
    mean, basis = _pca_basis(a)
    w = basis[:, :k]
    out = b.astype(np.float64).copy()
    for i in range(len(b)):
        seen = ~m[i]
        ws = w[seen]
        coef = np.linalg.solve(ws.T @ ws + ridge * np.eye(k), ws.T @ (b[i, seen] - mean[seen]))
        out[i, m[i]] = (mean + w @ coef)[m[i]]
    return np.clip(out, 0.0, 1.0).astype(np.float32).reshape(np.shape(x_masked))


def jpeg_roundtrip(images, quality: int):
    """Encode each grayscale image (n, h, w) or square-flattened (n, h*w) in [0, 1] as a JPEG
    file with Pillow at ``quality`` (1–95); return ``(decoded images like the input, bits per
    image array)``. The bits are whole files, headers and tables included."""
    from PIL import Image

    x = v.array("images", images, ndim=(2, 3), unit_range=True)
    quality = v.positive_int("quality", quality, maximum=95)
    imgs = v.square_images("images", x)
    decoded, bits = [], []
    for img in imgs:
        buf = io.BytesIO()
        Image.fromarray(np.round(img * 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
        bits.append(buf.tell() * 8)
        decoded.append(np.asarray(Image.open(io.BytesIO(buf.getvalue())), np.float32) / 255.0)
    return np.stack(decoded).reshape(x.shape), np.array(bits)


def upsample_bicubic(x, size) -> np.ndarray:
    """Bicubic up-sampling of grayscale images (n, h, w) to ``size`` (an int or (h, w)) with
    Pillow, clipped to [0, 1]: the classic baseline for super-resolution."""
    from PIL import Image

    x = v.array("x", x, ndim=3, unit_range=True)
    size = v.int_tuple("size", size if isinstance(size, (tuple, list)) else (size, size))
    if len(size) != 2:
        raise ValueError(f"size must be an int or (height, width), got {size}")
    out = [np.asarray(Image.fromarray(im, mode="F").resize(size[::-1], Image.BICUBIC)) for im in x]
    return np.clip(np.stack(out), 0.0, 1.0).astype(np.float32)
