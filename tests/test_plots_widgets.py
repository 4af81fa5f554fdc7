import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from course_lib import plots, widgets


def test_reconstruction_grid(tiny_images):
    fig = plots.reconstruction_grid(tiny_images, tiny_images[::-1], n=5, title="t")
    assert len(fig.axes) == 10
    assert fig.axes[0].get_ylabel() == "original"


def test_image_row_grid_infers_square_and_validates(tiny_images):
    fig = plots.image_row_grid({"a": tiny_images, "b": tiny_images, "c": tiny_images}, n=4)
    assert len(fig.axes) == 12
    assert fig.axes[0].images[0].get_array().shape == (4, 4)
    with pytest.raises(ValueError, match="not a square"):
        plots.image_row_grid({"a": np.zeros((3, 5))}, n=2)
    with pytest.raises(ValueError, match="only 3 images"):
        plots.image_row_grid({"a": tiny_images[:3]}, n=4)
    with pytest.raises(TypeError, match="rows"):
        plots.image_row_grid([], n=4)


def test_loss_curves_single_and_many():
    h = {"loss": [3, 2, 1], "val_loss": [3, 2.5, 2]}
    fig = plots.loss_curves(h)
    assert len(fig.axes[0].lines) == 2
    fig = plots.loss_curves({"a": h, "b": {"loss": [1, 0.5]}}, log_scale=True)
    assert len(fig.axes[0].lines) == 3 and fig.axes[0].get_yscale() == "log"
    with pytest.raises(TypeError, match="histories"):
        plots.loss_curves([])


def test_explorer_calls_compute_on_change():
    import ipywidgets as W

    calls = []

    def compute(k):
        calls.append(k)
        return {"k": k}

    def render(r):
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots()
        ax.set_title(str(r["k"]))
        return fig

    e = widgets.Explorer(compute, render, {"k": W.IntSlider(value=1, min=0, max=5)})
    e.controls["k"].value = 4
    assert calls == [1, 4] and e.result == {"k": 4}
    with pytest.raises(TypeError, match="controls"):
        widgets.Explorer(compute, render, {})


@pytest.mark.slow
def test_code_size_explorer_trains_once_and_slides(tiny_images):
    rng = np.random.default_rng(0)
    x = rng.random((64, 16)).astype(np.float32)
    e = widgets.code_size_explorer(x, x[:10], code_sizes=(1, 4), hidden=(8,), epochs=1,
                                   n_images=3, progress=False)
    assert set(e.models) == {1, 4}
    first = e.models[1]
    e.controls["code_size"].value = 1
    assert e.result["code_size"] == 1 and e.result["reconstructions"].shape == (3, 16)
    e.controls["code_size"].value = 4
    assert e.result["code_size"] == 4 and e.models[1] is first  # cached, not retrained
    assert e.compute(code_size=1)["mse"] > 0
    with pytest.raises(ValueError, match="code_size must be one of"):
        e.compute(code_size=2)


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(code_sizes=()), ValueError, "code_sizes must not be empty"),
    (dict(code_sizes=(2, 2)), ValueError, "repeat"),
    (dict(code_sizes=(0,)), ValueError, r"code_sizes\[0\]"),
    (dict(epochs=0), ValueError, "epochs"),
    (dict(n_images=100), ValueError, "n_images"),
])
def test_code_size_explorer_bad_input(kwargs, exc, word):
    x = np.random.default_rng(0).random((20, 16)).astype(np.float32)
    with pytest.raises(exc, match=word):
        widgets.code_size_explorer(x, x[:10], progress=False, **kwargs)


def test_code_size_explorer_rejects_unscaled_pixels():
    x = np.full((20, 16), 255.0, np.float32)
    with pytest.raises(ValueError, match=r"x_train must hold values in \[0, 1\]"):
        widgets.code_size_explorer(x, x, progress=False)


def test_latent_scatter_and_grid():
    rng = np.random.default_rng(0)
    labels = np.arange(20) % 10
    fig = plots.latent_scatter({"a": rng.normal(size=(20, 2)), "b": rng.normal(size=(20, 2))},
                               labels, title="maps")
    assert len(fig.axes) == 2
    fig = plots.latent_grid(lambda z: np.tile(z[:, :1], (1, 784)) * 0 + 0.5, n=4)
    assert fig.axes[0].images[0].get_array().shape == (4 * 28, 4 * 28)


@pytest.mark.parametrize("call, match", [
    (lambda: plots.latent_scatter({"a": np.zeros((5, 3))}, np.zeros(5)), "shape \\(5, 2\\)"),
    (lambda: plots.latent_scatter({"a": np.zeros((5, 2))}, np.full(5, 12)), "labels must be class"),
    (lambda: plots.latent_scatter({}, np.zeros(5)), "non-empty dict"),
    (lambda: plots.latent_grid("no", n=4), "decode must be a function"),
    (lambda: plots.latent_grid(lambda z: z, span=(2, -2)), "low < high"),
    (lambda: plots.latent_grid(lambda z: z, n=1), "n"),
])
def test_latent_plots_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_explorer_displays_with_the_installed_ipywidgets():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()  # display() only calls display hooks inside an IPython shell
    ex = widgets.Explorer(lambda k: {"k": k}, lambda r: plots.sweep_curves(
        {"a": ([1, 2], [r["k"], 1])}, xlabel="x"), {"k": widgets.W.IntSlider(value=2)})
    with capture_output() as cap:
        display(ex)  # ipywidgets 7 and 8 expose different display hooks; both must work
    views = [o.data for o in cap.outputs if "application/vnd.jupyter.widget-view+json" in o.data]
    assert views and views[0]["application/vnd.jupyter.widget-view+json"]["model_id"] == \
        ex.widget.model_id
