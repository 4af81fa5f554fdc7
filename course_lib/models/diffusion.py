"""Denoising diffusion (Sohl-Dickstein et al., 2015; Ho et al., 2020) on vectors, e.g. the codes
of an autoencoder (latent diffusion, Rombach et al., 2022).

**Forward process.** Fix a schedule of small noise variances beta_1..beta_T and let
alpha_t = 1 - beta_t and abar_t = alpha_1 * ... * alpha_t. Noising a clean vector z_0 for t
steps has a closed form:

    q(z_t | z_0) = N(sqrt(abar_t) z_0, (1 - abar_t) I),   i.e.
    z_t = sqrt(abar_t) z_0 + sqrt(1 - abar_t) eps,   eps ~ N(0, I)

abar_t falls from ~1 (t = 1, almost clean) to ~0 (t = T, pure noise N(0, I)).

**Training.** A network eps_theta(z_t, t) is told the noised vector *and the step t* (the
noise level) and predicts the noise that was added; the loss is MSE(eps, eps_theta(z_t, t))
with t drawn uniformly (Ho et al.'s "simple" loss). It is a denoiser that knows its noise
level, trained at every level at once.

**Sampling (ancestral).** Start from z_T ~ N(0, I) and step back: estimate the clean vector
z0_hat = (z_t - sqrt(1 - abar_t) eps_theta) / sqrt(abar_t), then draw z_{t-1} from the Gaussian
q(z_{t-1} | z_t, z0_hat), whose mean and variance the schedule fixes (``denoise_step``).

``DDPM`` also standardizes its data (``adapt`` stores a per-dimension mean and std as weights),
so z_T ~ N(0, I) matches data of unit scale whatever the codes' units; ``sample`` undoes it.
Two details from Ho et al. keep short CPU runs good: the sampler clips z0_hat to the training
data's range, and the weights used after ``fit`` are an exponential moving average (``ema``).
"""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

from .. import _validate as v
from .base import check_activation

__all__ = ["SCHEDULES", "beta_schedule", "TimestepEmbedding", "NoisePredictor", "DDPM", "ddpm"]

SCHEDULES = frozenset({"linear", "cosine"})


def beta_schedule(kind: str = "cosine", timesteps: int = 100) -> np.ndarray:
    """The noise variances beta_1..beta_T (float64, shape (T,)).

    'linear': Ho et al.'s 1e-4 -> 0.02 over 1000 steps, rescaled by 1000 / T so that any T
    ends near pure noise (Nichol & Dhariwal, 2021). 'cosine': Nichol & Dhariwal's
    abar_t = f(t) / f(0), f(t) = cos^2((t / T + s) / (1 + s) * pi / 2), s = 0.008, each beta
    clipped to 0.999; it destroys information more evenly across the steps.
    """
    if not isinstance(kind, str):
        raise TypeError(f"kind must be one of {sorted(SCHEDULES)}, got {kind!r}")
    v.choice("kind", kind, SCHEDULES)
    timesteps = v.positive_int("timesteps", timesteps, minimum=2)
    if kind == "linear":
        scale = 1000.0 / timesteps
        return np.linspace(scale * 1e-4, min(scale * 0.02, 0.999), timesteps)
    s = 0.008
    f = np.cos((np.arange(timesteps + 1) / timesteps + s) / (1 + s) * np.pi / 2) ** 2
    return np.clip(1.0 - f[1:] / f[:-1], 0.0, 0.999)


@keras.saving.register_keras_serializable(package="course_lib")
class TimestepEmbedding(layers.Layer):
    """Sinusoidal embedding of a step t in [0, timesteps) (Vaswani et al., 2017, as used by
    Ho et al., 2020): [sin(s * w_k), cos(s * w_k)] for dim / 2 frequencies w_k spaced
    geometrically from 1 to 1 / max_period, with s = t * 1000 / timesteps (so the frequencies
    suit any T the way they suit DDPM's 1000 steps). Input (n,) or (n, 1); output (n, dim)."""

    def __init__(self, dim: int = 64, timesteps: int = 100, max_period: float = 10000.0,
                 **kwargs):
        super().__init__(**kwargs)
        self.dim = v.positive_int("dim", dim, minimum=2)
        if self.dim % 2:
            raise ValueError(f"dim must be even (half sines, half cosines), got {dim}")
        self.timesteps = v.positive_int("timesteps", timesteps, minimum=2)
        self.max_period = v.number("max_period", max_period, low=1.0, low_open=True)
        half = self.dim // 2
        self._freqs = np.exp(-math.log(self.max_period) * np.arange(half) / half).astype(
            np.float32)

    def call(self, t):
        t = ops.reshape(ops.cast(t, "float32"), (-1, 1)) * (1000.0 / self.timesteps)
        angles = t * ops.convert_to_tensor(self._freqs)[None, :]
        return ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "timesteps": self.timesteps,
                "max_period": self.max_period}


@keras.saving.register_keras_serializable(package="course_lib")
class NoisePredictor(keras.Model):
    """The MLP eps_theta(z_t, t): ``[z_t (n, data_dim), t (n,)] -> eps_hat (n, data_dim)``.
    A Keras model, so ``predict_on_batch`` runs it as one compiled function (the sampler calls
    it once per step).

    t is embedded (``TimestepEmbedding`` -> Dense -> act), and *every* hidden layer is told it:
    h <- act(Dense(h) + Dense(t_embedding)), with a skip connection once widths match. The last
    layer is linear (noise has no range) and starts at zero, so training starts from
    "predict no noise"."""

    def __init__(self, data_dim: int, hidden=(256, 256, 256), *, embed_dim: int = 64,
                 timesteps: int = 100, activation: str = "silu", **kwargs):
        super().__init__(**kwargs)
        self.data_dim = v.positive_int("data_dim", data_dim)
        self.hidden = v.int_tuple("hidden", hidden, allow_empty=False)
        self.embed_dim = v.positive_int("embed_dim", embed_dim, minimum=2)
        self.timesteps = v.positive_int("timesteps", timesteps, minimum=2)
        self.activation = check_activation("activation", activation)
        self.embedding = TimestepEmbedding(self.embed_dim, self.timesteps, name="t_embedding")
        self.t_mlp = layers.Dense(self.embed_dim, activation=self.activation, name="t_mlp")
        self.z_layers = [layers.Dense(u, name=f"hidden_{i}") for i, u in enumerate(self.hidden, 1)]
        self.t_layers = [layers.Dense(u, use_bias=False, name=f"t_to_hidden_{i}")
                         for i, u in enumerate(self.hidden, 1)]
        self.out = layers.Dense(self.data_dim, kernel_initializer="zeros", name="eps_hat")
        self._act = keras.activations.get(self.activation)

    def build(self, input_shape=None):
        self.embedding.build((None,))
        self.t_mlp.build((None, self.embed_dim))
        width = self.data_dim
        for z_layer, t_layer in zip(self.z_layers, self.t_layers):
            z_layer.build((None, width))
            t_layer.build((None, self.embed_dim))
            width = z_layer.units
        self.out.build((None, width))
        self.built = True

    def call(self, inputs):
        z_t, t = inputs
        t_emb = self.t_mlp(self.embedding(t))
        h = z_t
        for z_layer, t_layer in zip(self.z_layers, self.t_layers):
            new = self._act(z_layer(h) + t_layer(t_emb))
            h = h + new if h.shape[-1] == new.shape[-1] else new
        return self.out(h)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.data_dim)

    def get_config(self):
        return {**super().get_config(), "data_dim": self.data_dim, "hidden": list(self.hidden),
                "embed_dim": self.embed_dim, "timesteps": self.timesteps,
                "activation": self.activation}


@keras.saving.register_keras_serializable(package="course_lib")
class DDPM(keras.Model):
    """A denoising diffusion model of vectors of size ``data_dim`` (see the module docstring).

    ``model(z0)`` returns each row's eps-prediction error, mean over dimensions of
    (eps - eps_theta(z_t, t))^2 at a random step t and noise eps (seeded
    ``keras.random.SeedGenerator``); ``compute_loss`` averages it: that is the training loss.
    Train with ``training.fit(model, z0, loss=None)`` after ``model.adapt(z0)``. ema: the
    optimizer keeps an exponential moving average of the weights with this momentum and
    ``fit`` ends by copying it into the model (Ho et al. sample with such an average); 0 turns
    it off. With momentum m the average spans about 1 / (1 - m) steps: train for several times
    that many.
    ``sample(n, seed=...)`` runs the ancestral sampler (seeded NumPy noise, batched).
    """

    def __init__(self, data_dim: int, hidden=(256, 256, 256), *, timesteps: int = 100,
                 schedule: str = "cosine", embed_dim: int = 64, activation: str = "silu",
                 ema: float = 0.995, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.ema = v.number("ema", ema, low=0.0, high=1.0, high_open=True)
        self.data_dim = v.positive_int("data_dim", data_dim)
        self.timesteps = v.positive_int("timesteps", timesteps, minimum=2)
        if not isinstance(schedule, str):
            raise TypeError(f"schedule must be one of {sorted(SCHEDULES)}, got {schedule!r}")
        self.schedule = v.choice("schedule", schedule, SCHEDULES)
        self.seed = v.positive_int("seed", seed, minimum=0)
        self.predictor = NoisePredictor(self.data_dim, hidden, embed_dim=embed_dim,
                                        timesteps=self.timesteps, activation=activation,
                                        name="noise_predictor")
        self.predictor.build()
        # per-dimension standardization of the data, set by adapt() and saved with the weights
        self.shift = self.add_weight(shape=(self.data_dim,), initializer="zeros",
                                     trainable=False, name="shift")
        self.scale = self.add_weight(shape=(self.data_dim,), initializer="ones",
                                     trainable=False, name="scale")
        # the standardized data's range per dimension: the sampler clips its clean estimate to it
        self.low = self.add_weight(shape=(self.data_dim,), trainable=False, name="low",
                                   initializer=keras.initializers.Constant(-1e6))
        self.high = self.add_weight(shape=(self.data_dim,), trainable=False, name="high",
                                    initializer=keras.initializers.Constant(1e6))
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        betas = beta_schedule(self.schedule, self.timesteps)
        self.betas = betas                                     # float64 NumPy, shape (T,)
        self.alphas_cumprod = np.cumprod(1.0 - betas)           # abar_1 .. abar_T
        self._sqrt_ab = np.sqrt(self.alphas_cumprod).astype(np.float32)
        self._sqrt_1mab = np.sqrt(1.0 - self.alphas_cumprod).astype(np.float32)
        self.built = True

    # --- data scale ----------------------------------------------------------------------
    def adapt(self, z0) -> DDPM:
        """Store the per-dimension mean and std of ``z0`` (n, data_dim): the model then works
        on standardized vectors and ``sample`` returns vectors in ``z0``'s units."""
        z0 = self._vectors("z0", z0)
        if len(z0) < 2:
            raise ValueError(f"z0 needs at least 2 rows to estimate a spread, got {len(z0)}")
        std = z0.std(axis=0)
        self.shift.assign(z0.mean(axis=0))
        self.scale.assign(np.where(std > 1e-6, std, 1.0).astype(np.float32))
        z = self.standardize(z0)
        self.low.assign(z.min(axis=0))
        self.high.assign(z.max(axis=0))
        return self

    def _vectors(self, name, z):
        z = v.array(name, z, ndim=2)
        if z.shape[1] != self.data_dim:
            raise ValueError(f"{name} must have shape (n, {self.data_dim}), got {z.shape}")
        return z

    # --- forward process -----------------------------------------------------------------
    def q_sample(self, z0, t, noise):
        """z_t = sqrt(abar_t) z0 + sqrt(1 - abar_t) noise, for standardized z0 (backend ops;
        t: integer steps 0..T-1 of shape (n,), index 0 meaning the first step t = 1)."""
        a = ops.take(ops.convert_to_tensor(self._sqrt_ab), t)[:, None]
        b = ops.take(ops.convert_to_tensor(self._sqrt_1mab), t)[:, None]
        return a * z0 + b * noise

    def noisy(self, z0, t, *, seed: int = 0) -> np.ndarray:
        """NumPy view of the forward process for ``z0`` in data units: every row noised to
        step index ``t`` (an int or one int per row), returned standardized (the model's
        units, where z_T is close to N(0, I))."""
        z0 = self._vectors("z0", z0)
        seed = v.positive_int("seed", seed, minimum=0)
        t = self._steps("t", t, len(z0))
        noise = np.random.default_rng(seed).standard_normal(z0.shape).astype(np.float32)
        return ops.convert_to_numpy(self.q_sample(self.standardize(z0), t, noise))

    def _steps(self, name, t, n):
        arr = np.asarray(t)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must be an integer step index (or one per row), got {t!r}")
        arr = np.broadcast_to(arr, (n,)) if arr.ndim == 0 else arr
        if arr.shape != (n,):
            raise ValueError(f"{name} must be one int or {n} ints, got shape {arr.shape}")
        if arr.min() < 0 or arr.max() >= self.timesteps:
            raise ValueError(f"{name} must lie in [0, {self.timesteps - 1}] (timesteps="
                             f"{self.timesteps}), got [{arr.min()}, {arr.max()}]")
        return arr.astype(np.int32)

    def standardize(self, z):
        """(z - mean) / std with the statistics ``adapt`` stored: data units -> model units
        (NumPy in, NumPy out; backend tensors in, tensors out)."""
        if isinstance(z, np.ndarray):
            return (z - ops.convert_to_numpy(self.shift)) / ops.convert_to_numpy(self.scale)
        return (z - self.shift) / self.scale

    def unstandardize(self, z):
        """The inverse of ``standardize`` (NumPy): model units -> data units."""
        return np.asarray(z) * ops.convert_to_numpy(self.scale) + ops.convert_to_numpy(self.shift)

    # --- the loss ------------------------------------------------------------------------
    def call(self, z0, training=False):
        """Per-row eps-prediction error at a random step (the training loss before the mean)."""
        z0 = self.standardize(ops.convert_to_tensor(z0, "float32"))
        n = ops.shape(z0)[0]
        t = keras.random.randint((n,), 0, self.timesteps, seed=self.seed_generator)
        eps = keras.random.normal(ops.shape(z0), seed=self.seed_generator)
        eps_hat = self.predictor([self.q_sample(z0, t, eps), t], training=training)
        return ops.mean(ops.square(eps - eps_hat), axis=-1)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Ho et al.'s simple loss: the batch mean of MSE(eps, eps_theta(z_t, t))."""
        from ..training import scale_for_replicas

        if y_pred is None:
            y_pred = self(x, training=training)
        loss = ops.mean(y_pred)
        if self.losses:
            loss = loss + ops.sum(ops.stack(self.losses))
        return scale_for_replicas(loss)  # replicas' gradients are summed under tf.distribute

    def compile(self, optimizer="adam", loss=None, **kwargs):
        if loss is not None:
            raise ValueError("loss must be None: a DDPM computes its own loss (the "
                             "eps-prediction MSE); train with training.fit(model, z0, loss=None)")
        optimizer = keras.optimizers.get(optimizer)
        if self.ema and not optimizer.use_ema:
            # keep an exponential moving average of the weights; fit() ends by copying it in
            config = {**optimizer.get_config(), "use_ema": True, "ema_momentum": self.ema}
            optimizer = optimizer.__class__.from_config(config)
        super().compile(optimizer=optimizer, **kwargs)

    def compile_from_config(self, config):
        optimizer = keras.saving.deserialize_keras_object(config.get("optimizer", "adam"))
        self.compile(optimizer=optimizer)
        self.optimizer.build(self.trainable_variables)

    def loss_at(self, z0, t, *, seed: int = 0) -> np.ndarray:
        """Per-step evaluation: mean eps-MSE of the rows of ``z0`` (data units) all noised to
        step index ``t`` with seeded noise (a NumPy float)."""
        z0 = self._vectors("z0", z0)
        seed = v.positive_int("seed", seed, minimum=0)
        t = self._steps("t", t, len(z0))
        eps = np.random.default_rng(seed).standard_normal(z0.shape).astype(np.float32)
        z_t = self.q_sample(self.standardize(z0), t, eps)
        return float(np.mean((eps - self.predict_noise(z_t, t)) ** 2))

    # --- sampling ------------------------------------------------------------------------
    def predict_noise(self, z_t, t) -> np.ndarray:
        """eps_theta(z_t, t) as NumPy (standardized z_t, integer steps t of shape (n,))."""
        out = self.predictor.predict_on_batch([np.asarray(z_t, np.float32),
                                               np.asarray(t, np.int32)])
        return np.asarray(out, np.float32)

    def denoise_step(self, z_t, t: int, t_prev: int, noise, *, clip: bool = True) -> np.ndarray:
        """One ancestral step from step index t to t_prev < t (t_prev = -1: to clean data).

        With abar at t and t_prev, and beta = 1 - abar_t / abar_prev (the single step's noise
        when t_prev = t - 1), sample q(z_prev | z_t, z0_hat):
            z0_hat = (z_t - sqrt(1 - abar_t) eps_theta(z_t, t)) / sqrt(abar_t)
            mean   = sqrt(abar_prev) beta / (1 - abar_t) z0_hat
                     + sqrt(1 - beta) (1 - abar_prev) / (1 - abar_t) z_t
            var    = beta (1 - abar_prev) / (1 - abar_t)            (0 on the last step)
        clip: keep z0_hat inside the training data's range (as Ho et al. clip images to
        [-1, 1]); early steps divide by a tiny sqrt(abar_t), which magnifies any error.
        """
        ab = self.alphas_cumprod[t]
        ab_prev = self.alphas_cumprod[t_prev] if t_prev >= 0 else 1.0
        beta = 1.0 - ab / ab_prev
        eps_hat = self.predict_noise(z_t, np.full(len(z_t), t, np.int32))
        z0_hat = (z_t - np.sqrt(1.0 - ab) * eps_hat) / np.sqrt(ab)
        if clip:
            z0_hat = np.clip(z0_hat, ops.convert_to_numpy(self.low),
                             ops.convert_to_numpy(self.high))
        mean = (np.sqrt(ab_prev) * beta / (1.0 - ab)) * z0_hat \
            + (np.sqrt(1.0 - beta) * (1.0 - ab_prev) / (1.0 - ab)) * z_t
        var = beta * (1.0 - ab_prev) / (1.0 - ab)
        return (mean + np.sqrt(var) * noise).astype(np.float32)

    def sampling_steps(self, steps=None) -> np.ndarray:
        """The step indices the sampler visits, from T-1 down to 0: all T of them, or
        ``steps`` evenly spaced ones (skipping steps as Nichol & Dhariwal, 2021, do)."""
        if steps is None:
            return np.arange(self.timesteps)[::-1]
        steps = v.positive_int("steps", steps, maximum=self.timesteps)
        return np.unique(np.round(np.linspace(0, self.timesteps - 1, steps)).astype(int))[::-1]

    def sample(self, n: int, *, seed: int = 0, steps=None, clip: bool = True,
               batch_size: int = 4096, return_trajectory: bool = False):
        """Draw ``n`` vectors (data units): start from N(0, I), apply ``denoise_step`` from
        step T-1 down to 0 (or over ``steps`` evenly spaced steps), undo the standardization.
        clip: clip each step's clean estimate to the data's range (see ``denoise_step``).
        Seeded NumPy noise, so a seed repeats. ``return_trajectory=True`` also returns the
        standardized states, shape (len(steps) + 1, n, data_dim), from z_T to z_0."""
        n = v.positive_int("n", n)
        seed = v.positive_int("seed", seed, minimum=0)
        batch_size = v.positive_int("batch_size", batch_size)
        if not isinstance(clip, bool):
            raise TypeError(f"clip must be True or False, got {clip!r}")
        if not isinstance(return_trajectory, bool):
            raise TypeError(f"return_trajectory must be True or False, got {return_trajectory!r}")
        visit = self.sampling_steps(steps)
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((n, self.data_dim)).astype(np.float32)
        path = [z] if return_trajectory else None
        for i, t in enumerate(visit):
            t_prev = int(visit[i + 1]) if i + 1 < len(visit) else -1
            noise = rng.standard_normal(z.shape).astype(np.float32)
            z = np.concatenate([self.denoise_step(z[j:j + batch_size], int(t), t_prev,
                                                  noise[j:j + batch_size], clip=clip)
                                for j in range(0, n, batch_size)])
            if return_trajectory:
                path.append(z)
        out = self.unstandardize(z).astype(np.float32)
        return (out, np.stack(path)) if return_trajectory else out

    # --- saving --------------------------------------------------------------------------
    def get_config(self):
        p = self.predictor
        return {**super().get_config(), "data_dim": self.data_dim, "hidden": list(p.hidden),
                "timesteps": self.timesteps, "schedule": self.schedule,
                "embed_dim": p.embed_dim, "activation": p.activation, "ema": self.ema,
                "seed": self.seed}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["hidden"] = tuple(config["hidden"])
        return cls(**config)


def ddpm(data_dim: int, hidden=(256, 256, 256), *, timesteps: int = 100,
         schedule: str = "cosine", embed_dim: int = 64, activation: str = "silu",
         ema: float = 0.995, seed: int = 0, name: str = "ddpm") -> DDPM:
    """A DDPM of ``data_dim``-vectors with an MLP noise predictor (``hidden`` widths, each
    layer conditioned on a ``embed_dim`` sinusoidal embedding of the step) and a 'cosine' or
    'linear' schedule of ``timesteps`` steps; ``ema``: the weight-averaging momentum (see
    ``DDPM``). Call ``adapt(z0)``, then
    ``training.fit(model, z0, loss=None)``; ``sample(n, seed=...)`` generates."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    return DDPM(data_dim, hidden, timesteps=timesteps, schedule=schedule, embed_dim=embed_dim,
                activation=activation, ema=ema, seed=seed, name=name)
