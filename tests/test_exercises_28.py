"""Lesson 28's exercises reject plausible wrong answers and only hint while unsolved.

Exercises 2 and 3 are judged in the lesson on decoded Fashion-MNIST samples; here the same
check cells run on a cheap stand-in: 2-D "codes" from two Gaussian blobs, an identity
"decoder", and MMD to held-out blob samples as the distance ``fd``. What matters is the same:
a DDPM that learned the codes beats a Gaussian fitted to them, the wrong answers do not."""
import numpy as np
import pytest
from exercise_harness import run_check

from course_lib import checks, metrics, models, training

LESSON = "28_latent_diffusion"
EX1 = "Exercise 1: largest gap between your z_t's moments and q(z_t | z0)'s"
EX2 = "Exercise 2: FD(your DDPM's samples) / FD(Gaussian-fit samples)"
EX3 = "Exercise 3: your number of sampling steps"


def blobs(n, seed):
    rng = np.random.default_rng(seed)
    centre = np.where(rng.integers(0, 2, n) == 1, 3.0, -3.0)
    return (np.stack([centre, np.zeros(n)], 1) + 0.5 * rng.standard_normal((n, 2))).astype(
        np.float32)


# --- Exercise 1: the forward process ---------------------------------------------------------
@pytest.fixture(scope="module")
def ex1_ns():
    ddpm = models.ddpm(8, hidden=(4,), timesteps=100)  # only its schedule is used
    z_test = np.random.default_rng(0).standard_normal((8, 8)).astype(np.float32)
    return {"ddpm": ddpm, "z_test": z_test, "SEED": 0}


def correct(ddpm):
    def noising(z0, t, eps):
        ab = ddpm.alphas_cumprod[t]
        return np.sqrt(ab) * z0 + np.sqrt(1 - ab) * eps
    return noising


def one_step(ddpm):  # one step's beta instead of the product abar
    def noising(z0, t, eps):
        b = ddpm.betas[t]
        return np.sqrt(1 - b) * z0 + np.sqrt(b) * eps
    return noising


def no_square_roots(ddpm):  # variances used as weights
    def noising(z0, t, eps):
        ab = ddpm.alphas_cumprod[t]
        return ab * z0 + (1 - ab) * eps
    return noising


def no_noise(ddpm):
    return lambda z0, t, eps: np.sqrt(ddpm.alphas_cumprod[t]) * z0


def test_ex1_accepts_the_forward_process(ex1_ns):
    assert "PASS" in run_check(LESSON, EX1, {**ex1_ns, "my_noising": correct(ex1_ns["ddpm"])})
    assert "TODO" in run_check(LESSON, EX1, {**ex1_ns, "my_noising": None})


@pytest.mark.parametrize("wrong", [one_step, no_square_roots, no_noise])
def test_ex1_rejects_wrong_noising(wrong, ex1_ns):
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, EX1, {**ex1_ns, "my_noising": wrong(ex1_ns["ddpm"])})


# --- Exercises 2 and 3: a DDPM that beats the fitted Gaussian ---------------------------------
class IdentityDecoder:
    @staticmethod
    def decode(z):
        return z


def fit_ddpm(z, seed=0, epochs=30):
    training.set_seed(seed)
    m = models.ddpm(2, hidden=(64, 64), timesteps=100, schedule="linear", seed=seed)
    m.adapt(z)
    training.fit(m, z, loss=None, epochs=epochs, batch_size=128, learning_rate=5e-3,
                 progress=False, seed=seed)
    return m


@pytest.fixture(scope="module")
def toy():
    codes = blobs(3000, seed=0)
    reference = blobs(2000, seed=1)

    def fd(x):  # the stand-in distance to the "real" samples
        return metrics.mmd(x, reference)

    rng = np.random.default_rng(2)
    z_gauss = rng.multivariate_normal(codes.mean(0), np.cov(codes, rowvar=False), 2000)
    ns = {"ae": IdentityDecoder(), "fd": fd, "scores": {"Gaussian fit": fd(z_gauss)},
          "SEED": 0}
    return {"ns": ns, "codes": codes, "z_gauss": z_gauss.astype(np.float32),
            "trained": fit_ddpm(codes)}


# reproduces the lesson's own bar, measured on TensorFlow (the lessons run there)
@pytest.mark.tensorflow_only
def test_ex2_accepts_a_ddpm_trained_on_the_codes(toy):
    assert "PASS" in run_check(LESSON, EX2, {**toy["ns"], "my_ddpm": toy["trained"]})
    assert "TODO" in run_check(LESSON, EX2, {**toy["ns"], "my_ddpm": None})


def test_ex2_rejects_an_untrained_ddpm(toy):
    untrained = models.ddpm(2, hidden=(64, 64), schedule="linear").adapt(toy["codes"])
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, EX2, {**toy["ns"], "my_ddpm": untrained})


def test_ex2_rejects_a_ddpm_trained_on_the_gaussian_samples(toy):
    # the mix-up of arrays: it learns the Gaussian, so it cannot beat it
    on_gauss = fit_ddpm(toy["z_gauss"], seed=1)
    with pytest.raises(checks.CheckFailed, match="Hint"):
        run_check(LESSON, EX2, {**toy["ns"], "my_ddpm": on_gauss})


# reproduces the lesson's own bar, measured on TensorFlow (the lessons run there)
@pytest.mark.tensorflow_only
def test_ex3_steps(toy):
    ns = {**toy["ns"], "ddpm": toy["trained"]}
    assert run_check(LESSON, EX3, {**ns, "my_steps": 25}).count("PASS") == 2
    out = run_check(LESSON, EX3, {**ns, "my_steps": None})
    assert out.count("TODO") == 2 and "FAIL" not in out
    with pytest.raises(checks.CheckFailed, match="Hint"):  # no saving at all
        run_check(LESSON, EX3, {**ns, "my_steps": 100})
    with pytest.raises(checks.CheckFailed, match="Hint"):  # one jump from noise to data
        run_check(LESSON, EX3, {**ns, "my_steps": 1})
