"""TopK sparse dictionary (course_lib.models.dictionary) and its metrics
(course_lib.metrics.dictionaries): lesson 27."""
import keras
import numpy as np
import pytest

from course_lib import metrics, models, training


@pytest.fixture
def acts(rng):
    """Non-negative 'activations' of a 6-unit layer, like a ReLU layer's."""
    return np.maximum(rng.normal(0.3, 1.0, (128, 6)), 0).astype(np.float32)


def _pre_activations(sd, x):
    head = keras.Model(sd.encoder.input, sd.encoder.get_layer("encode").output)
    return head.predict(x, verbose=0)


def test_codes_have_exactly_k_active_where_k_latents_are_positive(acts):
    training.set_seed(0)
    sd = models.topk_dictionary(6, 24, 3).init_pre_bias(acts)
    z = sd.encode(acts)
    assert z.shape == (128, 24) and (z >= 0).all()
    positive = (_pre_activations(sd, acts) > 0).sum(axis=1)
    np.testing.assert_array_equal(np.count_nonzero(z, axis=1), np.minimum(positive, 3))
    assert (positive >= 3).mean() > 0.9  # so the "exactly k" case is what was tested
    assert metrics.mean_l0(z) == pytest.approx(np.minimum(positive, 3).mean())


def test_kept_values_are_the_k_largest_relu_pre_activations(acts):
    training.set_seed(0)
    sd = models.topk_dictionary(6, 24, 3)
    z, pre = sd.encode(acts), np.maximum(_pre_activations(sd, acts), 0)
    top3 = np.sort(pre, axis=1)[:, -3:]
    np.testing.assert_allclose(np.sort(z, axis=1)[:, -3:], top3, rtol=1e-6)


def test_atoms_have_unit_norm_at_start_and_after_training(acts):
    training.set_seed(0)
    sd = models.topk_dictionary(6, 24, 3).init_pre_bias(acts)
    assert sd.dictionary.shape == (24, 6)
    np.testing.assert_allclose(np.linalg.norm(sd.dictionary, axis=1), 1.0, atol=1e-5)
    before = sd.dictionary.copy()
    training.fit(sd, acts, epochs=3, batch_size=32, learning_rate=1e-2, progress=False)
    assert not np.allclose(sd.dictionary, before)  # it did train
    np.testing.assert_allclose(np.linalg.norm(sd.dictionary, axis=1), 1.0, atol=1e-5)


def test_encoder_starts_as_decoder_transpose_and_bias_is_tied(acts):
    training.set_seed(0)
    sd = models.topk_dictionary(6, 24, 3).init_pre_bias(acts)
    np.testing.assert_allclose(sd.encoder.get_layer("encode").kernel.numpy(), sd.dictionary.T)
    np.testing.assert_allclose(sd.pre_bias, acts.mean(axis=0), rtol=1e-6)
    # a zero code decodes to b_pre: the decoder adds back what the encoder subtracted
    np.testing.assert_allclose(sd.decode(np.zeros((2, 24))), np.tile(sd.pre_bias, (2, 1)),
                               atol=1e-6)
    # one variable, not two: moving it moves both halves
    assert len(sd.weights) == 4
    sd.encoder.get_layer("pre_bias").bias.assign(np.ones(6, np.float32))
    np.testing.assert_allclose(sd.decode(np.zeros((1, 24))), np.ones((1, 6)), atol=1e-6)


def test_save_load_gives_identical_codes_reconstructions_and_a_tied_bias(acts, tmp_path):
    training.set_seed(0)
    sd = models.topk_dictionary(6, 24, 3).init_pre_bias(acts)
    training.fit(sd, acts, epochs=2, batch_size=32, progress=False)
    sd.save(tmp_path / "sd.keras")
    loaded = keras.models.load_model(tmp_path / "sd.keras", safe_mode=True)
    assert isinstance(loaded, models.SparseDictionary)
    assert (loaded.input_dim, loaded.dict_size, loaded.k) == (6, 24, 3)
    np.testing.assert_array_equal(loaded.encode(acts), sd.encode(acts))
    np.testing.assert_array_equal(loaded.reconstruct(acts), sd.reconstruct(acts))
    np.testing.assert_array_equal(loaded.dictionary, sd.dictionary)
    np.testing.assert_array_equal(loaded.pre_bias, sd.pre_bias)
    loaded.encoder.get_layer("pre_bias").bias.assign(np.zeros(6, np.float32))
    np.testing.assert_allclose(loaded.decode(np.zeros((1, 24))), np.zeros((1, 6)), atol=1e-6)


def test_training_reduces_the_reconstruction_error(acts):
    training.set_seed(0)
    sd = models.topk_dictionary(6, 24, 3).init_pre_bias(acts)
    start = metrics.fraction_variance_explained(acts, sd.reconstruct(acts))
    training.fit(sd, acts, epochs=30, batch_size=32, learning_rate=1e-2, progress=False)
    assert metrics.fraction_variance_explained(acts, sd.reconstruct(acts)) > max(start, 0) + 0.2


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(input_dim=6, dict_size=24, k=25), ValueError, "k must be"),
    (dict(input_dim=6, dict_size=24, k=0), ValueError, "k must be"),
    (dict(input_dim=6, dict_size=24.0, k=2), TypeError, "dict_size"),
    (dict(input_dim=0, dict_size=24, k=2), ValueError, "input_dim"),
    (dict(input_dim=6, dict_size=24, k=2, name=""), TypeError, "name"),
])
def test_topk_dictionary_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        models.topk_dictionary(**kwargs)


def test_numpy_methods_check_their_inputs(acts):
    sd = models.topk_dictionary(6, 24, 3)
    with pytest.raises(ValueError, match="input_dim"):
        sd.init_pre_bias(acts[:, :5])
    with pytest.raises(ValueError, match="input_dim"):
        sd.encode(acts[:, :5])
    with pytest.raises(ValueError, match="dict_size"):
        sd.decode(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="batch_size"):
        sd.reconstruct(acts, batch_size=0)


# --- metrics ---------------------------------------------------------------------------------

def test_fraction_variance_explained_matches_numpy(rng):
    x = rng.normal(size=(50, 7))
    x_hat = x + rng.normal(scale=0.3, size=x.shape)
    expected = 1 - ((x - x_hat) ** 2).sum() / ((x - x.mean(axis=0)) ** 2).sum()
    assert metrics.fraction_variance_explained(x, x_hat) == pytest.approx(expected, rel=1e-5)
    assert metrics.fraction_variance_explained(x, x) == pytest.approx(1.0)
    assert metrics.fraction_variance_explained(x, np.tile(x.mean(0), (50, 1))) == \
        pytest.approx(0.0, abs=1e-6)
    # PCA with every component explains everything; with fewer, less
    assert metrics.fraction_variance_explained(x, metrics.pca_reconstruction(x, x, 7)) == \
        pytest.approx(1.0, abs=1e-5)
    assert metrics.fraction_variance_explained(x, metrics.pca_reconstruction(x, x, 2)) < 0.9


@pytest.mark.parametrize("x,x_hat,exc,word", [
    (np.ones((4, 3)), np.ones((4, 3)), ValueError, "zero variance"),
    (np.eye(3), np.eye(4)[:3, :4], ValueError, "same shape"),
    (np.ones((1, 3)), np.ones((1, 3)), ValueError, "at least 2 rows"),
    (np.ones(3), np.ones(3), ValueError, "ndim"),
])
def test_fraction_variance_explained_bad_input(x, x_hat, exc, word):
    with pytest.raises(exc, match=word):
        metrics.fraction_variance_explained(x, x_hat)


def test_dead_latents_and_l0():
    z = np.array([[0, 1.0, 0, 0], [0, 2.0, 0.5, 0], [0, 0, 0, 0]], np.float32)
    assert metrics.dead_latents(z) == 2
    assert metrics.mean_l0(z) == pytest.approx(1.0)
    assert metrics.dead_latents(np.zeros((3, 5))) == 5
    with pytest.raises(ValueError, match="codes"):
        metrics.dead_latents(np.zeros(5))


def test_top_activating_order_and_errors():
    a = np.array([[0.1, 5], [0.9, 1], [0.5, 3], [0.7, 0]], np.float32)
    np.testing.assert_array_equal(metrics.top_activating(a, 0, 3), [1, 3, 2])
    np.testing.assert_array_equal(metrics.top_activating(a, 1, 2), [0, 2])
    with pytest.raises(ValueError, match="unit"):
        metrics.top_activating(a, 2)
    with pytest.raises(ValueError, match="n must be"):
        metrics.top_activating(a, 0, 5)


def test_unit_purity_by_hand():
    y = np.array([0, 0, 0, 1, 1, 2])
    a = np.zeros((6, 3), np.float32)
    a[:, 0] = [6, 5, 4, 3, 2, 1]      # top 4: classes 0, 0, 0, 1 -> 0.75, majority 0
    a[:, 1] = [1, 2, 3, 4, 5, 6]      # top 4: classes 2, 1, 1, 0 -> 0.5, majority 1
    a[:2, 2] = 1.0                    # positive on 2 examples only: not scored
    p = metrics.unit_purity(a, y, top=4)
    np.testing.assert_allclose(p["purity"][:2], [0.75, 0.5])
    assert np.isnan(p["purity"][2]) and p["scored"] == 2
    np.testing.assert_array_equal(p["majority_class"], [0, 1, -1])
    with pytest.raises(ValueError, match="labels"):
        metrics.unit_purity(a, y[:5])
    with pytest.raises(ValueError, match="top"):
        metrics.unit_purity(a, y, top=7)


def test_class_selectivity_by_hand():
    y = np.array([0, 0, 1, 1])
    a = np.array([[1, 1, 0], [1, 1, 0], [0, 1, 0], [0, 1, -3]], np.float32)
    s = metrics.class_selectivity(a, y)
    np.testing.assert_allclose(s[:2], [1.0, 0.5])
    assert np.isnan(s[2])  # negative only: never fires
    with pytest.raises(TypeError, match="labels"):
        metrics.class_selectivity(a, y.astype(float))


# --- steering --------------------------------------------------------------------------------

@pytest.fixture
def classifier():
    training.set_seed(0)
    x_in = keras.Input((10,))
    h = keras.layers.Dense(6, activation="relu", name="hidden")(x_in)
    h = keras.layers.Dense(5, activation="relu", name="more")(h)
    return keras.Model(x_in, keras.layers.Dense(3, activation="softmax", name="probs")(h))


def test_run_from_layer_reproduces_the_classifier(classifier, rng):
    x = rng.random((40, 10)).astype(np.float32)
    h = models.layer_activations(classifier, "hidden", x)
    assert h.shape == (40, 6)
    np.testing.assert_allclose(models.run_from_layer(classifier, "hidden", h, batch_size=16),
                               classifier.predict(x, verbose=0), atol=1e-6)


def test_steer_by_hand_and_keep_error(classifier, rng):
    x = rng.random((40, 10)).astype(np.float32)
    h = models.layer_activations(classifier, "hidden", x)
    training.set_seed(0)
    sd = models.topk_dictionary(6, 12, 2).init_pre_bias(h)
    z = sd.encode(h)
    z2 = z.copy()
    z2[:, 4] = 3.0
    expected = models.run_from_layer(classifier, "hidden",
                                     sd.decode(z2) + h - sd.decode(z))
    np.testing.assert_allclose(models.steer(classifier, "hidden", sd, x, 4, 3.0), expected,
                               atol=1e-5)
    no_error = models.run_from_layer(classifier, "hidden", sd.decode(z2))
    np.testing.assert_allclose(models.steer(classifier, "hidden", sd, x, 4, 3.0,
                                            keep_error=False), no_error, atol=1e-5)
    # clamping a feature to the value it already has everywhere changes nothing
    dead = int(np.flatnonzero(~np.any(z != 0, axis=0))[0]) if metrics.dead_latents(z) else None
    if dead is not None:
        np.testing.assert_allclose(models.steer(classifier, "hidden", sd, x, dead, 0.0),
                                   classifier.predict(x, verbose=0), atol=1e-5)


def test_steering_errors(classifier, rng):
    x = rng.random((8, 10)).astype(np.float32)
    sd = models.topk_dictionary(6, 12, 2)
    with pytest.raises(ValueError, match="layer must be one of"):
        models.steer(classifier, "nope", sd, x, 0, 1.0)
    with pytest.raises(TypeError, match="layer"):
        models.layer_activations(classifier, 1, x)
    with pytest.raises(ValueError, match="feature"):
        models.steer(classifier, "hidden", sd, x, 12, 1.0)
    with pytest.raises(TypeError, match="feature"):
        models.steer(classifier, "hidden", sd, x, 1.5, 1.0)
    with pytest.raises(TypeError, match="dictionary"):
        models.steer(classifier, "hidden", "sd", x, 0, 1.0)
    with pytest.raises(ValueError, match="value"):
        models.steer(classifier, "hidden", sd, x, 0, float("nan"))
    with pytest.raises(ValueError, match="dictionary reads"):
        models.steer(classifier, "more", sd, x, 0, 1.0)
    with pytest.raises(ValueError, match="h must have shape"):
        models.run_from_layer(classifier, "hidden", np.zeros((3, 5)))
    with pytest.raises(TypeError, match="classifier"):
        models.layer_activations("clf", "hidden", x)


def test_a_sequential_classifier_works_too(rng):
    training.set_seed(0)
    seq = keras.Sequential([keras.Input((10,)), keras.layers.Dense(6, activation="relu", name="h"),
                            keras.layers.Dense(3, activation="softmax", name="out")])
    x = rng.random((20, 10)).astype(np.float32)
    h = models.layer_activations(seq, "h", x)
    np.testing.assert_allclose(models.run_from_layer(seq, "h", h), seq.predict(x, verbose=0),
                               atol=1e-6)


def test_run_from_layer_refuses_a_branching_network(rng):
    x_in = keras.Input((4,))
    a = keras.layers.Dense(3, name="a")(x_in)
    b = keras.layers.Dense(3, name="b")(x_in)
    out = keras.layers.Add(name="add")([a, b])
    model = keras.Model(x_in, out)
    with pytest.raises(ValueError, match="single chain"):
        models.run_from_layer(model, "a", np.zeros((2, 3), np.float32))
