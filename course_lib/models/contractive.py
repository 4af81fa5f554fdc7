"""Contractive autoencoder (Rifai et al., 2011): reconstruction loss + lambda * ||J_f(x)||_F^2,
the squared Frobenius norm of the encoder's Jacobian, so small input changes move the code little.

The encoder is one sigmoid layer h = sigmoid(x W + b), whose Jacobian has the closed form
J = diag(h (1 - h)) W^T, hence ||J||_F^2 = sum_j (h_j (1 - h_j))^2 * sum_i W_ij^2: no second
backward pass is needed. The decoder may be deeper. ``jacobian_norm`` and ``code_sensitivity``
measure any encoder (automatic differentiation, not the closed form).
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from .. import _validate as v
from ..distribute import scale_for_replicas
from .base import Autoencoder, builder
from .dense import dense_autoencoder

__all__ = ["ContractiveAutoencoder", "contractive_autoencoder", "jacobian_norm",
           "code_sensitivity"]


@keras.saving.register_keras_serializable(package="course_lib")
class ContractiveAutoencoder(Autoencoder):
    """Autoencoder whose ``compute_loss`` adds ``contractive_weight`` times the batch mean of
    ||J||_F^2 (closed form above) to the compiled reconstruction loss. The encoder must end in
    a sigmoid Dense layer named 'code' fed directly by the (flattened) input."""

    def __init__(self, encoder, decoder, *, contractive_weight: float = 0.1, **kwargs):
        super().__init__(encoder, decoder, **kwargs)
        self.contractive_weight = v.number("contractive_weight", contractive_weight, low=0.0)
        names = [layer.name for layer in encoder.layers]
        code = encoder.get_layer("code") if "code" in names else None
        dense_layers = [la for la in encoder.layers if isinstance(la, keras.layers.Dense)]
        if (code is None or dense_layers != [code]
                or keras.activations.serialize(code.activation) != "sigmoid"):
            raise ValueError("encoder must be a single sigmoid Dense layer named 'code' (the "
                             "closed-form Jacobian assumes it); build it with "
                             "contractive_autoencoder(...)")
        self._code_layer = code
        self.penalty_tracker = keras.metrics.Mean(name="jacobian_penalty")

    def jacobian_penalty(self, x):
        """Batch mean of ||J_f(x)||_F^2 from the closed form (a backend tensor)."""
        h = self.encoder(x)
        w_sq = ops.sum(ops.square(self._code_layer.kernel), axis=0)  # sum_i W_ij^2, per unit j
        return ops.mean(ops.sum(ops.square(h * (1.0 - h)) * w_sq, axis=-1))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                    training=training)
        penalty = self.jacobian_penalty(x)
        self.penalty_tracker.update_state(penalty)
        if not self.contractive_weight:
            return loss
        return loss + scale_for_replicas(self.contractive_weight * penalty)

    @property
    def metrics(self):
        return [*super().metrics, self.penalty_tracker]

    def get_config(self):
        return {**super().get_config(), "contractive_weight": self.contractive_weight}


@builder(example=dict(input_dim=12, code_size=3, decoder_hidden=(8,), contractive_weight=0.5),
         input_shape=(12,))
def contractive_autoencoder(input_dim, code_size: int, *, contractive_weight: float = 0.1,
                            decoder_hidden=(), output_activation: str = "sigmoid",
                            name: str = "contractive_autoencoder") -> ContractiveAutoencoder:
    """input -> sigmoid code (one layer) -> decoder_hidden... -> output, trained with the
    contractive penalty. ``contractive_weight=0`` gives the plain autoencoder of the same shape.
    Train with ``training.fit(model, x, loss='mse')``: the penalty is added to that loss."""
    decoder_hidden = v.int_tuple("decoder_hidden", decoder_hidden)
    base = dense_autoencoder(input_dim, code_size, code_activation="sigmoid",
                             output_activation=output_activation, name=name)
    decoder = base.decoder
    if decoder_hidden:
        deep = dense_autoencoder(input_dim, code_size, decoder_hidden,
                                 output_activation=output_activation)
        decoder = deep.decoder
    return ContractiveAutoencoder(base.encoder, decoder, contractive_weight=contractive_weight,
                                  name=name)


def _encoder(encoder):
    if isinstance(encoder, Autoencoder):
        encoder = encoder.encoder
    if not isinstance(encoder, keras.Model):
        raise TypeError(f"encoder must be a keras.Model or a course_lib Autoencoder, "
                        f"got {type(encoder).__name__}")
    return encoder


def jacobian_norm(encoder, x, *, batch_size: int = 256, per_example: bool = False):
    """Frobenius norm ||d code / d x||_F of ``encoder`` (or an Autoencoder's encoder) at each row
    of ``x``, by automatic differentiation (``tf.GradientTape.batch_jacobian`` on TensorFlow,
    ``jax.jacrev`` on JAX). Returns the mean over examples, or one norm per example with
    ``per_example=True``."""
    encoder = _encoder(encoder)
    x = v.array("x", x, min_ndim=2)
    batch_size = v.positive_int("batch_size", batch_size)
    v.boolean("per_example", per_example)
    jacobians = {"tensorflow": _jacobian_sq_tf, "jax": _jacobian_sq_jax}
    if keras.backend.backend() not in jacobians:
        raise RuntimeError(f"jacobian_norm differentiates with TensorFlow or JAX, not "
                           f"{keras.backend.backend()!r}; code_sensitivity measures the same "
                           f"thing by finite differences on any backend")
    squared = np.concatenate([jacobians[keras.backend.backend()](encoder, x[i:i + batch_size])
                              for i in range(0, len(x), batch_size)])
    norms = np.sqrt(squared)
    return norms if per_example else float(norms.mean())


def _jacobian_sq_tf(encoder, xb):
    """Squared Frobenius norm of the code's Jacobian at each row of ``xb`` (TensorFlow)."""
    import tensorflow as tf

    xb = tf.convert_to_tensor(xb)
    with tf.GradientTape() as tape:
        tape.watch(xb)
        z = tf.reshape(encoder(xb, training=False), (len(xb), -1))
    jac = tape.batch_jacobian(z, xb)  # (n, code, *input_shape)
    return tf.reduce_sum(tf.reshape(tf.square(jac), (len(xb), -1)), axis=1).numpy()


def _jacobian_sq_jax(encoder, xb):
    """The same on JAX: ``jax.jacrev`` of the encoder's stateless call, one row at a time."""
    import jax

    trainable = [w.value for w in encoder.trainable_variables]
    frozen = [w.value for w in encoder.non_trainable_variables]

    def code(row):
        z, _ = encoder.stateless_call(trainable, frozen, row[None], training=False)
        return z.reshape(-1)

    jac = jax.vmap(jax.jacrev(code))(jax.numpy.asarray(xb))  # (n, code, *input_shape)
    return np.asarray((jac ** 2).reshape(len(xb), -1).sum(axis=1))


def code_sensitivity(encoder, x, sigma: float = 0.05, *, seed: int = 0,
                     per_example: bool = False):
    """Mean ||f(x + eps) - f(x)|| / ||eps|| for Gaussian eps of std ``sigma`` (seeded): how far
    the code moves per unit of input change. Not clipped to [0, 1], so the ratio is exact."""
    encoder = _encoder(encoder)
    x = v.array("x", x, min_ndim=2)
    sigma = v.number("sigma", sigma, low=0.0, low_open=True)
    seed = v.positive_int("seed", seed, minimum=0)
    v.boolean("per_example", per_example)
    eps = (sigma * np.random.default_rng(seed).standard_normal(x.shape)).astype(np.float32)
    z0 = encoder.predict(x, batch_size=256, verbose=0).reshape(len(x), -1)
    z1 = encoder.predict(x + eps, batch_size=256, verbose=0).reshape(len(x), -1)
    ratio = np.linalg.norm(z1 - z0, axis=1) / np.linalg.norm(eps.reshape(len(x), -1), axis=1)
    return ratio if per_example else float(ratio.mean())
