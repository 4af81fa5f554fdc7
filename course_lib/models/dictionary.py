"""A TopK sparse dictionary: a sparse autoencoder trained on a network's hidden activations, the
interpretability tool of Bricken et al. (2023), Cunningham et al. (2023) and, with the TopK
activation used here, Gao et al. (2024).

    z     = TopK(ReLU(W_enc (h - b_pre) + b_enc))      k non-zeros per example (at most)
    h_hat = W_dec z + b_pre                             each row of W_dec is a unit-norm atom

``b_pre`` is one vector shared by both halves: the encoder subtracts it and the decoder adds it
back, so the dictionary only has to explain deviations from a typical activation. Each latent's
decoder row ("atom") is kept at unit norm after every optimizer step (a Keras constraint), so a
latent cannot look small by inflating its atom and shrinking its activation. The encoder starts
as the decoder's transpose (Gao et al., 2024), which leaves fewer latents dead.

The top-k step is lesson 08's ``TopK`` layer, reused as it is. ``layer_activations``,
``run_from_layer`` and ``steer`` connect a dictionary to the classifier whose layer it reads:
replace the layer by a reconstruction, or clamp one feature and let the rest of the network run.
"""
from __future__ import annotations

import numbers

import keras
import numpy as np
from keras import layers, ops

from .. import _validate as v
from .base import Autoencoder, builder
from .sparse import TopK

__all__ = ["PreBias", "DictionaryDecoder", "SparseDictionary", "topk_dictionary",
           "layer_activations", "run_from_layer", "steer"]


@keras.saving.register_keras_serializable(package="course_lib")
class PreBias(layers.Layer):
    """``x - b_pre``: owns the pre-encoder bias that a ``DictionaryDecoder`` adds back."""

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(int(input_shape[-1]),), initializer="zeros",
                                    name="b_pre")

    def call(self, inputs):
        return inputs - self.bias

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="course_lib")
class DictionaryDecoder(layers.Layer):
    """``z @ W_dec + b_pre`` with each row of W_dec (one dictionary atom per latent) at unit
    L2 norm: normalised when built and after every optimizer step (``UnitNorm`` constraint).

    ``b_pre`` is the tied ``PreBias`` layer's variable (``tie(pre_bias)``), not a copy, so
    training either half moves the same vector; ``SparseDictionary`` ties them for you."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = v.positive_int("units", units)
        self._bias_of = None

    def tie(self, pre_bias: PreBias) -> DictionaryDecoder:
        if not isinstance(pre_bias, PreBias):
            raise TypeError(f"pre_bias must be a PreBias layer, got {type(pre_bias).__name__}")
        # A function, not an attribute holding the layer: Keras would otherwise track the
        # PreBias layer here too and save its variable twice (as DenseTranspose does).
        self._bias_of = lambda: pre_bias.bias
        return self

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(int(input_shape[-1]), self.units), initializer="glorot_uniform",
            constraint=keras.constraints.UnitNorm(axis=1), name="atoms")
        self.kernel.assign(self.kernel / ops.norm(self.kernel, axis=1, keepdims=True))

    def call(self, inputs):
        if self._bias_of is None:
            raise RuntimeError(f"{self.name} is not tied to a PreBias layer yet; call tie()")
        return ops.matmul(inputs, self.kernel) + self._bias_of()

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="course_lib")
class SparseDictionary(Autoencoder):
    """TopK sparse autoencoder over ``input_dim``-dimensional activations with ``dict_size``
    latents, ``k`` of them active per example (see the module docstring for the equations).

    ``encode(x)`` gives the sparse codes (n, dict_size), ``reconstruct(x)`` the activations
    rebuilt from them, ``dictionary`` the unit-norm atoms (dict_size, input_dim). Train it like
    any autoencoder: ``training.fit(sd, h, loss="mse")``. Call ``init_pre_bias(h)`` first to
    start b_pre at the activations' mean. Rebuilt from (input_dim, dict_size, k) on load."""
    _SUBMODELS = ()

    def __init__(self, input_dim: int, dict_size: int, k: int, **kwargs):
        input_dim = v.positive_int("input_dim", input_dim)
        dict_size = v.positive_int("dict_size", dict_size)
        k = v.positive_int("k", k, maximum=dict_size)
        x_in = keras.Input((input_dim,), name="activations")
        pre_bias = PreBias(name="pre_bias")
        encode = layers.Dense(dict_size, activation="relu", name="encode")
        codes = TopK(k, name="top_k")(encode(pre_bias(x_in)))
        z_in = keras.Input((dict_size,), name="codes")
        decode = DictionaryDecoder(input_dim, name="decode").tie(pre_bias)
        super().__init__(keras.Model(x_in, codes, name="encoder"),
                         keras.Model(z_in, decode(z_in), name="decoder"), **kwargs)
        self.input_dim, self.dict_size, self.k = input_dim, dict_size, k
        # Gao et al. (2024): start the encoder as the decoder's transpose
        encode.kernel.assign(ops.transpose(decode.kernel))

    # the layers, looked up rather than stored: an attribute would make Keras track them twice
    @property
    def _pre_bias(self) -> PreBias:
        return self.encoder.get_layer("pre_bias")

    @property
    def _decode(self) -> DictionaryDecoder:
        return self.decoder.get_layer("decode")

    @property
    def dictionary(self) -> np.ndarray:
        """The atoms, one unit-norm row per latent: (dict_size, input_dim)."""
        return keras.ops.convert_to_numpy(self._decode.kernel)

    @property
    def pre_bias(self) -> np.ndarray:
        return keras.ops.convert_to_numpy(self._pre_bias.bias)

    def init_pre_bias(self, x) -> SparseDictionary:
        """Set b_pre to the mean of the activations ``x`` (n, input_dim) before training."""
        self._pre_bias.bias.assign(self._rows(x).mean(axis=0))
        return self

    # NumPy conveniences, run eagerly: a dictionary is small, and lessons call these many times on
    # arrays of varied sizes, where predict() would trace a new function again and again.
    def encode(self, x, batch_size: int = 1024) -> np.ndarray:
        """Sparse codes (n, dict_size) of activations ``x`` (n, input_dim)."""
        return _eager(lambda t: self.encoder(t, training=False), self._rows(x), batch_size)

    def decode(self, z, batch_size: int = 1024) -> np.ndarray:
        """Activations rebuilt from codes ``z`` (n, dict_size)."""
        z = v.array("z", z, ndim=2)
        if z.shape[1] != self.dict_size:
            raise ValueError(f"z must have {self.dict_size} columns (dict_size), got {z.shape[1]}")
        return _eager(lambda t: self.decoder(t, training=False), z, batch_size)

    def reconstruct(self, x, batch_size: int = 1024) -> np.ndarray:
        """decode(encode(x)): the activations as the dictionary rebuilds them."""
        return _eager(lambda t: self(t, training=False), self._rows(x), batch_size)

    def _rows(self, x):
        x = v.array("x", x, ndim=2)
        if x.shape[1] != self.input_dim:
            raise ValueError(f"x must have {self.input_dim} columns (input_dim), got {x.shape[1]}")
        return x

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "dict_size": self.dict_size, "k": self.k}


@builder(example=dict(input_dim=6, dict_size=24, k=3), input_shape=(6,))
def topk_dictionary(input_dim: int, dict_size: int, k: int, *,
                    name: str = "topk_dictionary") -> SparseDictionary:
    """A TopK sparse dictionary (``SparseDictionary``): ``dict_size`` latents, usually several
    times ``input_dim`` (an overcomplete dictionary), of which ``k`` fire per example
    (1 <= k <= dict_size)."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    return SparseDictionary(input_dim, dict_size, k, name=name)


# --- connecting a dictionary to the network it reads ---------------------------------------

def _layer_index(classifier, layer):
    if not isinstance(classifier, keras.Model):
        raise TypeError(f"classifier must be a keras.Model, got {type(classifier).__name__}")
    if not isinstance(layer, str):
        raise TypeError(f"layer must be the name of one of the classifier's layers, got {layer!r}")
    names = [lyr.name for lyr in classifier.layers]
    if layer not in names:
        raise ValueError(f"layer must be one of the classifier's layers {names}, got {layer!r}")
    return names.index(layer)


def _eager(fn, x, batch_size):
    """``fn`` applied batch by batch, eagerly: no tf.function to trace, which keeps the many small
    calls of a steering search fast and free of retracing warnings."""
    batch_size = v.positive_int("batch_size", batch_size)
    return np.concatenate([ops.convert_to_numpy(fn(ops.convert_to_tensor(x[s:s + batch_size])))
                           for s in range(0, len(x), batch_size)])


def layer_activations(classifier, layer: str, x, *, batch_size: int = 1024) -> np.ndarray:
    """The output of ``classifier``'s layer named ``layer`` on inputs ``x`` (NumPy)."""
    i = _layer_index(classifier, layer)
    batch_size = v.positive_int("batch_size", batch_size)
    x = v.array("x", x, min_ndim=2)
    head = keras.Model(classifier.inputs, classifier.layers[i].output)
    return _eager(lambda t: head(t, training=False), x, batch_size)


def run_from_layer(classifier, layer: str, h, *, batch_size: int = 1024) -> np.ndarray:
    """Feed ``h`` in place of the output of the layer named ``layer`` and run the classifier's
    remaining layers: what the network outputs when that layer's activations are replaced
    (by a reconstruction, a PCA projection, a steered code...). The layers after ``layer``
    must form a single chain (a ``keras.Sequential`` or a functional model without branches)."""
    i = _layer_index(classifier, layer)
    batch_size = v.positive_int("batch_size", batch_size)
    h = v.array("h", h, min_ndim=2)
    tail = classifier.layers[i + 1:]
    previous = classifier.layers[i]
    for lyr in tail:
        if len(getattr(lyr, "_inbound_nodes", ())) != 1 or lyr.input is not previous.output:
            raise ValueError(f"the classifier's layers after {layer!r} must form a single chain "
                             f"(layer {lyr.name!r} does not simply follow {previous.name!r})")
        previous = lyr
    width = tuple(classifier.layers[i].output.shape[1:])
    if tuple(h.shape[1:]) != width:
        raise ValueError(f"h must have shape (n, {', '.join(map(str, width))}) like layer "
                         f"{layer!r}'s output, got {h.shape}")

    def finish(t):
        for lyr in tail:
            t = lyr(t, training=False)
        return t

    return _eager(finish, h, batch_size)


def steer(classifier, layer: str, dictionary: SparseDictionary, x, feature: int, value, *,
          keep_error: bool = True, batch_size: int = 1024) -> np.ndarray:
    """Clamp one dictionary feature and let the classifier finish its forward pass.

    The layer's activations h on ``x`` are encoded, feature ``feature`` of every code is set to
    ``value`` (0 switches it off), and the codes are decoded back into the layer. With
    ``keep_error`` (Templeton et al., 2024) the dictionary's reconstruction error h - h_hat is
    added back, so only the clamped feature changes and not the whole reconstruction. Returns
    the classifier's outputs (class probabilities for a softmax classifier)."""
    if not isinstance(dictionary, SparseDictionary):
        raise TypeError(f"dictionary must be a SparseDictionary (models.topk_dictionary), "
                        f"got {type(dictionary).__name__}")
    if isinstance(feature, bool) or not isinstance(feature, numbers.Integral):
        raise TypeError(f"feature must be an integer latent index, got {feature!r}")
    feature = v.positive_int("feature", feature, minimum=0, maximum=dictionary.dict_size - 1)
    value = v.number("value", value)
    if not isinstance(keep_error, bool):
        raise TypeError(f"keep_error must be True or False, got {keep_error!r}")
    h = layer_activations(classifier, layer, x, batch_size=batch_size)
    if h.ndim != 2 or h.shape[1] != dictionary.input_dim:
        raise ValueError(f"layer {layer!r} gives activations of shape {h.shape[1:]}, but the "
                         f"dictionary reads {dictionary.input_dim} numbers per example")
    z = dictionary.encode(h, batch_size=batch_size)
    error = h - dictionary.decode(z, batch_size=batch_size) if keep_error else 0.0
    z[:, feature] = value
    return run_from_layer(classifier, layer, dictionary.decode(z, batch_size=batch_size) + error,
                          batch_size=batch_size)
