import keras
import numpy as np
import pytest

from course_lib import models, training


def test_dense_autoencoder_convention():
    training.set_seed(0)
    m = models.dense_autoencoder(784, 32, (128,))
    assert isinstance(m, models.Autoencoder)
    assert m.encoder.output.shape == (None, 32) and m.decoder.output.shape == (None, 784)
    assert m.code_size == 32
    x = np.random.default_rng(0).random((5, 784)).astype(np.float32)
    np.testing.assert_allclose(m.reconstruct(x), m.decode(m.encode(x)), atol=1e-6)
    assert m.count_params() == ((784 * 128 + 128) + (128 * 32 + 32) + (32 * 128 + 128)
                                + (128 * 784 + 784))


def test_image_shaped_input_and_options():
    m = models.dense_autoencoder((28, 28), 8, (64, 16), dropout=0.2, weight_decay=1e-4,
                                 use_bias=False, output_activation="linear")
    assert m.decoder.output.shape == (None, 28, 28)
    dense = [la for la in m.encoder.layers if isinstance(la, keras.layers.Dense)]
    assert all(not la.use_bias for la in dense)
    assert any(isinstance(la, keras.layers.Dropout) for la in m.encoder.layers)
    assert len(m.losses) > 0  # weight decay terms


def test_linear_autoencoder_has_no_nonlinearity():
    m = models.linear_autoencoder(10, 3)
    x = np.random.default_rng(1).normal(size=(4, 10)).astype(np.float32)
    # linear: f(2x) - f(0) == 2 (f(x) - f(0))
    zero = m.reconstruct(np.zeros((1, 10)))
    np.testing.assert_allclose(m.reconstruct(2 * x) - zero, 2 * (m.reconstruct(x) - zero),
                               atol=1e-4)


@pytest.mark.parametrize("name", sorted(models.BUILDERS))
def test_every_builder_saves_and_loads_in_safe_mode(name, tmp_path):
    spec = models.BUILDERS[name]
    training.set_seed(0)
    m = spec["fn"](**spec["example"])
    x = np.random.default_rng(0).random((4,) + spec["input_shape"]).astype(np.float32)
    before = m.reconstruct(x)
    path = tmp_path / f"{name}.keras"
    m.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert isinstance(loaded, models.Autoencoder)
    np.testing.assert_allclose(loaded.reconstruct(x), before, atol=1e-6)
    np.testing.assert_allclose(loaded.encode(x), m.encode(x), atol=1e-6)


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(input_dim=784, code_size=-1), ValueError, "code_size"),
    (dict(input_dim=784, code_size=0), ValueError, "code_size"),
    (dict(input_dim=784, code_size=3.5), TypeError, "code_size"),
    (dict(input_dim=0, code_size=3), ValueError, "input_dim"),
    (dict(input_dim="784", code_size=3), TypeError, "input_dim"),
    (dict(input_dim=784, code_size=3, hidden=(64, -2)), ValueError, r"hidden\[1\]"),
    (dict(input_dim=784, code_size=3, activation="relux"), ValueError, "activation must be one of"),
    (dict(input_dim=784, code_size=3, output_activation="softmax"), ValueError,
     "output_activation"),
    (dict(input_dim=784, code_size=3, activation=None), TypeError, "activation"),
    (dict(input_dim=784, code_size=3, dropout=1.0), ValueError, "dropout"),
    (dict(input_dim=784, code_size=3, weight_decay=-1e-3), ValueError, "weight_decay"),
    (dict(input_dim=784, code_size=3, use_bias="no"), TypeError, "use_bias"),
    (dict(input_dim=784, code_size=3, kernel_initializer="glorious"), ValueError,
     "kernel_initializer"),
])
def test_dense_autoencoder_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        models.dense_autoencoder(**kwargs)


def test_autoencoder_requires_models():
    with pytest.raises(TypeError, match="encoder and decoder"):
        models.Autoencoder("enc", "dec")


def test_init_output_bias_starts_at_the_mean(tiny_images):
    m = models.dense_autoencoder(16, 2)
    models.init_output_bias(m, tiny_images)
    zero_code = m.decode(np.zeros((1, 2)))
    # with all kernels still random the bias alone is not the output, so check the bias itself
    bias = m.decoder.get_layer("reconstruction").bias.numpy()
    np.testing.assert_allclose(1 / (1 + np.exp(-bias)), tiny_images.mean(0), atol=1e-4)
    assert zero_code.shape == (1, 16)
    with pytest.raises(ValueError, match="use_bias=False"):
        models.init_output_bias(models.dense_autoencoder(16, 2, use_bias=False), tiny_images)
    with pytest.raises(TypeError, match="Autoencoder"):
        models.init_output_bias("model", tiny_images)


def test_output_shape_differs_from_input():
    m = models.dense_autoencoder((14, 14), 32, (64,), output_shape=(28, 28))
    assert m.encoder.input.shape == (None, 14, 14) and m.decoder.output.shape == (None, 28, 28)
    assert models.dense_autoencoder(6, 2, output_shape=4).decoder.output.shape == (None, 4)
    with pytest.raises(ValueError, match="output_shape"):
        models.dense_autoencoder(6, 2, output_shape=(0, 3))
    with pytest.raises(TypeError, match="output_shape"):
        models.dense_autoencoder(6, 2, output_shape="big")
