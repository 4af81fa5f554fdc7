"""Adversarial autoencoder (Makhzani et al., 2015): a discriminator on the code pushes the
aggregate distribution of codes toward a chosen prior, so decoding prior samples gives images.

Training alternates three updates per batch, each with its own optimizer:
1. reconstruction: encoder + decoder minimize the reconstruction loss (``model.optimizer``,
   the one ``compile``/``training.fit`` sets);
2. discriminator: learns to tell prior samples (label 1) from codes (label 0);
3. generator: the encoder learns to make its codes look like prior samples to the discriminator.
The two adversarial optimizers are created by ``compile`` (Adam with beta_1 = 0.5, as is usual
for adversarial games; the discriminator at the compiled learning rate, the generator at
``adversarial_weight`` times it: Adam ignores a constant factor on a loss, so the weight sets
the step size), so ``training.fit(model, x, loss=None)`` works.

Three optimizers stepping in turn need a hand-written ``train_step`` (``tf.GradientTape``), so
this model trains on the TensorFlow backend only; on another backend it builds, saves, loads
and predicts, and ``compile`` (hence ``training.fit``) raises a ``RuntimeError`` saying so.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from .. import _validate as v
from ..distribute import scale_for_replicas
from .base import Autoencoder, builder, check_activation
from .dense import dense_autoencoder

__all__ = ["AdversarialAutoencoder", "adversarial_autoencoder", "PRIORS"]

PRIORS = frozenset({"gaussian", "mixture"})
MIXTURE_COMPONENTS = 10
RECONSTRUCTION_LOSSES = frozenset({"mse", "bce"})


def _mixture_means(code_size: int, scale: float) -> np.ndarray:
    """10 means on a circle of radius 2*scale in the first two code dimensions."""
    angles = 2 * np.pi * np.arange(MIXTURE_COMPONENTS) / MIXTURE_COMPONENTS
    means = np.zeros((MIXTURE_COMPONENTS, code_size), np.float32)
    means[:, 0], means[:, 1] = 2 * scale * np.cos(angles), 2 * scale * np.sin(angles)
    return means


def _mixture_stds(code_size: int, scale: float) -> np.ndarray:
    """Narrow components (0.3*scale) in the circle's plane, the prior's scale elsewhere."""
    stds = np.full(code_size, scale, np.float32)
    stds[:2] = 0.3 * scale
    return stds


@keras.saving.register_keras_serializable(package="course_lib")
class AdversarialAutoencoder(Autoencoder):
    """Autoencoder whose codes are matched to ``prior`` by an adversarial ``discriminator``.

    prior: 'gaussian' (N(0, scale^2 I)) or 'mixture' (10 Gaussians whose means sit on a circle of
    radius 2*scale in the first two code dimensions, std 0.3*scale there and scale in the other
    dimensions; needs code_size >= 2). The discriminator maps a code to one logit.
    Inference (``encode``/``reconstruct``) is deterministic; only training samples the prior.
    """
    _SUBMODELS = ("encoder", "decoder", "discriminator")

    def __init__(self, encoder, decoder, discriminator, *, prior: str = "gaussian",
                 prior_scale: float = 1.0, adversarial_weight: float = 1.0,
                 reconstruction_loss: str = "mse", seed: int = 0, **kwargs):
        super().__init__(encoder, decoder, **kwargs)
        if not isinstance(discriminator, keras.Model):
            raise TypeError(f"discriminator must be a keras.Model, "
                            f"got {type(discriminator).__name__}")
        self.prior = v.option("prior", prior, PRIORS)
        self.prior_scale = v.number("prior_scale", prior_scale, low=0.0, low_open=True)
        self.adversarial_weight = v.number("adversarial_weight", adversarial_weight, low=0.0)
        self.reconstruction_loss = v.option("reconstruction_loss", reconstruction_loss,
                                            RECONSTRUCTION_LOSSES)
        self.seed = v.positive_int("seed", seed, minimum=0)
        size = int(np.prod(encoder.output.shape[1:]))
        if self.prior == "mixture" and size < 2:
            raise ValueError(f"prior='mixture' needs code_size >= 2, got {size}")
        try:
            d_shape = tuple(discriminator.input.shape)
        except (AttributeError, ValueError):
            d_shape = None  # a model that has never been called has no known input
        if d_shape is None or d_shape[1:] != (size,):
            raise ValueError(f"discriminator must take codes of shape (None, {size}), "
                             f"got {d_shape}")
        self.discriminator = discriminator
        self._means = _mixture_means(size, self.prior_scale)
        self._stds = _mixture_stds(size, self.prior_scale)
        self._seed_gen = keras.random.SeedGenerator(self.seed)
        self.trackers = {k: keras.metrics.Mean(name=k) for k in
                         ("loss", "disc_loss", "gen_loss", "disc_accuracy")}

    # --- the prior -----------------------------------------------------------------------
    def sample_prior(self, n: int, *, seed: int = 0) -> np.ndarray:
        """n samples from the prior as a NumPy array (seeded, for plots and measurements)."""
        n = v.positive_int("n", n)
        seed = v.positive_int("seed", seed, minimum=0)
        rng = np.random.default_rng(seed)
        if self.prior == "gaussian":
            return (self.prior_scale * rng.standard_normal((n, self.code_size))).astype(np.float32)
        k = rng.integers(0, MIXTURE_COMPONENTS, n)
        return (self._means[k] + self._stds * rng.standard_normal((n, self.code_size))
                ).astype(np.float32)

    def _prior_batch(self, n):
        eps = keras.random.normal((n, self.code_size), seed=self._seed_gen)
        if self.prior == "gaussian":
            return self.prior_scale * eps
        k = keras.random.randint((n,), 0, MIXTURE_COMPONENTS, seed=self._seed_gen)
        return ops.take(ops.convert_to_tensor(self._means), k, axis=0) + eps * self._stds

    # --- training ------------------------------------------------------------------------
    def compile(self, optimizer="adam", **kwargs):
        if keras.backend.backend() != "tensorflow":
            raise RuntimeError(
                "AdversarialAutoencoder trains on the TensorFlow backend only (its train_step "
                "alternates three optimizers with tf.GradientTape); this Keras runs on "
                f"{keras.backend.backend()!r}. Set the environment variable "
                "KERAS_BACKEND=tensorflow before importing keras to train it; building, saving, "
                "loading and predicting work on every backend.")
        super().compile(optimizer=optimizer, **kwargs)
        lr = float(ops.convert_to_numpy(self.optimizer.learning_rate))
        # Separate optimizers: Adam's moment estimates must not mix the three objectives.
        self.disc_optimizer = keras.optimizers.Adam(lr, beta_1=0.5, name="disc_adam")
        # Adam ignores a constant factor on a loss, so the weight acts on the step size instead.
        self.gen_optimizer = keras.optimizers.Adam(lr * max(self.adversarial_weight, 1e-12),
                                                   beta_1=0.5, name="gen_adam")
        # built here, on exactly the variables each one updates, so saved states load back
        self.optimizer.build(self.encoder.trainable_variables + self.decoder.trainable_variables)
        self.disc_optimizer.build(self.discriminator.trainable_variables)
        self.gen_optimizer.build(self.encoder.trainable_variables)

    def get_compile_config(self):
        return super().get_compile_config()

    def compile_from_config(self, config):
        # load_model: rebuild the three optimizers, so a loaded model can train on at once
        if keras.backend.backend() != "tensorflow":
            return  # loads for inference; compile() explains why it cannot train here
        optimizer = keras.saving.deserialize_keras_object(config.get("optimizer", "adam"))
        self.compile(optimizer=optimizer)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _recon_loss(self, x, x_hat):
        x, x_hat = ops.reshape(x, (ops.shape(x)[0], -1)), ops.reshape(x_hat, (ops.shape(x)[0], -1))
        if self.reconstruction_loss == "mse":
            return ops.mean(ops.square(x - x_hat))
        return ops.mean(keras.losses.binary_crossentropy(x, x_hat))

    def train_step(self, data):
        import tensorflow as tf  # train_step runs on the TensorFlow backend (GradientTape)

        x = data[0] if isinstance(data, (tuple, list)) else data
        n = ops.shape(x)[0]
        ae_vars = self.encoder.trainable_variables + self.decoder.trainable_variables
        with tf.GradientTape() as tape:
            recon = self._recon_loss(x, self(x, training=True))
            # under a tf.distribute strategy the replicas' gradients are summed; the built-in
            # BinaryCrossentropy losses below scale themselves, this hand-made mean must too
            scaled_recon = scale_for_replicas(recon)
        self.optimizer.apply(tape.gradient(scaled_recon, ae_vars), ae_vars)

        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        codes = self.encoder(x, training=True)
        real = self._prior_batch(n)
        d_vars = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            d_real = self.discriminator(real, training=True)
            d_fake = self.discriminator(codes, training=True)
            d_loss = 0.5 * (bce(ops.ones_like(d_real), d_real)
                            + bce(ops.zeros_like(d_fake), d_fake))
        self.disc_optimizer.apply(tape.gradient(d_loss, d_vars), d_vars)

        e_vars = self.encoder.trainable_variables
        with tf.GradientTape() as tape:
            d_fake = self.discriminator(self.encoder(x, training=True), training=True)
            g_loss = bce(ops.ones_like(d_fake), d_fake)
        self.gen_optimizer.apply(tape.gradient(g_loss, e_vars), e_vars)

        acc = 0.5 * (ops.mean(ops.cast(d_real > 0, "float32"))
                     + ops.mean(ops.cast(d_fake < 0, "float32")))
        for key, value in (("loss", recon), ("disc_loss", d_loss), ("gen_loss", g_loss),
                           ("disc_accuracy", acc)):
            self.trackers[key].update_state(value)
        return {k: t.result() for k, t in self.trackers.items()}

    def test_step(self, data):
        x = data[0] if isinstance(data, (tuple, list)) else data
        self.trackers["loss"].update_state(self._recon_loss(x, self(x, training=False)))
        return {"loss": self.trackers["loss"].result()}

    # --- saving --------------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update(prior=self.prior, prior_scale=self.prior_scale,
                      adversarial_weight=self.adversarial_weight,
                      reconstruction_loss=self.reconstruction_loss, seed=self.seed)
        return config


@builder(example=dict(input_dim=12, code_size=2, hidden=(8,), prior="mixture"), input_shape=(12,))
def adversarial_autoencoder(input_dim, code_size: int, hidden=(256,), *, prior: str = "gaussian",
                            prior_scale: float = 1.0, discriminator_hidden=(64, 64),
                            adversarial_weight: float = 1.0, activation: str = "relu",
                            output_activation: str = "sigmoid", reconstruction_loss: str = "mse",
                            seed: int = 0, name: str = "adversarial_autoencoder"
                            ) -> AdversarialAutoencoder:
    """Dense encoder/decoder as ``dense_autoencoder`` (linear code) plus a dense discriminator
    ``code -> discriminator_hidden... -> 1 logit``. See ``AdversarialAutoencoder`` for priors.
    Train with ``training.fit(model, x, loss=None, ...)``."""
    base = dense_autoencoder(input_dim, code_size, hidden, activation=activation,
                             output_activation=output_activation)
    disc_hidden = v.int_tuple("discriminator_hidden", discriminator_hidden)
    act = check_activation("activation", activation)
    z_in = keras.Input((base.code_size,), name="code")
    h = z_in
    for i, units in enumerate(disc_hidden, 1):
        h = layers.Dense(units, activation=act, name=f"disc_{i}")(h)
    logit = layers.Dense(1, name="logit")(h)
    disc = keras.Model(z_in, logit, name="discriminator")
    v.string("name", name)
    return AdversarialAutoencoder(base.encoder, base.decoder, disc, prior=prior,
                                  prior_scale=prior_scale, adversarial_weight=adversarial_weight,
                                  reconstruction_loss=reconstruction_loss, seed=seed, name=name)
