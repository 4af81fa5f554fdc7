"""Lesson 27's exercise checks reject plausible wrong answers and only print a hint for the
unsolved stub (each check cell runs from the notebook, in a namespace built here cheaply)."""
from types import SimpleNamespace

import numpy as np
import pytest
from exercise_harness import run_check

from course_lib import checks, metrics, models, training

LESSON = "27_sparse_dictionary_features"


# --- Exercise 1: FVE by hand ------------------------------------------------------------------

@pytest.fixture
def fve_namespace(rng):
    h = np.maximum(rng.normal(1.0, 1.0, (200, 16)), 0).astype(np.float32)
    return {"h_test": h, "h_hat": (h + rng.normal(0, 0.3, h.shape)).astype(np.float32)}


def test_exercise_1_accepts_the_formula(fve_namespace):
    h, h_hat = fve_namespace["h_test"], fve_namespace["h_hat"]
    right = 1 - np.sum((h - h_hat) ** 2) / np.sum((h - h.mean(axis=0)) ** 2)
    assert "PASS Exercise 1" in run_check(LESSON, "Exercise 1", {**fve_namespace, "my_fve": right})


@pytest.mark.parametrize("wrong", ["uncentred", "one_minus_mse"])
def test_exercise_1_rejects_wrong_formulas(fve_namespace, wrong):
    h, h_hat = fve_namespace["h_test"], fve_namespace["h_hat"]
    answer = {"uncentred": 1 - np.sum((h - h_hat) ** 2) / np.sum(h ** 2),
              "one_minus_mse": 1 - np.mean((h - h_hat) ** 2)}[wrong]
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, "Exercise 1", {**fve_namespace, "my_fve": answer})


def test_exercise_1_stub_prints_todo(fve_namespace):
    assert "TODO" in run_check(LESSON, "Exercise 1", {**fve_namespace, "my_fve": None})


# --- Exercise 2: a feature that steers toward "Bag" --------------------------------------------

NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
         "Bag", "Ankle boot")
# what the lesson's steered_share measures, per (feature, class): feature 7 is a bag feature,
# feature 3 the trouser feature, feature 11 a dead latent
SHARES = {(7, 8): 0.93, (3, 8): 0.0, (3, 1): 0.95, (11, 8): 0.004}


@pytest.fixture
def steer_namespace():
    fm = SimpleNamespace(x_test=np.zeros((4, 784), np.float32), y_test=np.array([0, 1, 8, 9]))
    return {"NAMES": list(NAMES), "fm": fm,
            "steered_share": lambda f, cls, x, y: SHARES.get((f, cls), 0.01)}


def test_exercise_2_accepts_a_bag_feature(steer_namespace):
    out = run_check(LESSON, "Exercise 2", {**steer_namespace, "bag_feature": 7})
    assert "PASS Exercise 2" in out


@pytest.mark.parametrize("wrong", [3, 11])  # the trouser feature; a dead latent
def test_exercise_2_rejects_other_features(steer_namespace, wrong):
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, "Exercise 2", {**steer_namespace, "bag_feature": wrong})


def test_exercise_2_stub_prints_todo(steer_namespace):
    assert "TODO" in run_check(LESSON, "Exercise 2", {**steer_namespace, "bag_feature": None})


# --- Exercise 3: k = 4, FVE >= PCA-8's, at most 20 % dead latents --------------------------------

@pytest.fixture(scope="module")
def sparse_activations():
    """Activations built the way a dictionary assumes: each row a sum of 3 of 48 directions
    in 16-D, so 4 latents per row can beat 8 principal components."""
    rng = np.random.default_rng(0)
    atoms = rng.normal(size=(48, 16))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    def draw(n):
        z = np.zeros((n, 48))
        for row in z:
            row[rng.choice(48, 3, replace=False)] = rng.uniform(1, 2, 3)
        return (z @ atoms).astype(np.float32)
    h_train, h_test = draw(1500), draw(300)
    pca8 = metrics.pca_reconstruction(h_train, h_test, 8)
    fve8 = metrics.fraction_variance_explained(h_test, pca8)
    return {"h_train": h_train, "h_test": h_test, "fve_pca": {8: fve8}}


def _trained(ns, dict_size, k, epochs=40):
    training.set_seed(0)
    sd = models.topk_dictionary(16, dict_size, k).init_pre_bias(ns["h_train"])
    training.fit(sd, ns["h_train"], epochs=epochs, batch_size=64, learning_rate=5e-3,
                 progress=False)
    return sd


@pytest.fixture(scope="module")
def good_dictionary(sparse_activations):
    return _trained(sparse_activations, 48, 4)


def test_exercise_3_accepts_a_trained_k4_dictionary(sparse_activations, good_dictionary):
    out = run_check(LESSON, "Exercise 3", {**sparse_activations,
                                           "small_dictionary": good_dictionary})
    assert out.count("PASS Exercise 3") == 3


def test_exercise_3_rejects_an_untrained_dictionary(sparse_activations):
    training.set_seed(0)
    untrained = models.topk_dictionary(16, 48, 4).init_pre_bias(sparse_activations["h_train"])
    with pytest.raises(checks.CheckFailed, match="FVE.*Hint"):
        run_check(LESSON, "Exercise 3", {**sparse_activations, "small_dictionary": untrained})


def test_exercise_3_rejects_the_wrong_k(sparse_activations):
    wrong_k = models.topk_dictionary(16, 48, 8)
    with pytest.raises(checks.CheckFailed, match=r"\(k\).*Hint"):
        run_check(LESSON, "Exercise 3", {**sparse_activations, "small_dictionary": wrong_k})


def test_exercise_3_rejects_a_dictionary_with_many_dead_latents(sparse_activations,
                                                                  good_dictionary):
    """The trained 48 latents plus 48 that never fire (a very negative encoder bias): the same
    reconstructions, but half the dictionary dead, as in a too-wide dictionary."""
    wide = models.topk_dictionary(16, 96, 4)
    enc = good_dictionary.encoder.get_layer("encode")
    wide.encoder.get_layer("pre_bias").bias.assign(good_dictionary.pre_bias)
    wide_enc = wide.encoder.get_layer("encode")
    wide_enc.kernel.assign(np.concatenate([enc.kernel.numpy(), np.zeros((16, 48), np.float32)], 1))
    wide_enc.bias.assign(np.concatenate([enc.bias.numpy(), np.full(48, -1e4, np.float32)]))
    wide.decoder.get_layer("decode").kernel.assign(
        np.concatenate([good_dictionary.dictionary, wide.dictionary[48:]]))
    h = sparse_activations["h_train"]
    np.testing.assert_allclose(wide.reconstruct(h), good_dictionary.reconstruct(h), atol=1e-5)
    assert metrics.dead_latents(wide.encode(h)) >= 48
    with pytest.raises(checks.CheckFailed, match="dead latents.*Hint"):
        run_check(LESSON, "Exercise 3", {**sparse_activations, "small_dictionary": wide})


def test_exercise_3_stub_prints_todo(sparse_activations):
    out = run_check(LESSON, "Exercise 3", {**sparse_activations, "small_dictionary": None})
    assert "TODO" in out
