"""Interactive explorers. Each is a plain ``compute(**control_values) -> dict`` plus a
``render(result) -> Figure``; the sliders only call them. Tests call ``compute`` directly or set
``explorer.controls[name].value`` headlessly and read ``explorer.result``."""
from __future__ import annotations

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

from . import _validate as v

__all__ = ["Explorer", "code_size_explorer"]


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
        from IPython.display import display

        self.result = self.compute(**self.values())
        fig = self.render(self.result)
        with self.output:
            self.output.clear_output(wait=True)
            display(fig)
        plt.close(fig)
        return self.result

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


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
    sizes = v.int_tuple("code_sizes", code_sizes, allow_empty=False)
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"code_sizes must not repeat a size, got {sizes}")
    n_images = v.positive_int("n_images", n_images, maximum=len(x_test))
    epochs = v.positive_int("epochs", epochs)

    cache = {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(sizes), desc="training one model per code size", unit="model")
    for k in sizes:
        training.set_seed(seed)
        model = models.dense_autoencoder(x_train.shape[1], k, hidden)
        training.fit(model, x_train, epochs=epochs, seed=seed, progress=False)
        x_hat = model.reconstruct(x_test)
        cache[k] = {"code_size": k, "model": model, "mse": metrics.mse(x_test, x_hat),
                    "originals": x_test[:n_images], "reconstructions": x_hat[:n_images]}
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()

    def compute(code_size):
        if code_size not in cache:
            raise ValueError(f"code_size must be one of {sizes}, got {code_size!r}")
        return cache[code_size]

    def render(r):
        return plots.reconstruction_grid(
            r["originals"], r["reconstructions"], n=n_images,
            title=f"code size {r['code_size']}: test MSE {r['mse']:.4f}")

    slider = W.SelectionSlider(options=list(sizes), value=sizes[len(sizes) // 2],
                               description="code size", continuous_update=False)
    explorer = Explorer(compute, render, {"code_size": slider},
                        title="Drag the slider: smaller codes keep less detail")
    explorer.models = {k: c["model"] for k, c in cache.items()}
    return explorer
