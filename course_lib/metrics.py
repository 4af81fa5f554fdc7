"""Reconstruction metrics on NumPy arrays (per pixel, averaged over examples)."""
from __future__ import annotations

import numpy as np

from . import _validate as v

__all__ = [
    "mse", "mae", "bce", "psnr", "ssim", "checkerboard_score", "mmd", "recall_at_k",
    "ndcg_at_k", "precision_at_k", "cluster_purity", "masked_psnr", "frechet_distance",
    "pca_inpaint", "knn_accuracy", "roc_auc", "pr_auc",
    "precision_recall_f1", "event_recall", "pca_reconstruction", "pca_curve", "sparsity_stats",
    "pca_basis", "principal_angles",
]


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
    return per_example if per_example_flag else float(per_example.mean())


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


def mmd(a, b, *, bandwidth: float = 1.0) -> float:
    """Maximum mean discrepancy between two samples (rows are points), with the RBF kernel
    k(x, y) = exp(-||x - y||^2 / (2 bandwidth^2)).

    Returns sqrt of the biased (V-statistic) estimate of MMD^2, so 0 for identical samples and
    never negative. Cost grows as len(a) * len(b): subsample to a few thousand rows.
    """
    a = v.array("a", a, ndim=2)
    b = v.array("b", b, ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"a and b must have the same number of columns, got {a.shape[1]} and "
                         f"{b.shape[1]}")
    bandwidth = v.number("bandwidth", bandwidth, low=0.0, low_open=True)
    a, b = a.astype(np.float64), b.astype(np.float64)

    def mean_kernel(p, q):
        sq = (p ** 2).sum(1)[:, None] + (q ** 2).sum(1)[None, :] - 2.0 * p @ q.T
        return float(np.exp(-np.maximum(sq, 0.0) / (2.0 * bandwidth ** 2)).mean())

    return float(np.sqrt(max(mean_kernel(a, a) + mean_kernel(b, b) - 2.0 * mean_kernel(a, b), 0.0)))


def frechet_distance(a, b) -> float:
    """Fréchet distance between Gaussians fitted to two samples of features (rows are points):
    ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), the measure behind FID. 0 when the
    two samples have the same mean and covariance; it needs more rows than columns."""
    a = v.array("a", a, ndim=2).astype(np.float64)
    b = v.array("b", b, ndim=2).astype(np.float64)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"a and b must have the same number of columns, got {a.shape[1]} and "
                         f"{b.shape[1]}")
    if min(len(a), len(b)) <= a.shape[1]:
        raise ValueError(f"a and b need more rows than columns ({a.shape[1]}) for a full "
                         f"covariance, got {len(a)} and {len(b)} rows")
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)

    def psd_sqrt(m):
        w, q = np.linalg.eigh(m)
        return (q * np.sqrt(np.maximum(w, 0.0))) @ q.T

    root = psd_sqrt(cov_a)  # Tr (S_a S_b)^(1/2) = Tr (S_a^(1/2) S_b S_a^(1/2))^(1/2), symmetric
    cross = np.sqrt(np.maximum(np.linalg.eigvalsh(root @ cov_b @ root), 0.0)).sum()
    diff = a.mean(0) - b.mean(0)
    return float(max(diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * cross, 0.0))


def _ranking_args(scores, held_out, k, exclude):
    s = v.array("scores", scores, ndim=2).copy()
    held = np.asarray(held_out)
    if held.shape != (len(s),) or not np.issubdtype(held.dtype, np.integer):
        raise ValueError(f"held_out must be one integer item index per row, shape ({len(s)},), "
                         f"got shape {held.shape} and dtype {held.dtype}")
    if held.min() < 0 or held.max() >= s.shape[1]:
        raise ValueError(f"held_out indices must be in [0, {s.shape[1] - 1}]")
    k = v.positive_int("k", k, maximum=s.shape[1])
    if exclude is not None:
        ex = v.array("exclude", exclude, ndim=2)
        v.same_shape("scores", s, "exclude", ex)
        s[ex > 0] = -np.inf  # never recommend what the customer already has
    # rank of the held-out item among the candidates (0 = first), ties counted pessimistically
    rank = (s >= s[np.arange(len(s)), held][:, None]).sum(axis=1) - 1
    return rank, k


def recall_at_k(scores, held_out, k: int = 10, *, exclude=None) -> float:
    """Share of rows whose single held-out item is among the k highest scores (items in
    ``exclude`` > 0, e.g. past purchases, are skipped)."""
    rank, k = _ranking_args(scores, held_out, k, exclude)
    return float(np.mean(rank < k))


def ndcg_at_k(scores, held_out, k: int = 10, *, exclude=None) -> float:
    """Normalized discounted cumulative gain with one relevant item per row:
    ``1 / log2(rank + 2)`` when it ranks in the top k, else 0; averaged over rows."""
    rank, k = _ranking_args(scores, held_out, k, exclude)
    return float(np.mean(np.where(rank < k, 1.0 / np.log2(rank + 2.0), 0.0)))


def knn_accuracy(train_codes, train_labels, test_codes, test_labels, k: int = 5) -> float:
    """Accuracy of a k-nearest-neighbour classifier (Euclidean) fitted on ``train_codes`` and
    scored on held-out ``test_codes``: how well a map or code keeps classes apart."""
    from sklearn.neighbors import KNeighborsClassifier

    a = v.array("train_codes", train_codes, ndim=2)
    b = v.array("test_codes", test_codes, ndim=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"train_codes and test_codes must have the same number of columns, "
                         f"got {a.shape[1]} and {b.shape[1]}")
    ya = _labels("train_labels", train_labels, len(a))
    yb = _labels("test_labels", test_labels, len(b))
    k = v.positive_int("k", k, maximum=len(a))
    import sklearn

    # distances are computed in chunks of at most 64 MB, so 784-D inputs stay light on memory
    with sklearn.config_context(working_memory=64):
        return float(KNeighborsClassifier(n_neighbors=k).fit(a, ya).score(b, yb))


def _labels(name, y, n):
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"{name} must be one label per row, shape ({n},), got shape {y.shape}")
    if not (np.issubdtype(y.dtype, np.integer) or y.dtype == bool):
        raise TypeError(f"{name} must hold integer (or bool) labels, got dtype {y.dtype}")
    return y


def _binary_scores(y_true, scores):
    s = v.array("scores", scores, ndim=1)
    y = _labels("y_true", y_true, len(s)).astype(np.int64)
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must hold only 0 (normal) and 1 (anomaly)")
    if y.min() == y.max():
        raise ValueError("y_true must contain both classes, 0 (normal) and 1 (anomaly)")
    return y, s.astype(np.float64)


def roc_auc(y_true, scores) -> float:
    """Area under the ROC curve with 1 = anomaly (positive) and higher score = more anomalous:
    the chance that a random anomaly scores above a random normal example (0.5 = guessing)."""
    from sklearn.metrics import roc_auc_score

    y, s = _binary_scores(y_true, scores)
    return float(roc_auc_score(y, s))


def pr_auc(y_true, scores) -> float:
    """Area under the precision-recall curve for the anomaly class (average precision). Unlike
    ROC-AUC it depends on how rare anomalies are: guessing scores the anomaly share."""
    from sklearn.metrics import average_precision_score

    y, s = _binary_scores(y_true, scores)
    return float(average_precision_score(y, s))


def precision_recall_f1(y_true, scores, threshold: float) -> dict:
    """Flag ``scores > threshold`` as anomalies and compare with ``y_true`` (1 = anomaly).

    Returns a dict with ``precision``, ``recall``, ``f1`` (0 where undefined, e.g. nothing
    flagged) and the confusion counts ``tp``, ``fp``, ``fn``, ``tn``.
    """
    y, s = _binary_scores(y_true, scores)
    threshold = v.number("threshold", threshold)
    flagged = s > threshold
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    fn = int(np.sum(~flagged & (y == 1)))
    tn = int(np.sum(~flagged & (y == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def event_recall(events, flagged_windows, window_starts, width: int) -> float:
    """Share of anomalous events caught: an event ``(start, end)`` (end exclusive) counts as
    detected when at least one flagged window ``[s, s + width)`` overlaps it."""
    starts = np.asarray(window_starts)
    if starts.ndim != 1 or not np.issubdtype(starts.dtype, np.integer) or starts.size == 0:
        raise ValueError(f"window_starts must be a non-empty 1-D integer array, got shape "
                         f"{starts.shape} and dtype {starts.dtype}")
    flags = np.asarray(flagged_windows)
    if flags.shape != starts.shape or flags.dtype != bool:
        raise ValueError(f"flagged_windows must be a bool array of shape {starts.shape}, got "
                         f"shape {flags.shape} and dtype {flags.dtype}")
    width = v.positive_int("width", width)
    if isinstance(events, (str, bytes)) or not hasattr(events, "__len__") or len(events) == 0:
        raise ValueError("events must be a non-empty sequence of (start, end) pairs")
    hit = starts[flags]
    caught = 0
    for i, ev in enumerate(events):
        try:
            start, end = int(ev[0]), int(ev[1])
        except (TypeError, ValueError, IndexError):
            raise TypeError(f"events[{i}] must be a (start, end, ...) tuple, got {ev!r}") from None
        if end <= start:
            raise ValueError(f"events[{i}]: end must be > start, got ({start}, {end})")
        caught += bool(np.any((hit < end) & (hit + width > start)))
    return caught / len(events)




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


def _orthonormal_columns(name, m):
    q, r = np.linalg.qr(m)
    d = np.abs(np.diag(r))
    if d.min() <= 1e-10 * max(d.max(), 1e-300):
        raise ValueError(f"{name} must have linearly independent columns (full column rank), "
                         f"so that its columns span a {m.shape[1]}-dimensional subspace")
    return q


def principal_angles(a, b) -> np.ndarray:
    """Principal angles (radians, ascending, in [0, pi/2]) between the column spans of ``a``
    (d x p) and ``b`` (d x q): min(p, q) angles, all 0 when one span contains the other, all
    pi/2 when they are orthogonal. Computed from orthonormal bases (QR) and an SVD; small angles
    come from the sines, so they stay accurate near 0. Each matrix needs full column rank."""
    v.array("a", a, ndim=2), v.array("b", b, ndim=2)  # checks only: keep float64 precision
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"a and b must have the same number of rows (the ambient dimension), "
                         f"got {a.shape[0]} and {b.shape[0]}")
    for name, m in (("a", a), ("b", b)):
        if m.shape[1] > m.shape[0]:
            raise ValueError(f"{name} must have at most as many columns as rows (k <= d), got "
                             f"shape {m.shape}; pass the basis vectors as columns")
    qa, qb = _orthonormal_columns("a", a), _orthonormal_columns("b", b)
    if qa.shape[1] < qb.shape[1]:
        qa, qb = qb, qa  # qb is the smaller span; its angles to the larger one are the answer
    # both lists run from the largest angle to the smallest: cosines ascending, sines descending
    cos = np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False)[::-1], 0.0, 1.0)
    sin = np.clip(np.linalg.svd(qb - qa @ (qa.T @ qb), compute_uv=False), 0.0, 1.0)
    # arccos loses precision near 0 and arcsin near pi/2: use each where it is accurate
    angles = np.where(cos ** 2 < 0.5, np.arccos(cos), np.arcsin(sin))
    return np.sort(angles)


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




def _unit_rows(z):
    return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)


def precision_at_k(query_codes, query_labels, db_codes=None, db_labels=None, *, k: int = 10):
    """Share of each query's k nearest neighbours (cosine similarity) that have its label,
    averaged over queries. Without a database, each query searches the other queries
    (leave-one-out)."""
    q = v.array("query_codes", query_codes, ndim=2)
    ql = np.asarray(query_labels)
    if ql.shape != (len(q),):
        raise ValueError(f"query_labels must have shape ({len(q)},), got {ql.shape}")
    leave_one_out = db_codes is None
    if leave_one_out:
        d, dl = q, ql
    else:
        d = v.array("db_codes", db_codes, ndim=2)
        dl = np.asarray(db_labels)
        if dl.shape != (len(d),):
            raise ValueError(f"db_labels must have shape ({len(d)},), got {dl.shape}")
        if d.shape[1] != q.shape[1]:
            raise ValueError(f"db_codes must have {q.shape[1]} columns like query_codes, got {d.shape[1]}")
    k = v.positive_int("k", k, maximum=len(d) - (1 if leave_one_out else 0))
    qn, dn = _unit_rows(q), _unit_rows(d)
    hits = 0
    for start in range(0, len(q), 256):  # 256 queries at a time keeps memory flat
        sims = qn[start:start + 256] @ dn.T
        if leave_one_out:
            rows = np.arange(len(sims))
            sims[rows, start + rows] = -np.inf
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        hits += int((dl[nearest] == ql[start:start + 256, None]).sum())
    return hits / (len(q) * k)


def cluster_purity(labels, clusters) -> float:
    """Share of examples whose cluster's majority label is their own label (1.0 = every cluster
    holds a single label)."""
    y, c = np.asarray(labels), np.asarray(clusters)
    if y.ndim != 1 or y.shape != c.shape or not len(y):
        raise ValueError(f"labels and clusters must be 1-D and of equal, non-zero length, "
                         f"got shapes {y.shape} and {c.shape}")
    if not (np.issubdtype(y.dtype, np.integer) and np.issubdtype(c.dtype, np.integer)):
        raise TypeError("labels and clusters must be integer arrays")
    return float(sum(np.bincount(y[c == j]).max() for j in np.unique(c)) / len(y))


def sparsity_stats(codes, *, threshold: float = 0.01) -> dict:
    """How sparse a batch of codes is (rows = examples, columns = code units).

    Returns mean_activation (mean of the codes), near_zero_fraction (share of entries with
    |a| < threshold), nonzeros_min / nonzeros_max / nonzeros_mean (exact non-zeros per code)
    and dead_units (units below threshold on every example)."""
    z = v.array("codes", codes, ndim=2)
    threshold = v.number("threshold", threshold, low=0.0)
    nonzeros = np.count_nonzero(z, axis=1)
    near_zero = np.abs(z) < threshold
    return {"mean_activation": float(z.mean()), "near_zero_fraction": float(near_zero.mean()),
            "nonzeros_min": int(nonzeros.min()), "nonzeros_max": int(nonzeros.max()),
            "nonzeros_mean": float(nonzeros.mean()), "dead_units": int(near_zero.all(axis=0).sum())}




def _mask_args(x, x_hat, mask):
    a, b = _pair(x, x_hat)
    m = np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"mask must be a boolean array (True = missing), got dtype {m.dtype}")
    m = m.reshape(len(m), -1) if m.ndim > 1 else m[None]
    if m.shape != a.shape:
        raise ValueError(f"mask must have the shape of x, got {np.shape(mask)} for {np.shape(x)}")
    if not m.any(axis=1).all():
        raise ValueError("mask hides no pixel in some example: there is nothing to score there")
    return a, b, m


def masked_psnr(x, x_hat, mask, *, per_example: bool = False):
    """PSNR (data range 1) over the pixels where ``mask`` is True only — the restored region —
    computed per example and averaged."""
    a, b, m = _mask_args(x, x_hat, mask)
    per_mse = ((a - b) ** 2 * m).sum(axis=1) / m.sum(axis=1)
    return _reduce(10.0 * np.log10(1.0 / np.maximum(per_mse, 1e-10)), per_example)


def pca_inpaint(x_train, x_masked, mask, k: int, *, ridge: float = 1e-3) -> np.ndarray:
    """Fill the masked pixels of each image with PCA: fit the top-``k`` component coefficients
    to the *observed* pixels only (ridge-regularized least squares), then read the missing
    pixels off ``mean + components @ coefficients``. Observed pixels are kept as they are."""
    a, b = _pca_args(x_train, x_masked, "x_masked")
    _, _, m = _mask_args(b, b, mask)
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
