"""Figures the lessons share. Each function returns a matplotlib Figure made with pyplot, so a
notebook's inline backend shows it once at the end of the cell (assign it: ``fig = ...``)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import _validate as v
from .data import FASHION_MNIST_CLASSES

__all__ = [
    "as_images", "image_row_grid", "reconstruction_grid", "loss_curves", "sweep_curves",
    "latent_scatter", "latent_grid",
]


def as_images(x, name="x", image_shape=None) -> np.ndarray:
    """(n, 784) or (n, 28, 28[, c]) -> (n, h, w[, c]) for imshow; square sizes are inferred."""
    x = v.array(name, x, min_ndim=2)
    if image_shape is not None:
        return x.reshape((len(x),) + tuple(image_shape))
    return v.square_images(name, x, hint="pass image_shape=(h, w)")


def image_row_grid(rows: dict, *, n: int = 8, image_shape=None, title=None, cmap="gray",
                   row_height: float = 1.2):
    """One row of ``n`` images per entry of ``rows`` ({label: images}), label on the left."""
    if not isinstance(rows, dict) or not rows:
        raise TypeError("rows must be a non-empty dict {label: images}")
    n = v.positive_int("n", n)
    imgs = {k: as_images(x, f"rows[{k!r}]", image_shape) for k, x in rows.items()}
    short = min(len(x) for x in imgs.values())
    if short < n:
        raise ValueError(f"n={n} but a row has only {short} images")
    fig, axes = plt.subplots(len(imgs), n, figsize=(n * row_height, len(imgs) * row_height),
                             squeeze=False)
    for r, (label, x) in enumerate(imgs.items()):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(np.clip(x[c], 0, 1), cmap=cmap, vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
        axes[r, 0].set_ylabel(str(label), rotation=0, ha="right", va="center", fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def reconstruction_grid(x, x_hat, *, n: int = 8, labels=("original", "reconstruction"),
                        title=None, image_shape=None):
    """Originals on top, reconstructions below."""
    return image_row_grid({labels[0]: x, labels[1]: x_hat}, n=n, title=title,
                          image_shape=image_shape)


def _history_dict(h, name):
    if hasattr(h, "history"):
        h = h.history
    if not isinstance(h, dict) or not h:
        raise TypeError(f"{name} must be a Keras History or a dict of metric lists, got {h!r}")
    return h


def loss_curves(histories, *, keys=("loss", "val_loss"), log_scale: bool = False, title=None):
    """Loss per epoch for one History (or dict) or several ({label: History})."""
    if hasattr(histories, "history") or (isinstance(histories, dict) and histories
                                         and all(isinstance(x, list) for x in histories.values())):
        histories = {"": histories}
    if not isinstance(histories, dict) or not histories:
        raise TypeError("histories must be a History, a dict of lists, or {label: History}")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, (label, h) in enumerate(histories.items()):
        h = _history_dict(h, f"histories[{label!r}]")
        color = f"C{i}"
        for key in keys:
            if key in h:
                epochs = np.arange(1, len(h[key]) + 1)
                ax.plot(epochs, h[key], color=color, ls="--" if key.startswith("val") else "-",
                        label=f"{label} {key}".strip())
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log_scale:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def sweep_curves(curves: dict, *, xlabel: str, ylabel: str = "loss", log_x: bool = True,
                 log_y: bool = False, highlight=None, title=None):
    """One line with markers per entry of ``curves`` ({label: (x values, y values)}): a final
    metric against a swept setting (learning rate, batch size, code size...). ``highlight``:
    an x value marked with a vertical line (e.g. the chosen setting)."""
    if not isinstance(curves, dict) or not curves:
        raise TypeError("curves must be a non-empty dict {label: (x values, y values)}")
    v.boolean("log_x", log_x), v.boolean("log_y", log_y)
    v.string("xlabel", xlabel, allow_empty=True), v.string("ylabel", ylabel, allow_empty=True)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, (label, pair) in enumerate(curves.items()):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"curves[{label!r}] must be a pair (x values, y values)")
        xs = v.array(f"curves[{label!r}] x", pair[0], ndim=1)
        ys = v.array(f"curves[{label!r}] y", pair[1], ndim=1)
        v.same_shape(f"curves[{label!r}] x", xs, f"curves[{label!r}] y", ys)
        if (log_x and xs.min() <= 0) or (log_y and ys.min() <= 0):
            raise ValueError(f"curves[{label!r}] has values <= 0, which a log axis cannot show")
        ax.plot(xs, ys, "o-", color=f"C{i}", label=str(label))
    if highlight is not None:
        ax.axvline(v.number("highlight", highlight), color="gray", ls=":", lw=1)
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def latent_scatter(maps: dict, labels, *, class_names=FASHION_MNIST_CLASSES, title=None,
                   point_size: float = 3.0):
    """Side-by-side 2-D maps ({title: (n, 2) codes}) colored by class label, one panel each,
    with one shared legend: the picture for comparing PCA, a linear AE, a VAE..."""
    if not isinstance(maps, dict) or not maps:
        raise TypeError("maps must be a non-empty dict {panel title: (n, 2) codes}")
    labels = v.array("labels", labels, ndim=1).astype(int)
    point_size = v.number("point_size", point_size, low=0.0, low_open=True)
    if labels.size and (labels.min() < 0 or (class_names is not None
                                             and labels.max() >= len(class_names))):
        allowed = (f"[0, {len(class_names) - 1}]" if class_names is not None
                   else "non-negative integers")
        raise ValueError(f"labels must be class indices in {allowed}, "
                         f"got values in [{labels.min()}, {labels.max()}]")
    fig, axes = plt.subplots(1, len(maps), figsize=(4 * len(maps), 4), squeeze=False)
    for ax, (name, codes) in zip(axes[0], maps.items()):
        z = v.array(f"maps[{name!r}]", codes, ndim=2)
        if z.shape != (len(labels), 2):
            raise ValueError(f"maps[{name!r}] must have shape ({len(labels)}, 2) to match "
                             f"labels, got {z.shape}")
        for c in np.unique(labels):
            pts = z[labels == c]
            ax.scatter(pts[:, 0], pts[:, 1], s=point_size, alpha=0.6, color=plt.cm.tab10(c % 10),
                       label=class_names[c] if class_names is not None else str(c))
        ax.set_title(str(name), fontsize=10)
        ax.set_xticks([]), ax.set_yticks([])
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(len(names), 5), fontsize=8,
               markerscale=4, frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def latent_grid(decode, *, span=(-2.0, 2.0), n: int = 12, image_shape=(28, 28), title=None):
    """Decode an n x n grid of 2-D codes over ``span`` x ``span`` and tile the images: what each
    region of a 2-D latent space draws. ``decode``: a function (m, 2) codes -> m images."""
    if not callable(decode):
        raise TypeError(f"decode must be a function from (m, 2) codes to images, got {decode!r}")
    n = v.positive_int("n", n, minimum=2, maximum=40)
    if not isinstance(span, (tuple, list)) or len(span) != 2:
        raise TypeError(f"span must be a pair (low, high), got {span!r}")
    lo = v.number("span[0]", span[0])
    hi = v.number("span[1]", span[1])
    if hi <= lo:
        raise ValueError(f"span must have low < high, got {span!r}")
    axis = np.linspace(lo, hi, n, dtype=np.float32)
    z = np.stack(np.meshgrid(axis, axis[::-1]), axis=-1).reshape(-1, 2)  # row 0 = top = high z2
    imgs = as_images(np.asarray(decode(z)), "decode(z)", image_shape)
    h, w = imgs.shape[1:3]
    canvas = imgs.reshape(n, n, h, w).transpose(0, 2, 1, 3).reshape(n * h, n * w)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.imshow(np.clip(canvas, 0, 1), cmap="gray", vmin=0, vmax=1,
              extent=(lo, hi, lo, hi))
    ax.set_xlabel("z1"), ax.set_ylabel("z2")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
