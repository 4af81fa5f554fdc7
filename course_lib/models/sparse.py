"""Sparse autoencoders: the code is pushed to have few active units per example.

Three ways, one builder (``sparse_autoencoder(..., sparsity=...)``):
- 'l1'   — ReLU code + an L1 penalty on the activations (``keras.layers.ActivityRegularization``);
- 'kl'   — sigmoid code + ``KLSparsity``: each unit's average activation over the batch is pulled
  toward a target rho by the KL divergence KL(rho || rho_hat_j), summed over units;
- 'topk' — linear code + ``TopK``: keep the k largest activations of each example, zero the rest
  (Makhzani & Frey, 2013), so every code has exactly k non-zeros by construction.
"""
from __future__ import annotations

import keras
from keras import layers, ops

from .. import _validate as v
from .base import Autoencoder, builder
from .dense import dense_autoencoder

__all__ = ["SPARSITY_KINDS", "KLSparsity", "TopK", "sparse_autoencoder"]

SPARSITY_KINDS = frozenset({"l1", "kl", "topk"})
_CODE_ACTIVATION = {"l1": "relu", "kl": "sigmoid", "topk": "linear"}


@keras.saving.register_keras_serializable(package="course_lib")
class KLSparsity(layers.Layer):
    """Identity on its input (activations in (0, 1)); adds ``weight * sum_j KL(target || mean_j)``
    as a layer loss, where mean_j is unit j's average activation over the batch."""

    def __init__(self, target: float = 0.05, weight: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.target = v.number("target", target, low=0.0, high=1.0, low_open=True, high_open=True)
        self.weight = v.number("weight", weight, low=0.0)

    def call(self, inputs):
        if self.weight:
            # clipping keeps log() finite when a unit is fully off or on for a whole batch
            rho_hat = ops.clip(ops.mean(inputs, axis=0), 1e-6, 1.0 - 1e-6)
            rho = self.target
            kl = rho * ops.log(rho / rho_hat) + (1 - rho) * ops.log((1 - rho) / (1 - rho_hat))
            self.add_loss(self.weight * ops.sum(kl))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "target": self.target, "weight": self.weight}


@keras.saving.register_keras_serializable(package="course_lib")
class TopK(layers.Layer):
    """Keep the k largest values of each example (last axis) and set the others to 0.

    The mask comes from the indices of ``top_k``, not from a threshold, so ties cannot let more
    than k values through; gradients flow only into the k kept units."""

    def __init__(self, k: int, **kwargs):
        super().__init__(**kwargs)
        self.k = v.positive_int("k", k)

    def build(self, input_shape):
        if input_shape[-1] is not None and self.k > input_shape[-1]:
            raise ValueError(f"k must be <= the number of units ({input_shape[-1]}), got {self.k}")

    def call(self, inputs):
        _, idx = ops.top_k(inputs, k=self.k, sorted=False)
        mask = ops.sum(ops.one_hot(idx, ops.shape(inputs)[-1], dtype=inputs.dtype), axis=-2)
        return inputs * mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "k": self.k}


@builder(example=dict(input_dim=12, code_size=6, hidden=(8,), sparsity="topk", k=2),
         input_shape=(12,))
def sparse_autoencoder(input_dim, code_size: int, hidden=(), *, sparsity: str = "l1",
                       weight: float | None = None, target: float = 0.05, k: int = 8,
                       activation: str = "relu", output_activation: str = "sigmoid",
                       name: str = "sparse_autoencoder") -> Autoencoder:
    """``dense_autoencoder`` with a sparsity mechanism on the code (see the module docstring).

    sparsity: 'l1' | 'kl' | 'topk'. weight: the penalty factor for 'l1' (L1 per
    example, summed over units; default 1e-4) or 'kl' (default 0.05); not used by 'topk'.
    target: rho for 'kl'.
    k: active units per code for 'topk' (1 <= k <= code_size).
    """
    v.option("sparsity", sparsity, SPARSITY_KINDS)
    code_size = v.positive_int("code_size", code_size)
    if weight is not None and sparsity == "topk":
        raise ValueError("weight is not used with sparsity='topk' (k sets the sparsity); "
                         "leave weight=None")
    weight = v.number("weight", {"l1": 1e-4, "kl": 0.05}.get(sparsity, 0.0) if weight is None
                      else weight, low=0.0)
    target = v.number("target", target, low=0.0, high=1.0, low_open=True, high_open=True)
    k = v.positive_int("k", k, maximum=code_size if sparsity == "topk" else None)
    base = dense_autoencoder(input_dim, code_size, hidden, activation=activation,
                             code_activation=_CODE_ACTIVATION[sparsity],
                             output_activation=output_activation, name=name)
    if sparsity == "l1":
        sparsify = layers.ActivityRegularization(l1=weight, name="l1_sparsity")
    elif sparsity == "kl":
        sparsify = KLSparsity(target, weight, name="kl_sparsity")
    else:
        sparsify = TopK(k, name="top_k")
    encoder = keras.Model(base.encoder.input, sparsify(base.encoder.output), name="encoder")
    return Autoencoder(encoder, base.decoder, name=name)
