"""Variational autoencoders (Kingma & Welling, 2014) and the beta-VAE weighting (Higgins et al.,
2017).

The encoder maps an image to the mean mu and log-variance log sigma^2 of a Gaussian over the
code; during training a code is *sampled* from it with the reparameterization trick
(``Sampling``: z = mu + sigma * eps, eps ~ N(0, I)), so gradients flow through mu and sigma.
The loss, per image and in nats, is

    reconstruction  = sum over pixels of BCE(x, decoder(z))   (-log p(x | z), Bernoulli pixels)
    kl              = KL(N(mu, sigma^2) || N(0, I))
                    = 1/2 * sum_j (mu_j^2 + sigma_j^2 - 1 - log sigma_j^2)
    loss            = reconstruction + beta * kl               (beta = 1: the negative ELBO)

In inference (``model(x)``, ``reconstruct``, ``encode``) nothing is sampled: the code is mu, so
outputs are deterministic and a saved model reloads to identical numbers.

Training uses Keras' own ``train_step`` on every backend: ``call(x, training=True)`` samples a
code and returns ``(reconstruction, mu, log_var)``, and ``compute_loss`` turns them into the loss
above, updating the ``reconstruction`` and ``kl`` trackers on the way (no backend-specific
gradient code, so the same model trains under TensorFlow and JAX).
"""
from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from .. import _validate as v
from ..distribute import scale_for_replicas
from .base import Autoencoder, builder, check_activation, check_image_shape
from .dense import _input_shape

__all__ = ["Sampling", "VAE", "vae", "conv_vae"]

_EPS = 1e-7  # the clip Keras' binary cross-entropy applies to probabilities


@keras.saving.register_keras_serializable(package="course_lib")
class Sampling(layers.Layer):
    """The reparameterization trick: ``[mu, log_var] -> mu + exp(log_var / 2) * eps`` with
    eps ~ N(0, I) drawn from a seeded ``keras.random.SeedGenerator`` (so a seeded run repeats).
    It always samples; the VAE calls it only while training."""

    def __init__(self, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.seed = v.positive_int("seed", seed, minimum=0)
        self.seed_generator = keras.random.SeedGenerator(self.seed)

    def call(self, inputs):
        mu, log_var = inputs
        eps = keras.random.normal(ops.shape(mu), seed=self.seed_generator)
        return mu + ops.exp(0.5 * log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def kl_terms(mu, log_var):
    """KL(N(mu, sigma^2) || N(0, 1)) per code dimension (backend tensors, same shape as mu)."""
    return 0.5 * (ops.square(mu) + ops.exp(log_var) - 1.0 - log_var)


@keras.saving.register_keras_serializable(package="course_lib")
class VAE(Autoencoder):
    """Autoencoder whose encoder outputs ``[mu, log_var]`` (two tensors of shape (n, latent)) and
    whose ``compute_loss`` minimizes reconstruction (BCE summed over pixels) + beta * KL, both in
    nats per image and tracked separately as the metrics ``reconstruction`` and ``kl`` (the
    metric ``loss`` is their weighted sum).

    ``encode`` returns mu; ``model(x)`` / ``reconstruct`` decode mu (deterministic);
    ``posterior`` returns (mu, log_var); ``sample`` decodes draws from the prior N(0, I).
    Train with ``training.fit(model, x, loss=None)``.
    """

    def __init__(self, encoder, decoder, *, beta: float = 1.0, seed: int = 0, **kwargs):
        super().__init__(encoder, decoder, **kwargs)
        outs = encoder.outputs if encoder.built else None
        if not outs or len(outs) != 2 or tuple(outs[0].shape) != tuple(outs[1].shape) \
                or len(outs[0].shape) != 2:
            raise ValueError("encoder must output [mu, log_var], two tensors of shape "
                             f"(None, latent_dim); got {[tuple(o.shape) for o in outs or []]}")
        latent = int(outs[0].shape[-1])
        try:
            d_shape = tuple(decoder.inputs[0].shape)
        except (AttributeError, IndexError, TypeError, ValueError):
            d_shape = None  # a decoder that has never been called has no known input
        if d_shape != (None, latent):
            raise ValueError(f"decoder must take codes of shape (None, {latent}), got {d_shape}")
        self.beta = v.number("beta", beta, low=0.0)
        self.seed = v.positive_int("seed", seed, minimum=0)
        self.sampling = Sampling(seed=self.seed, name="sampling")
        self.trackers = {k: keras.metrics.Mean(name=k) for k in ("reconstruction", "kl")}

    # --- the model -----------------------------------------------------------------------
    @property
    def code_size(self) -> int:
        return int(self.encoder.outputs[0].shape[-1])

    latent_dim = code_size

    def call(self, inputs, training=False):
        """The reconstruction of ``inputs`` from mu. While training, a code is sampled instead
        and ``(reconstruction, mu, log_var)`` is returned: ``compute_loss`` needs all three."""
        mu, log_var = self.encoder(inputs, training=training)
        if not training:
            return self.decoder(mu, training=False)
        return self.decoder(self.sampling([mu, log_var]), training=True), mu, log_var

    def compile(self, optimizer="adam", loss=None, **kwargs):
        if loss is not None:
            raise ValueError("loss must be None: a VAE computes its own loss (reconstruction + "
                             "beta * KL); train with training.fit(model, x, loss=None)")
        super().compile(optimizer=optimizer, **kwargs)

    def get_compile_config(self):
        return super().get_compile_config()

    def compile_from_config(self, config):
        # load_model: recompile with the saved optimizer and build it on this model's variables,
        # so its saved state (Adam's moments) loads back and training can continue
        optimizer = keras.saving.deserialize_keras_object(config.get("optimizer", "adam"))
        self.compile(optimizer=optimizer)
        self.optimizer.build(self.trainable_variables)

    # --- the loss ------------------------------------------------------------------------
    def loss_terms(self, x, training=False):
        """Batch means (backend tensors) of the two terms, in nats per image, with a sampled
        code (the ELBO's one-sample estimate)."""
        mu, log_var = self.encoder(x, training=training)
        x_hat = self.decoder(self.sampling([mu, log_var]), training=training)
        return self._terms(x, x_hat, mu, log_var)

    @staticmethod
    def _terms(x, x_hat, mu, log_var):
        n = ops.shape(x)[0]
        x_flat = ops.reshape(ops.cast(x, x_hat.dtype), (n, -1))
        bce = ops.binary_crossentropy(x_flat, ops.reshape(x_hat, (n, -1)))
        reconstruction = ops.mean(ops.sum(bce, axis=-1))
        kl = ops.mean(ops.sum(kl_terms(mu, log_var), axis=-1))
        return reconstruction, kl

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """reconstruction + beta * KL (+ any layer losses while training), tracking both terms.

        Keras' ``train_step`` passes the ``(reconstruction, mu, log_var)`` that ``call`` returns
        while training; ``test_step`` passes the deterministic reconstruction, so validation
        draws its own sampled code (the same one-sample ELBO estimate as in training)."""
        if isinstance(y_pred, (tuple, list)):
            reconstruction, kl = self._terms(x, *y_pred)
        else:
            reconstruction, kl = self.loss_terms(x, training=False)
        loss = reconstruction + self.beta * kl
        if training and self.losses:  # weight decay or other layer losses, if any were added
            loss = loss + ops.sum(ops.stack(self.losses))
        self.trackers["reconstruction"].update_state(reconstruction)
        self.trackers["kl"].update_state(kl)
        # a hand-made batch mean: under tf.distribute the replicas' gradients are summed (Keras
        # un-scales the value it reports as the metric 'loss')
        return scale_for_replicas(loss)

    # --- NumPy conveniences --------------------------------------------------------------
    def encode(self, x, batch_size: int = 256) -> np.ndarray:
        """The posterior means mu (the code used in inference)."""
        return self.posterior(x, batch_size=batch_size)[0]

    def posterior(self, x, batch_size: int = 256):
        """(mu, log_var) as NumPy arrays of shape (n, latent_dim)."""
        mu, log_var = self.encoder.predict(np.asarray(x, np.float32), batch_size=batch_size,
                                           verbose=0)
        return mu, log_var

    def sample(self, n: int, *, seed: int = 0, batch_size: int = 256) -> np.ndarray:
        """Decode ``n`` draws from the prior N(0, I) (seeded NumPy draws): generated images."""
        n = v.positive_int("n", n)
        seed = v.positive_int("seed", seed, minimum=0)
        z = np.random.default_rng(seed).standard_normal((n, self.code_size)).astype(np.float32)
        return self.decode(z, batch_size=batch_size)

    def elbo_terms(self, x, *, samples: int = 1, seed: int = 0, batch_size: int = 256) -> dict:
        """Per-image 'reconstruction' (BCE summed over pixels, averaged over ``samples`` seeded
        codes drawn from the posterior), 'kl' (exact) and 'elbo' = -(reconstruction + kl), all
        in nats, as NumPy arrays of shape (n,)."""
        x = v.array("x", x, min_ndim=2, unit_range=True)
        samples = v.positive_int("samples", samples)
        seed = v.positive_int("seed", seed, minimum=0)
        mu, log_var = self.posterior(x, batch_size=batch_size)
        rng = np.random.default_rng(seed)
        flat = x.reshape(len(x), -1).astype(np.float64)
        rec = np.zeros(len(x))
        for _ in range(samples):
            z = mu + np.exp(0.5 * log_var) * rng.standard_normal(mu.shape).astype(np.float32)
            p = np.clip(self.decode(z, batch_size=batch_size).reshape(len(x), -1), _EPS, 1 - _EPS)
            rec += -(flat * np.log(p) + (1 - flat) * np.log(1 - p)).sum(axis=1)
        rec /= samples
        kl = 0.5 * (np.square(mu) + np.exp(log_var) - 1.0 - log_var).astype(np.float64).sum(1)
        return {"reconstruction": rec, "kl": kl, "elbo": -(rec + kl)}

    def kl_per_dimension(self, x, batch_size: int = 256) -> np.ndarray:
        """Mean KL (nats) of each code dimension over the images ``x``: near-zero dimensions
        carry no information about the input (they are 'inactive')."""
        x = v.array("x", x, min_ndim=2)
        mu, log_var = self.posterior(x, batch_size=batch_size)
        return (0.5 * (np.square(mu) + np.exp(log_var) - 1.0 - log_var)).mean(axis=0)

    # --- saving --------------------------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "seed": self.seed}


def _heads(h, latent_dim):
    mu = layers.Dense(latent_dim, name="z_mean")(h)
    # start log sigma^2 near 0 (sigma = 1) rather than random, so early samples are not wild
    log_var = layers.Dense(latent_dim, name="z_log_var", kernel_initializer="zeros")(h)
    return [mu, log_var]


def _shared_args(latent_dim, hidden, activation, name, beta):
    """The checks both builders share; returns (latent_dim, hidden, activation)."""
    latent_dim = v.positive_int("latent_dim", latent_dim)
    hidden = v.int_tuple("hidden", hidden)
    act = check_activation("activation", activation)
    v.string("name", name)
    v.number("beta", beta, low=0.0)
    return latent_dim, hidden, act


def _dense_stack(h, sizes, act, prefix):
    for i, units in enumerate(sizes, 1):
        h = layers.Dense(units, activation=act, name=f"{prefix}_{i}")(h)
    return h


@builder(example=dict(input_dim=12, latent_dim=2, hidden=(8,), beta=0.5), input_shape=(12,))
def vae(input_dim, latent_dim: int = 2, hidden=(256,), *, beta: float = 1.0,
        activation: str = "relu", seed: int = 0, name: str = "vae") -> VAE:
    """Dense VAE: input -> hidden... -> (mu, log_var) of size latent_dim; decoder
    z -> reversed(hidden)... -> sigmoid output of the input's shape (an int or e.g. (28, 28)).
    Train with ``training.fit(model, x, loss=None)``; pixels must lie in [0, 1]."""
    shape = _input_shape(input_dim)
    latent_dim, hidden, act = _shared_args(latent_dim, hidden, activation, name, beta)
    flat = int(np.prod(shape))

    x_in = keras.Input(shape, name="image" if len(shape) > 1 else "x")
    h = layers.Flatten(name="flatten")(x_in) if len(shape) > 1 else x_in
    h = _dense_stack(h, hidden, act, "enc")
    encoder = keras.Model(x_in, _heads(h, latent_dim), name="encoder")

    z_in = keras.Input((latent_dim,), name="code_in")
    h = _dense_stack(z_in, tuple(reversed(hidden)), act, "dec")
    out = layers.Dense(flat, activation="sigmoid", name="reconstruction")(h)
    if len(shape) > 1:
        out = layers.Reshape(shape, name="unflatten")(out)
    decoder = keras.Model(z_in, out, name="decoder")
    return VAE(encoder, decoder, beta=beta, seed=seed, name=name)


@builder(example=dict(image_shape=(8, 8), latent_dim=2, filters=(4, 4), beta=2.0),
         input_shape=(8, 8))
def conv_vae(image_shape=(28, 28, 1), latent_dim: int = 2, filters=(16, 32), *, hidden=(),
             beta: float = 1.0, activation: str = "relu", seed: int = 0,
             name: str = "conv_vae") -> VAE:
    """Convolutional VAE. Encoder: one 3x3 stride-2 convolution per entry of ``filters`` (each
    halves height and width), flatten, optional dense ``hidden`` layers, then (mu, log_var).
    Decoder: the mirror image with transposed convolutions, then a 3x3 sigmoid convolution to
    the input's channels. image_shape: (h, w) or (h, w, c), h and w divisible by
    2**len(filters). Train with ``training.fit(model, x, loss=None)``."""
    filters = v.int_tuple("filters", filters, allow_empty=False)
    shape = check_image_shape(image_shape, len(filters))
    latent_dim, hidden, act = _shared_args(latent_dim, hidden, activation, name, beta)
    channels = shape[2] if len(shape) == 3 else 1
    small = (shape[0] // 2 ** len(filters), shape[1] // 2 ** len(filters), filters[-1])

    x_in = keras.Input(shape, name="image")
    h = layers.Reshape(shape[:2] + (1,), name="add_channel")(x_in) if len(shape) == 2 else x_in
    for i, f in enumerate(filters, 1):
        h = layers.Conv2D(f, 3, strides=2, padding="same", activation=act, name=f"conv_{i}")(h)
    h = layers.Flatten(name="flatten")(h)
    h = _dense_stack(h, hidden, act, "enc")
    encoder = keras.Model(x_in, _heads(h, latent_dim), name="encoder")

    z_in = keras.Input((latent_dim,), name="code_in")
    h = _dense_stack(z_in, tuple(reversed(hidden)), act, "dec")
    h = layers.Dense(int(np.prod(small)), activation=act, name="dec_project")(h)
    h = layers.Reshape(small, name="to_feature_map")(h)
    for i, f in enumerate(reversed(filters), 1):
        h = layers.Conv2DTranspose(f, 3, strides=2, padding="same", activation=act,
                                   name=f"deconv_{i}")(h)
    out = layers.Conv2D(channels, 3, padding="same", activation="sigmoid",
                        name="reconstruction")(h)
    if len(shape) == 2:
        out = layers.Reshape(shape, name="drop_channel")(out)
    decoder = keras.Model(z_in, out, name="decoder")
    return VAE(encoder, decoder, beta=beta, seed=seed, name=name)
