import keras
import numpy as np
import pytest

from course_lib import metrics, models, training, widgets


@pytest.fixture
def small(rng):
    return rng.random((64, 12)).astype(np.float32)


@pytest.mark.parametrize("sparsity", ["l1", "kl", "topk"])
def test_sparse_autoencoder_trains_saves_and_loads(sparsity, small, tmp_path):
    training.set_seed(0)
    m = models.sparse_autoencoder(12, 6, (8,), sparsity=sparsity, k=2)
    assert isinstance(m, models.Autoencoder) and m.code_size == 6
    training.fit(m, small, epochs=1, batch_size=32, progress=False)
    m.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(loaded.reconstruct(small), m.reconstruct(small), atol=1e-6)
    np.testing.assert_allclose(loaded.encode(small), m.encode(small), atol=1e-6)


def test_topk_keeps_exactly_k_largest():
    x = np.array([[0.1, -2.0, 3.0, 0.5, 0.5], [1.0, 1.0, 1.0, 1.0, 1.0]], np.float32)
    out = keras.ops.convert_to_numpy(models.TopK(2)(x))
    np.testing.assert_allclose(out[0], [0, 0, 3.0, 0.5, 0] if out[0, 3] else [0, 0, 3.0, 0, 0.5])
    assert (np.count_nonzero(out, axis=1) == 2).all()  # ties do not let a third value through
    with pytest.raises(ValueError, match="k must be <="):
        models.TopK(6)(x)
    with pytest.raises(ValueError, match="k"):
        models.TopK(0)


def test_kl_sparsity_loss_is_zero_at_target_and_positive_elsewhere():
    layer = models.KLSparsity(target=0.2, weight=2.0)
    layer(np.full((4, 3), 0.2, np.float32))
    assert abs(float(layer.losses[0])) < 1e-6
    layer = models.KLSparsity(target=0.2, weight=2.0)
    layer(np.full((4, 3), 0.5, np.float32))
    kl = 0.2 * np.log(0.2 / 0.5) + 0.8 * np.log(0.8 / 0.5)
    np.testing.assert_allclose(float(layer.losses[0]), 2.0 * 3 * kl, rtol=1e-5)
    with pytest.raises(ValueError, match="target"):
        models.KLSparsity(target=1.0)
    with pytest.raises(ValueError, match="weight"):
        models.KLSparsity(weight=-1)


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(sparsity="dense"), ValueError, "sparsity must be one of"),
    (dict(sparsity=None), TypeError, "sparsity"),
    (dict(sparsity="topk", k=7), ValueError, "k must be"),
    (dict(sparsity="topk", weight=0.1), ValueError, "weight is not used"),
    (dict(sparsity="kl", target=0.0), ValueError, "target"),
    (dict(sparsity="l1", weight=-1.0), ValueError, "weight"),
    (dict(code_size=0), ValueError, "code_size"),
])
def test_sparse_autoencoder_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        models.sparse_autoencoder(**(dict(input_dim=12, code_size=6) | kwargs))


def test_sparsity_stats():
    z = np.array([[0.0, 0.5, 0.005], [0.0, 2.0, 0.0]], np.float32)
    s = metrics.sparsity_stats(z)
    assert s["nonzeros_min"] == 1 and s["nonzeros_max"] == 2 and s["nonzeros_mean"] == 1.5
    assert s["near_zero_fraction"] == pytest.approx(4 / 6) and s["dead_units"] == 2
    assert s["mean_activation"] == pytest.approx(2.505 / 6)
    with pytest.raises(ValueError, match="codes"):
        metrics.sparsity_stats(np.zeros(3))
    with pytest.raises(ValueError, match="threshold"):
        metrics.sparsity_stats(z, threshold=-1)


@pytest.mark.slow
def test_sparsity_explorer_slides_headlessly(rng):
    x = rng.random((40, 16)).astype(np.float32)
    e = widgets.sparsity_explorer(x, x[:10], values=(1, 3), code_size=4, hidden=(8,), epochs=1,
                                  n_images=3, progress=False)
    assert e.result["k"] == 3 and e.result["nonzeros_max"] == 3
    e.controls["k"].value = 1
    assert e.result["k"] == 1 and e.result["nonzeros_min"] == 1 == e.result["nonzeros_max"]
    e = widgets.sparsity_explorer(x, x[:10], values=(0.1, 0.3), sparsity="kl", code_size=4,
                                  hidden=(), epochs=1, n_images=2, progress=False)
    e.controls["rho"].value = 0.1
    assert e.result["rho"] == 0.1 and set(e.models) == {0.1, 0.3}
    with pytest.raises(ValueError, match="sparsity must be"):
        widgets.sparsity_explorer(x, x, sparsity="l1")
    with pytest.raises(ValueError, match=r"values\[0\]"):
        widgets.sparsity_explorer(x, x, values=(9,), code_size=4)
    with pytest.raises(ValueError, match="repeat"):
        widgets.sparsity_explorer(x, x, values=(2, 2), code_size=4)


@pytest.mark.slow
def test_contractive_penalty_matches_autodiff_and_shrinks_jacobian(small):
    training.set_seed(0)
    m = models.contractive_autoencoder(12, 3, contractive_weight=0.5)
    per = models.jacobian_norm(m, small, per_example=True, batch_size=16)
    assert per.shape == (64,)
    np.testing.assert_allclose(float(m.jacobian_penalty(small)), np.mean(per ** 2), rtol=1e-4)
    before = models.jacobian_norm(m.encoder, small)
    h = training.fit(m, small, epochs=20, batch_size=16, learning_rate=1e-2, progress=False)
    assert "jacobian_penalty" in h.history
    assert models.jacobian_norm(m, small) < before


def test_contractive_saves_weight_and_rejects_other_encoders(tmp_path, small):
    m = models.contractive_autoencoder(12, 3, contractive_weight=0.25, decoder_hidden=(8,))
    m.save(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras", safe_mode=True)
    assert isinstance(loaded, models.ContractiveAutoencoder) and loaded.contractive_weight == 0.25
    np.testing.assert_allclose(loaded.reconstruct(small), m.reconstruct(small), atol=1e-6)
    deep = models.dense_autoencoder(12, 3, (8,), code_activation="sigmoid")
    with pytest.raises(ValueError, match="single sigmoid Dense"):
        models.ContractiveAutoencoder(deep.encoder, deep.decoder)
    relu = models.dense_autoencoder(12, 3, code_activation="relu")
    with pytest.raises(ValueError, match="single sigmoid Dense"):
        models.ContractiveAutoencoder(relu.encoder, relu.decoder)
    with pytest.raises(ValueError, match="contractive_weight"):
        models.contractive_autoencoder(12, 3, contractive_weight=-1)
    with pytest.raises(ValueError, match=r"decoder_hidden\[0\]"):
        models.contractive_autoencoder(12, 3, decoder_hidden=(0,))


def test_code_sensitivity_of_a_linear_encoder_is_exact(small):
    m = models.linear_autoencoder(12, 12)
    m.encoder.get_layer("code").kernel.assign(2 * np.eye(12, dtype=np.float32))
    assert models.code_sensitivity(m, small, 0.1) == pytest.approx(2.0, rel=1e-4)
    assert models.jacobian_norm(m, small) == pytest.approx(2 * np.sqrt(12), rel=1e-5)
    assert models.code_sensitivity(m, small, per_example=True).shape == (64,)
    with pytest.raises(ValueError, match="sigma"):
        models.code_sensitivity(m, small, 0.0)
    with pytest.raises(TypeError, match="encoder"):
        models.jacobian_norm("enc", small)
    with pytest.raises(TypeError, match="per_example"):
        models.jacobian_norm(m, small, per_example=1)
    with pytest.raises(ValueError, match="batch_size"):
        models.jacobian_norm(m, small, batch_size=0)
