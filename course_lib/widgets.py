"""Interactive explorers. Each is a plain ``compute(**control_values) -> dict`` plus a
``render(result) -> Figure``; the sliders only call them. Tests call ``compute`` directly or set
``explorer.controls[name].value`` headlessly and read ``explorer.result``.

Explorers display; they do not run experiments. Those that show one trained model per setting
(code size, sparsity, beta) get their models from ``training.sweep`` and keep its results as
``explorer.results`` ({value: result}) and ``explorer.models`` ({value: model})."""
from __future__ import annotations

import io

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

from . import _validate as v

__all__ = [
    "Explorer", "code_size_explorer", "retrieval_explorer", "threshold_explorer",
    "sparsity_explorer", "latent_explorer", "beta_explorer", "noise_explorer",
]


class Explorer:
    """Controls + output area; re-renders whenever a control's value changes."""

    def __init__(self, compute, render, controls: dict, *, title: str = ""):
        if not callable(compute) or not callable(render):
            raise TypeError("compute and render must be callables")
        if not isinstance(controls, dict) or not controls:
            raise TypeError("controls must be a non-empty dict {name: ipywidget}")
        self.compute, self.render, self.controls = compute, render, controls
        self.output = W.Output()
        header = [W.HTML(f"<b>{title}</b>")] if title else []
        self.widget = W.VBox(header + list(controls.values()) + [self.output])
        self.result = None
        for c in controls.values():
            c.observe(lambda change: self.update(), names="value")
        self.update()

    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def update(self):
        from IPython.display import Image, display

        self.result = self.compute(**self.values())
        fig = self.render(self.result)
        # A PNG, not the Figure object: a Figure only renders as an image where the inline
        # backend is active, and shows as "<Figure size ...>" text under any other backend.
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        with self.output:
            self.output.clear_output(wait=True)
            display(Image(data=png.getvalue(), format="png"))
        return self.result

    def _ipython_display_(self, **kwargs):
        # display() instead of delegating _repr_mimebundle_: ipywidgets 7 (Colab's version)
        # widgets only have _ipython_display_, ipywidgets 8 widgets only _repr_mimebundle_.
        from IPython.display import display

        display(self.widget)


def code_size_explorer(x_train, x_test, code_sizes=(2, 8, 32, 64), *, hidden=(128,),
                       epochs: int = 3, n_images: int = 8, seed: int = 0,
                       progress: bool = True) -> Explorer:
    """Train one dense autoencoder per code size once (cached in memory), then a slider shows
    test images next to their reconstructions for the chosen size, with its test MSE."""
    from . import metrics, models, plots, training

    x_train = v.array("x_train", x_train, ndim=2, unit_range=True)
    x_test = v.array("x_test", x_test, ndim=2, unit_range=True)
    if x_train.shape[1] != x_test.shape[1]:
        raise ValueError(f"x_train and x_test must have the same number of features, "
                         f"got {x_train.shape[1]} and {x_test.shape[1]}")
    sizes = v.distinct("code_sizes", v.int_tuple("code_sizes", code_sizes, allow_empty=False))
    n_images = v.positive_int("n_images", n_images, maximum=len(x_test))
    epochs = v.positive_int("epochs", epochs)

    def evaluate(model):
        x_hat = model.reconstruct(x_test)
        return {"mse": metrics.mse(x_test, x_hat), "originals": x_test[:n_images],
                "reconstructions": x_hat[:n_images]}

    cache = training.sweep(lambda k: models.dense_autoencoder(x_train.shape[1], k, hidden),
                           sizes, x_train, evaluate=evaluate, epochs=epochs, seed=seed,
                           progress=progress, desc="training one model per code size")
    _name_values(cache, "code_size")

    def compute(code_size):
        return _cached(cache, "code_size", code_size)

    def render(r):
        return plots.reconstruction_grid(
            r["originals"], r["reconstructions"], n=n_images,
            title=f"code size {r['code_size']}: test MSE {r['mse']:.4f}")

    slider = W.SelectionSlider(options=list(sizes), value=sizes[len(sizes) // 2],
                               description="code size", continuous_update=False)
    return _with_results(Explorer(compute, render, {"code_size": slider},
                                  title="Drag the slider: smaller codes keep less detail"), cache)


def threshold_explorer(y_true, scores, threshold=None, *, n_steps: int = 41,
                       log_scale: bool = True, title: str = "") -> Explorer:
    """A slider over anomaly thresholds (quantiles of ``scores``, plus ``threshold`` itself):
    shows both classes' score histograms with the cut, the confusion matrix, precision, recall
    and F1 (``metrics.precision_recall_f1``; 1 = anomaly, flagged when score > threshold)."""
    from . import metrics

    scores = v.array("scores", scores, ndim=1)
    metrics.precision_recall_f1(y_true, scores, float(np.median(scores)))  # validates y_true
    y = np.asarray(y_true).astype(np.int64)
    n_steps = v.positive_int("n_steps", n_steps, minimum=2)
    v.boolean("log_scale", log_scale)
    if log_scale and scores.min() <= 0:
        raise ValueError("log_scale=True needs positive scores; pass log_scale=False")
    cuts = set(np.quantile(scores, np.linspace(0.0, 1.0, n_steps)).astype(float).tolist())
    if threshold is not None:
        cuts.add(v.number("threshold", threshold))
    cuts = sorted(cuts)
    start = cuts[len(cuts) // 2] if threshold is None else float(threshold)

    def compute(threshold):
        r = metrics.precision_recall_f1(y, scores, threshold)
        r["threshold"] = float(threshold)
        return r

    def render(r):
        fig, (ax, cm_ax) = plt.subplots(1, 2, figsize=(9, 3.2),
                                        gridspec_kw={"width_ratios": [2, 1]})
        bins = (np.geomspace(scores.min(), scores.max(), 40) if log_scale else 40)
        for label, name, color in ((0, "normal", "tab:blue"), (1, "anomaly", "tab:red")):
            ax.hist(scores[y == label], bins=bins, alpha=0.5, color=color, label=name,
                    density=True)
        if log_scale:
            ax.set_xscale("log")
        ax.axvline(r["threshold"], color="k", ls="--", label="threshold")
        ax.set_xlabel("anomaly score")
        ax.legend(fontsize=8)
        cm = np.array([[r["tn"], r["fp"]], [r["fn"], r["tp"]]])
        cm_ax.imshow(cm, cmap="Blues")
        for (i, j), n in np.ndenumerate(cm):
            cm_ax.text(j, i, str(n), ha="center", va="center",
                       color="white" if n > cm.max() / 2 else "black")
        cm_ax.set_xticks([0, 1], ["kept", "flagged"])
        cm_ax.set_yticks([0, 1], ["normal", "anomaly"])
        cm_ax.set_title(f"precision {r['precision']:.2f}  recall {r['recall']:.2f}  "
                        f"F1 {r['f1']:.2f}", fontsize=9)
        fig.tight_layout()
        return fig

    slider = W.SelectionSlider(options=[(f"{c:.3g}", c) for c in cuts], value=start,
                               description="threshold", continuous_update=False)
    return Explorer(compute, render, {"threshold": slider},
                    title=title or "Drag the threshold: recall against false alarms")




def sparsity_explorer(x_train, x_test, values=(2, 8, 32), *, sparsity: str = "topk",
                      code_size: int = 64, hidden=(256,), epochs: int = 3, n_images: int = 8,
                      seed: int = 0, progress: bool = True) -> Explorer:
    """Train one ``models.sparse_autoencoder`` per value (k for sparsity='topk', the target rho
    for 'kl'), cached in memory; a slider shows test images, their reconstructions and their
    codes (one row of units per image), with test MSE and ``metrics.sparsity_stats``."""
    from . import metrics, models, training

    x_train = v.array("x_train", x_train, ndim=2, unit_range=True)
    x_test = v.array("x_test", x_test, ndim=2, unit_range=True)
    if x_train.shape[1] != x_test.shape[1]:
        raise ValueError(f"x_train and x_test must have the same number of features, "
                         f"got {x_train.shape[1]} and {x_test.shape[1]}")
    v.option("sparsity", sparsity, {"topk", "kl"})  # a slider over k, or over rho
    code_size = v.positive_int("code_size", code_size)
    if not isinstance(values, (tuple, list)) or not values:
        raise TypeError(f"values must be a non-empty tuple, got {values!r}")
    if sparsity == "topk":
        values = tuple(v.positive_int(f"values[{i}]", k, maximum=code_size)
                       for i, k in enumerate(values))
    else:
        values = tuple(v.number(f"values[{i}]", r, low=0.0, high=1.0, low_open=True,
                                high_open=True) for i, r in enumerate(values))
    v.distinct("values", values)
    n_images = v.positive_int("n_images", n_images, maximum=len(x_test))
    epochs = v.positive_int("epochs", epochs)
    key = "k" if sparsity == "topk" else "rho"

    def build(value):
        kw = dict(k=value) if sparsity == "topk" else dict(target=value)
        return models.sparse_autoencoder(x_train.shape[1], code_size, hidden, sparsity=sparsity,
                                         **kw)

    def evaluate(model):
        codes = model.encode(x_test)
        x_hat = model.reconstruct(x_test)
        return {"mse": metrics.mse(x_test, x_hat), **metrics.sparsity_stats(codes),
                "originals": x_test[:n_images], "reconstructions": x_hat[:n_images],
                "codes": codes[:n_images]}

    cache = training.sweep(build, values, x_train, evaluate=evaluate, epochs=epochs, seed=seed,
                           progress=progress, desc=f"training one model per {key}")
    _name_values(cache, key)

    def compute(**control):
        return _cached(cache, key, control[key])

    def render(r):
        from . import plots

        imgs = plots.as_images(np.concatenate([r["originals"], r["reconstructions"]]))
        fig = plt.figure(figsize=(1.1 * n_images, 4.2))
        grid = fig.add_gridspec(3, n_images, height_ratios=[1, 1, 1.3])
        for i in range(2 * n_images):
            ax = fig.add_subplot(grid[i // n_images, i % n_images])
            ax.imshow(imgs[i], cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
        ax = fig.add_subplot(grid[2, :])
        ax.imshow(r["codes"], aspect="auto", cmap="magma", interpolation="nearest")
        ax.set_xlabel("code unit"), ax.set_ylabel("image")
        fig.suptitle(f"{key} = {r[key]}: test MSE {r['mse']:.4f}, mean activation "
                     f"{r['mean_activation']:.3f}, near-zero {r['near_zero_fraction']:.0%}",
                     fontsize=10)
        return fig

    slider = W.SelectionSlider(options=list(values), value=values[len(values) // 2],
                               description=key, continuous_update=False)
    return _with_results(Explorer(compute, render, {key: slider},
                                  title=f"Drag {key}: fewer active units, blurrier "
                                        f"reconstructions"), cache)




def latent_explorer(model, *, span=(-3.0, 3.0), steps: int = 61, codes=None, labels=None,
                    image_shape=None, title: str = "") -> Explorer:
    """Two sliders (z1, z2) -> the image a 2-D code decodes to. ``model``: an Autoencoder with a
    2-number code (``model.decode``) or a function from (m, 2) codes to images. With ``codes``
    (n, 2) (and optionally class ``labels``) the left panel shows them, with the chosen point."""
    from . import plots

    if hasattr(model, "decode") and hasattr(model, "code_size"):
        if model.code_size != 2:
            raise ValueError(f"model must have a 2-number code, got code_size {model.code_size}")
        decode = model.decode
    elif callable(model):
        decode = model
    else:
        raise TypeError(f"model must be an Autoencoder with code_size 2 or a decode function, "
                        f"got {type(model).__name__}")
    if not isinstance(span, (tuple, list)) or len(span) != 2:
        raise TypeError(f"span must be a pair (low, high), got {span!r}")
    lo, hi = v.number("span[0]", span[0]), v.number("span[1]", span[1])
    if hi <= lo:
        raise ValueError(f"span must have low < high, got {span!r}")
    steps = v.positive_int("steps", steps, minimum=2, maximum=1001)
    if codes is not None:
        codes = v.array("codes", codes, ndim=2)
        if codes.shape[1] != 2:
            raise ValueError(f"codes must have shape (n, 2), got {codes.shape}")
        if labels is not None:
            labels = v.array("labels", labels, ndim=1).astype(int)
            if len(labels) != len(codes):
                raise ValueError(f"labels must have one entry per code: {len(codes)}, "
                                 f"got {len(labels)}")
    elif labels is not None:
        raise ValueError("labels need codes: pass codes=(n, 2) array as well")

    def compute(z1, z2):
        z = np.array([[z1, z2]], np.float32)
        return {"z": z[0], "image": plots.as_images(np.asarray(decode(z)), "decode(z)",
                                                    image_shape)[0]}

    def render(r):
        fig, axes = plt.subplots(1, 2 if codes is not None else 1, figsize=(
            7 if codes is not None else 3.2, 3.2), squeeze=False)
        if codes is not None:
            ax = axes[0, 0]
            ax.scatter(codes[:, 0], codes[:, 1], s=2, alpha=0.5,
                       c=labels if labels is not None else "lightgray", cmap="tab10",
                       vmin=0, vmax=9)
            ax.plot(*r["z"], "k+", ms=16, mew=2)
            ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="z1", ylabel="z2", aspect="equal")
        ax = axes[0, -1]
        ax.imshow(np.clip(r["image"], 0, 1), cmap="gray", vmin=0, vmax=1)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"z = ({r['z'][0]:.2f}, {r['z'][1]:.2f})", fontsize=10)
        fig.tight_layout()
        return fig

    values = np.linspace(lo, hi, steps)
    start = float(values[np.argmin(np.abs(values))])
    sliders = {name: W.FloatSlider(value=start, min=lo, max=hi, step=float(values[1] - values[0]),
                                   description=name, continuous_update=False)
               for name in ("z1", "z2")}
    return Explorer(compute, render, sliders,
                    title=title or "Drag z1 and z2: every point of the code space decodes "
                                   "to an image")


def beta_explorer(x_train, x_test, betas=(0.25, 1.0, 4.0, 16.0), *, kind: str = "conv",
                  latent_dim: int = 8, filters=(16, 32), hidden=(256,), epochs: int = 5,
                  batch_size: int = 256, learning_rate: float = 2e-3, n_images: int = 8,
                  seed: int = 0, progress: bool = True) -> Explorer:
    """Train one VAE per beta once (cached in memory; one progress bar over all of them), then
    a slider over beta shows test images, their reconstructions and samples from the prior.
    kind: 'conv' (``models.conv_vae(x.shape[1:], latent_dim, filters)``) or 'dense'
    (``models.vae(x.shape[1:], latent_dim, hidden)``). Each cached result holds the test 'rate'
    (mean KL) and 'distortion' (mean reconstruction BCE), both in nats per image; epochs,
    batch_size and learning_rate go to ``training.fit``;
    ``explorer.results`` is {beta: result} and ``explorer.models`` {beta: model}."""
    from . import models, training

    x_train = v.array("x_train", x_train, min_ndim=2, unit_range=True)
    x_test = v.array("x_test", x_test, min_ndim=2, unit_range=True)
    if x_train.shape[1:] != x_test.shape[1:]:
        raise ValueError(f"x_train and x_test must have the same image shape, "
                         f"got {x_train.shape[1:]} and {x_test.shape[1:]}")
    v.option("kind", kind, {"conv", "dense"})
    if kind == "conv" and x_train.ndim not in (3, 4):
        raise ValueError(f"kind='conv' needs images shaped (n, h, w) or (n, h, w, c), got "
                         f"x_train of shape {x_train.shape}; load with flatten=False")
    betas = v.distinct("betas", v.numbers_tuple("betas", betas, low=0.0))
    n_images = v.positive_int("n_images", n_images, maximum=len(x_test))
    epochs = v.positive_int("epochs", epochs)
    batch_size = v.positive_int("batch_size", batch_size)
    v.number("learning_rate", learning_rate, low=0.0, low_open=True)

    def build(beta):
        if kind == "conv":
            return models.conv_vae(x_train.shape[1:], latent_dim, filters, beta=beta, seed=seed)
        return models.vae(x_train.shape[1:], latent_dim, hidden, beta=beta, seed=seed)

    def evaluate(model):
        terms = model.elbo_terms(x_test, seed=seed)
        return {"rate": float(terms["kl"].mean()),
                "distortion": float(terms["reconstruction"].mean()),
                "originals": x_test[:n_images],
                "reconstructions": model.reconstruct(x_test[:n_images]),
                "samples": model.sample(n_images, seed=seed)}

    cache = training.sweep(build, betas, x_train, evaluate=evaluate, loss=None, epochs=epochs,
                           batch_size=batch_size, learning_rate=learning_rate, seed=seed,
                           progress=progress, desc="training one VAE per β")
    _name_values(cache, "beta")

    def compute(beta):
        return _cached(cache, "beta", beta)

    def render(r):
        from . import plots

        return plots.image_row_grid(
            {"test image": r["originals"], "reconstruction": r["reconstructions"],
             "prior sample": r["samples"]}, n=n_images,
            title=f"β = {r['beta']:g}: rate {r['rate']:.1f} nats (KL), "
                  f"distortion {r['distortion']:.1f} nats (BCE)")

    slider = W.SelectionSlider(options=list(betas), value=betas[min(1, len(betas) - 1)],
                               description="β", continuous_update=False)
    return _with_results(Explorer(compute, render, {"beta": slider},
                                  title="Drag β: a larger β buys a smoother code with blurrier "
                                        "images"), cache)


def _name_values(results: dict, name: str) -> None:
    """Store each sweep result's value under the explorer's own name for it too (e.g. 'beta')."""
    for value, result in results.items():
        result[name] = value


def _with_results(explorer: Explorer, results: dict) -> Explorer:
    """Attach a sweep's ``results`` ({value: result}) and their ``models`` to ``explorer``."""
    explorer.results = results
    explorer.models = {value: r["model"] for value, r in results.items()}
    return explorer


def _cached(cache: dict, name: str, value):
    """The precomputed result for one control value; any other value is refused by name."""
    if value not in cache:
        raise ValueError(f"{name} must be one of {tuple(cache)}, got {value!r}")
    return cache[value]


def retrieval_explorer(query_images, query_codes, db_images, db_codes, *, query_labels=None,
                       db_labels=None, k: int = 8, class_names=None) -> Explorer:
    """Image search by code: a slider picks a query image; its ``k`` nearest database images
    by cosine similarity of the codes are shown (with labels and the share that match, if given)."""
    from . import plots

    q_img = v.array("query_images", query_images, min_ndim=2)
    d_img = v.array("db_images", db_images, min_ndim=2)
    q = v.array("query_codes", query_codes, ndim=2)
    d = v.array("db_codes", db_codes, ndim=2)
    if len(q) != len(q_img) or len(d) != len(d_img):
        raise ValueError("each image needs one code: query_images/query_codes and "
                         "db_images/db_codes must have the same lengths")
    if q.shape[1] != d.shape[1]:
        raise ValueError(f"query_codes and db_codes must have the same width, "
                         f"got {q.shape[1]} and {d.shape[1]}")
    if (query_labels is None) != (db_labels is None):
        raise ValueError("pass both query_labels and db_labels, or neither")
    k = v.positive_int("k", k, maximum=len(d))

    def unit(z):
        return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)

    q, d = unit(q), unit(d)

    def compute(query):
        sims = d @ q[query]
        nearest = np.argsort(-sims)[:k]
        out = {"query": query, "neighbours": nearest, "similarity": sims[nearest]}
        if query_labels is not None:
            out["precision"] = float(np.mean(np.asarray(db_labels)[nearest] == query_labels[query]))
        return out

    def render(r):
        title = f"query {r['query']}"
        if "precision" in r:
            label = query_labels[r["query"]]
            name = class_names[label] if class_names else label
            title += f" ({name}): {r['precision']:.0%} of the {k} nearest share its class"
        return plots.image_row_grid({"query": np.repeat(q_img[r["query"]][None], k, 0),
                                     "nearest": d_img[r["neighbours"]]}, n=k, title=title)

    slider = W.IntSlider(value=0, min=0, max=len(q) - 1, description="query",
                         continuous_update=False)
    return Explorer(compute, render, {"query": slider}, title="Image search by code")


def noise_explorer(denoisers: dict, x, sigmas=(0.1, 0.2, 0.3, 0.4, 0.5), *, n_images: int = 6,
                   seed: int = 0) -> Explorer:
    """A noise-level slider: clean, noisy and denoised test images for each model in
    ``denoisers`` ({label: Autoencoder}), with PSNR over all of ``x``. Everything is computed
    once per sigma up front, so sliding is instant."""
    from . import data, metrics, plots

    if not isinstance(denoisers, dict) or not denoisers:
        raise TypeError("denoisers must be a non-empty dict {label: trained autoencoder}")
    for label, model in denoisers.items():
        if not hasattr(model, "reconstruct"):
            raise TypeError(f"denoisers[{label!r}] must be a course_lib Autoencoder, got "
                            f"{type(model).__name__}")
    x = v.array("x", x, min_ndim=2, unit_range=True)
    sigmas = tuple(v.number(f"sigmas[{i}]", s, low=0.0, high=1.0) for i, s in enumerate(sigmas))
    if not sigmas or len(set(sigmas)) != len(sigmas):
        raise ValueError(f"sigmas must be a non-empty tuple of distinct noise levels in [0, 1], "
                         f"got {sigmas}")
    n_images = v.positive_int("n_images", n_images, maximum=len(x))

    cache = {}
    for s in sigmas:
        noisy = data.add_gaussian_noise(x, s, seed=seed)
        outs = {label: m.reconstruct(noisy) for label, m in denoisers.items()}
        cache[s] = {"sigma": s, "clean": x[:n_images], "noisy": noisy[:n_images],
                    "psnr": {"noisy input": metrics.psnr(x, noisy),
                             **{label: metrics.psnr(x, o) for label, o in outs.items()}},
                    "denoised": {label: o[:n_images] for label, o in outs.items()}}

    def compute(sigma):
        return _cached(cache, "sigma", sigma)

    def render(r):
        rows = {"clean": r["clean"], f"noisy\n{r['psnr']['noisy input']:.1f} dB": r["noisy"]}
        for label, imgs in r["denoised"].items():
            rows[f"{label}\n{r['psnr'][label]:.1f} dB"] = imgs
        return plots.image_row_grid(rows, n=n_images,
                                    title=f"test noise sigma = {r['sigma']:g} (PSNR over "
                                          f"{len(x)} images)")

    slider = W.SelectionSlider(options=list(sigmas), value=sigmas[min(1, len(sigmas) - 1)],
                               description="noise σ", continuous_update=False)
    return Explorer(compute, render, {"sigma": slider},
                    title="Drag the slider: how far does each denoiser hold up?")


def depth_width_explorer(x_train, x_test, shapes=((32,), (128,), (512,), (256, 64)), *,
                         code_size: int = 16, epochs: int = 3, n_images: int = 8,
                         seed: int = 0, progress: bool = True) -> Explorer:
    """Train one dense autoencoder per hidden-layer shape (its widths, one per encoder layer,
    mirrored in the decoder) at a fixed code size, once (``training.sweep``, cached); a slider
    shows test images next to their reconstructions with the parameter count and test MSE."""
    from . import metrics, models, plots, training

    x_train = v.array("x_train", x_train, ndim=2, unit_range=True)
    x_test = v.array("x_test", x_test, ndim=2, unit_range=True)
    if x_train.shape[1] != x_test.shape[1]:
        raise ValueError(f"x_train and x_test must have the same number of features, "
                         f"got {x_train.shape[1]} and {x_test.shape[1]}")
    if not isinstance(shapes, (tuple, list)) or not shapes:
        raise TypeError(f"shapes must be a non-empty tuple of hidden-width tuples such as "
                        f"((64,), (256, 64)), got {shapes!r}")
    shapes = v.distinct("shapes", tuple(v.int_tuple(f"shapes[{i}]", s)
                                        for i, s in enumerate(shapes)))
    code_size = v.positive_int("code_size", code_size)
    n_images = v.positive_int("n_images", n_images, maximum=len(x_test))
    epochs = v.positive_int("epochs", epochs)

    def evaluate(model):
        x_hat = model.reconstruct(x_test)
        return {"mse": metrics.mse(x_test, x_hat), "parameters": model.count_params(),
                "originals": x_test[:n_images], "reconstructions": x_hat[:n_images]}

    cache = training.sweep(lambda h: models.dense_autoencoder(x_train.shape[1], code_size, h),
                           shapes, x_train, evaluate=evaluate, epochs=epochs, seed=seed,
                           progress=progress, desc="training one model per hidden shape")
    _name_values(cache, "hidden")

    def compute(hidden):
        return _cached(cache, "hidden", tuple(hidden))

    def render(r):
        return plots.reconstruction_grid(
            r["originals"], r["reconstructions"], n=n_images,
            title=f"hidden {r['hidden']}, code {code_size}: {r['parameters']:,} parameters, "
                  f"test MSE {r['mse']:.4f}")

    slider = W.SelectionSlider(options=[(str(s), s) for s in shapes], value=shapes[0],
                               description="hidden", continuous_update=False)
    return _with_results(Explorer(compute, render, {"hidden": slider},
                                  title="Drag the slider: wider or deeper, what do the extra "
                                        "parameters buy?"), cache)


__all__ += ["depth_width_explorer"]


def mask_ratio_explorer(model, x, ratios=(0.25, 0.5, 0.75), *,
                        n_images: int = 6, seed: int = 0):
    """A slider over ``ratios``: for each, ``n_images`` images of ``x`` with their hidden
    patches grayed out, the model's filled-in reconstruction and the originals, titled with
    the masked-patch MSE over all of ``x``. Everything is computed once, up front, so sliding
    is instant (``explorer.compute(mask_ratio=r)`` returns the cached result). Lesson 25."""
    from . import plots
    from .models.mae import MaskedAutoencoder, num_masked, patch_mask_to_pixels

    if not isinstance(model, MaskedAutoencoder):
        raise TypeError(f"model must be a MaskedAutoencoder, got {type(model).__name__}")
    x = model._images(x)
    ratios = tuple(ratios) if isinstance(ratios, (tuple, list)) else ratios
    if not isinstance(ratios, tuple) or not ratios:
        raise TypeError(f"ratios must be a non-empty tuple of mask ratios, got {ratios!r}")
    for r in ratios:
        num_masked(model.num_patches, r)
    v.distinct("ratios", ratios)
    n_images = v.positive_int("n_images", n_images, maximum=len(x))
    shape = model.image_shape
    shown_shape = shape[:2] if len(shape) == 3 and shape[2] == 1 else shape
    cache = {}
    for r in ratios:
        mask = model.random_mask(len(x), r, seed=seed)
        filled, _ = model.reconstruct(x[:n_images], mask=mask[:n_images])
        pixels = patch_mask_to_pixels(mask[:n_images], model.patch_size, model.image_shape)
        shown = np.where(pixels.reshape(filled.shape), 0.5, x[:n_images])
        cache[r] = {"mask_ratio": r, "mse": model.masked_mse(x, mask=mask), "masked": shown,
                    "reconstruction": filled, "original": x[:n_images]}

    def compute(mask_ratio):
        if mask_ratio not in cache:
            raise ValueError(f"mask_ratio must be one of {sorted(cache)}, got {mask_ratio!r}")
        return cache[mask_ratio]

    def render(r):
        return plots.image_row_grid({"hidden = gray": r["masked"], "MAE fill": r["reconstruction"],
                                     "original": r["original"]}, n=n_images,
                                    image_shape=shown_shape,
                                    title=f"mask ratio {r['mask_ratio']}: masked-patch MSE "
                                          f"{r['mse']:.4f}")

    slider = W.SelectionSlider(options=list(ratios), value=ratios[-1],
                               description="mask ratio", continuous_update=False)
    return Explorer(compute, render, {"mask_ratio": slider},
                    title="Hide more patches: what can the MAE still fill in?")


__all__ += ["mask_ratio_explorer"]
