"""course_lib.models.diffusion: schedules, the forward process, the eps-MSE loss, sampling,
saving, and argument errors."""
import keras
import numpy as np
import pytest

from course_lib import metrics, models, training


def two_gaussians(n, seed):
    """Two round blobs (std 0.5) at (-3, 0) and (3, 0), equally likely."""
    rng = np.random.default_rng(seed)
    centre = np.where(rng.integers(0, 2, n) == 1, 3.0, -3.0)
    return (np.stack([centre, np.zeros(n)], 1) + 0.5 * rng.standard_normal((n, 2))).astype(
        np.float32)


@pytest.mark.parametrize("kind", sorted(models.SCHEDULES))
@pytest.mark.parametrize("timesteps", [50, 100, 200])
def test_schedule_runs_from_clean_to_noise(kind, timesteps):
    betas = models.beta_schedule(kind, timesteps)
    assert betas.shape == (timesteps,) and np.all(betas > 0) and np.all(betas <= 0.999)
    abar = np.cumprod(1 - betas)
    assert np.all(np.diff(abar) < 0), "abar must fall at every step"
    assert abar[0] > 0.97 and abar[-1] < 0.01  # nearly clean after one step, noise at the end
    m = models.ddpm(2, hidden=(4,), timesteps=timesteps, schedule=kind)
    np.testing.assert_allclose(m.alphas_cumprod, abar)


def test_forward_process_moments_on_a_toy():
    m = models.ddpm(2, hidden=(4,), timesteps=100)   # not adapted: the units are the data's
    z0 = np.tile(np.float32([[1.0, -2.0]]), (40000, 1))
    for t in (0, 30, 99):
        ab = m.alphas_cumprod[t]
        z_t = m.noisy(z0, t, seed=t)
        np.testing.assert_allclose(z_t.mean(0), np.sqrt(ab) * z0[0], atol=0.02)
        np.testing.assert_allclose(z_t.std(0), np.sqrt(1 - ab), atol=0.02)
    # one step per row works too, and a seed repeats
    t = np.arange(4) * 30
    np.testing.assert_array_equal(m.noisy(z0[:4], t, seed=1), m.noisy(z0[:4], t, seed=1))


def test_adapt_standardizes_and_sample_returns_data_units(rng):
    m = models.ddpm(3, hidden=(4,))
    z = (rng.standard_normal((500, 3)) * [1.0, 10.0, 0.1] + [5.0, -5.0, 0.0]).astype(np.float32)
    m.adapt(z)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(m.shift), z.mean(0), rtol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(m.scale), z.std(0), rtol=1e-5)
    zs = m.standardize(z)
    np.testing.assert_allclose(zs.mean(0), 0, atol=1e-4)
    np.testing.assert_allclose(m.unstandardize(zs), z, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(m.low), zs.min(0), rtol=1e-5)
    # at the last step the noised data is close to N(0, I) in the model's units
    z_T = m.noisy(z, m.timesteps - 1, seed=0)
    assert np.all(np.abs(z_T.mean(0)) < 0.15) and np.all(np.abs(z_T.std(0) - 1) < 0.1)


def test_loss_is_the_eps_mse(rng):
    m = models.ddpm(4, hidden=(8, 8), timesteps=20)
    z0 = rng.standard_normal((3000, 4)).astype(np.float32)
    m.adapt(z0)
    # a predictor that always says c: the loss is mean((eps - c)^2), exactly, for known eps
    c = 0.5
    m.predictor.out.bias.assign(np.full(4, c, np.float32))
    eps = np.random.default_rng(7).standard_normal(z0.shape)
    assert m.loss_at(z0, 5, seed=7) == pytest.approx(np.mean((eps - c) ** 2), rel=1e-5)
    # with random steps and noise: each row's value is a mean of (eps - c)^2 over 4 dimensions
    per_row = keras.ops.convert_to_numpy(m(z0))
    assert per_row.shape == (3000,)
    assert per_row.mean() == pytest.approx(1 + c ** 2, abs=0.06)
    loss = m.compute_loss(x=z0, y_pred=m(z0))
    assert float(loss) == pytest.approx(1 + c ** 2, abs=0.06)
    # and the generic case equals the formula with the predictor's own output
    m.predictor.out.kernel.assign(rng.standard_normal((8, 4)).astype(np.float32))
    t = np.full(len(z0), 9, np.int32)
    z_t = keras.ops.convert_to_numpy(m.q_sample(m.standardize(z0), t, eps.astype(np.float32)))
    manual = np.mean((eps - m.predict_noise(z_t, t)) ** 2)
    assert m.loss_at(z0, 9, seed=7) == pytest.approx(manual, rel=1e-5)


# TensorFlow only: under JAX, saving a DDPM after fit with the EMA optimizer reads a donated
# (deleted) buffer, a limitation of that pairing; test_ddpm_saves_and_loads checks the rest there
@pytest.mark.tensorflow_only
def test_training_lowers_the_loss_and_the_sample_matches_two_gaussians(tmp_path):
    z = two_gaussians(4000, seed=0)
    reference = two_gaussians(1000, seed=1)
    training.set_seed(0)
    m = models.ddpm(2, hidden=(64, 64), timesteps=50, seed=0)
    m.adapt(z)
    untrained = m.sample(1000, seed=2)
    h = training.fit(m, z, loss=None, epochs=40, batch_size=128, learning_rate=5e-3,
                     progress=False, seed=0)
    assert h.history["loss"][-1] < 0.8 * h.history["loss"][0]
    trained = m.sample(1000, seed=2)
    assert metrics.mmd(trained, reference) < 0.3 * metrics.mmd(untrained, reference)
    assert metrics.frechet_distance(trained, reference) < 0.5 * metrics.frechet_distance(
        untrained, reference)
    near_a_mode = np.abs(np.abs(trained[:, 0]) - 3.0) < 1.5
    assert near_a_mode.mean() > 0.8 and np.abs(trained[:, 1]).mean() < 1.0
    # both modes, about equally
    assert 0.3 < (trained[:, 0] > 0).mean() < 0.7

    # save / load: same weights, same standardization, same samples; training continues
    path = tmp_path / "ddpm.keras"
    m.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert isinstance(loaded, models.DDPM) and loaded.timesteps == 50
    assert loaded.schedule == "cosine" and loaded.predictor.hidden == (64, 64)
    np.testing.assert_array_equal(loaded.sample(200, seed=3), m.sample(200, seed=3))
    z_t, t = z[:16], np.arange(16, dtype=np.int32)
    np.testing.assert_array_equal(loaded.predict_noise(z_t, t), m.predict_noise(z_t, t))
    training.fit(loaded, z[:512], loss=None, epochs=1, progress=False)


def test_ddpm_saves_and_loads(rng, tmp_path):
    """On every backend: an adapted DDPM comes back from a safe-mode load with the same
    standardization, noise predictions and seeded samples."""
    training.set_seed(0)
    m = models.ddpm(3, hidden=(16,), timesteps=20, seed=0)
    m.adapt(rng.normal(2.0, 3.0, size=(64, 3)).astype(np.float32))
    path = tmp_path / "ddpm.keras"
    m.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert isinstance(loaded, models.DDPM) and loaded.timesteps == 20
    z_t, t = rng.normal(size=(8, 3)).astype(np.float32), np.arange(8, dtype=np.int32)
    np.testing.assert_allclose(loaded.predict_noise(z_t, t), m.predict_noise(z_t, t), atol=1e-6)
    np.testing.assert_allclose(loaded.sample(32, seed=3), m.sample(32, seed=3), atol=1e-5)


def test_sampler_is_seeded_batched_and_returns_its_trajectory(rng):
    training.set_seed(0)
    m = models.ddpm(3, hidden=(8,), timesteps=30)
    m.adapt(rng.standard_normal((100, 3)).astype(np.float32))
    a = m.sample(10, seed=4)
    np.testing.assert_array_equal(a, m.sample(10, seed=4))
    np.testing.assert_allclose(a, m.sample(10, seed=4, batch_size=3), atol=1e-5)
    assert not np.allclose(a, m.sample(10, seed=5))
    out, path = m.sample(6, seed=4, steps=10, return_trajectory=True)
    assert out.shape == (6, 3) and path.shape == (11, 6, 3)
    np.testing.assert_allclose(m.unstandardize(path[-1]), out, atol=1e-5)
    visit = m.sampling_steps(10)
    assert visit[0] == 29 and visit[-1] == 0 and len(visit) == 10 and np.all(np.diff(visit) < 0)
    np.testing.assert_array_equal(m.sampling_steps(), np.arange(30)[::-1])


def test_timestep_embedding():
    emb = models.TimestepEmbedding(8, timesteps=100)
    out = keras.ops.convert_to_numpy(emb(np.array([0, 10, 99])))
    assert out.shape == (3, 8)
    np.testing.assert_allclose(out[0], [0, 0, 0, 0, 1, 1, 1, 1], atol=1e-6)  # sin 0, cos 0
    assert np.all(np.abs(out) <= 1) and not np.allclose(out[1], out[2])


@pytest.mark.parametrize("call,exc,word", [
    (lambda: models.ddpm(0), ValueError, "data_dim"),
    (lambda: models.ddpm(2.5), TypeError, "data_dim"),
    (lambda: models.ddpm(2, hidden=(8, -1)), ValueError, r"hidden\[1\]"),
    (lambda: models.ddpm(2, hidden=()), ValueError, "hidden"),
    (lambda: models.ddpm(2, schedule="quadratic"), ValueError, "schedule must be one of"),
    (lambda: models.ddpm(2, schedule=None), TypeError, "schedule"),
    (lambda: models.ddpm(2, timesteps=1), ValueError, "timesteps"),
    (lambda: models.ddpm(2, activation="relux"), ValueError, "activation"),
    (lambda: models.ddpm(2, name=""), TypeError, "name"),
    (lambda: models.beta_schedule("sigmoid", 10), ValueError, "kind"),
    (lambda: models.TimestepEmbedding(7), ValueError, "dim must be even"),
])
def test_bad_construction(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_bad_calls():
    m = models.ddpm(2, hidden=(4,), timesteps=10)
    z = np.zeros((5, 2), np.float32)
    with pytest.raises(ValueError, match="z0 must have shape"):
        m.adapt(np.zeros((5, 3), np.float32))
    with pytest.raises(ValueError, match="at least 2 rows"):
        m.adapt(z[:1])
    with pytest.raises(ValueError, match=r"t must lie in \[0, 9\]"):
        m.noisy(z, 10)
    with pytest.raises(TypeError, match="t must be an integer"):
        m.noisy(z, 1.5)
    with pytest.raises(ValueError, match="t must be one int or 5"):
        m.noisy(z, np.arange(3))
    with pytest.raises(ValueError, match="n must be"):
        m.sample(0)
    with pytest.raises(ValueError, match="steps must be"):
        m.sample(3, steps=11)
    with pytest.raises(TypeError, match="clip"):
        m.sample(3, clip="yes")
    with pytest.raises(ValueError, match="loss must be None"):
        m.compile(loss="mse")


def test_ema_optimizer_and_its_errors():
    m = models.ddpm(2, hidden=(4,), ema=0.9)
    m.compile(optimizer=keras.optimizers.Adam(1e-3))
    assert m.optimizer.use_ema and m.optimizer.ema_momentum == pytest.approx(0.9)
    assert float(m.optimizer.learning_rate) == pytest.approx(1e-3)
    plain = models.ddpm(2, hidden=(4,), ema=0.0)
    plain.compile()
    assert not plain.optimizer.use_ema
    with pytest.raises(ValueError, match="ema"):
        models.ddpm(2, ema=1.0)
