"""Lesson 26's exercises reject plausible wrong answers and only hint while unsolved."""
import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_harness import run_check

from course_lib import checks, metrics

LESSON = "26_vq_vae"
# the lesson and its Exercise 1 check differentiate with tf.GradientTape
pytestmark = pytest.mark.tensorflow_only
NS = {"SEED": 0, "tf": tf, "keras": keras}


def right(z_e, e_k):
    return z_e + keras.ops.stop_gradient(e_k - z_e)


def right_too(z_e, e_k):  # another correct form
    return e_k + z_e - tf.stop_gradient(z_e)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_straight_through_accepts_correct_forms(seed):
    for fn in (right, right_too):
        out = run_check(LESSON, "Exercise 1", {**NS, "SEED": seed, "my_straight_through": fn})
        assert "PASS" in out


@pytest.mark.parametrize("wrong", [
    lambda z_e, e_k: e_k,                                       # no gradient reaches the encoder
    lambda z_e, e_k: z_e,                                       # no quantization at all
    lambda z_e, e_k: z_e + e_k - z_e,                           # value right, gradient cancels
    lambda z_e, e_k: z_e + keras.ops.stop_gradient(z_e - e_k),  # sign flipped: value 2 z_e - e_k
    lambda z_e, e_k: keras.ops.stop_gradient(z_e + (e_k - z_e)),  # gradient stopped everywhere
])
def test_straight_through_rejects_wrong_lines(wrong):
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, "Exercise 1", {**NS, "my_straight_through": wrong})


def test_straight_through_stub_hints():
    assert "TODO" in run_check(LESSON, "Exercise 1", {**NS, "my_straight_through": None})


@pytest.fixture
def skewed_indices():
    rng = np.random.default_rng(0)
    p = np.r_[np.geomspace(1, 0.01, 40), np.zeros(24)]
    return rng.choice(64, size=(1000, 7, 7), p=p / p.sum())


def test_perplexity_by_hand(skewed_indices):
    idx, K = skewed_indices, 64
    ns = {"idx": idx, "K": K}
    assert "TODO" in run_check(LESSON, "Exercise 2", {**ns, "my_perplexity": None})
    p = np.bincount(idx.ravel(), minlength=K) / idx.size
    p = p[p > 0]
    entropy = float(-(p * np.log(p)).sum())
    assert "PASS" in run_check(LESSON, "Exercise 2", {**ns, "my_perplexity": np.exp(entropy)})
    other = np.random.default_rng(1).integers(0, 64, size=idx.shape)  # another model's indices
    wrong = {"codes used": float((p > 0).sum()), "entropy in nats": entropy,
             "entropy in bits": entropy / np.log(2), "other indices": metrics.perplexity(other, K),
             "per-image mean": float(np.mean([metrics.perplexity(i, K) for i in idx[:50]]))}
    for name, value in wrong.items():
        try:
            run_check(LESSON, "Exercise 2", {**ns, "my_perplexity": value})
        except checks.CheckFailed as failed:
            assert "Hint" in str(failed), name
        else:
            pytest.fail(f"the check accepted a wrong answer: the {name}")
