"""Fully connected autoencoders: the general builder and its linear special case."""
from __future__ import annotations

import numbers

import keras
import numpy as np
from keras import layers

from .. import _validate as v
from .base import Autoencoder, builder, check_activation

__all__ = ["dense_autoencoder", "linear_autoencoder", "init_output_bias"]


def _input_shape(input_dim, name="input_dim"):
    if isinstance(input_dim, numbers.Integral) and not isinstance(input_dim, bool):
        return (v.positive_int(name, input_dim),)
    if isinstance(input_dim, (tuple, list)) and input_dim:
        return v.int_tuple(name, tuple(input_dim))
    raise TypeError(f"{name} must be a positive int or a shape tuple such as (28, 28), "
                    f"got {input_dim!r}")


@builder(example=dict(input_dim=12, code_size=3, hidden=(8,)), input_shape=(12,))
def dense_autoencoder(input_dim, code_size: int, hidden=(), *,
                      activation: str = "relu", code_activation: str = "linear",
                      output_activation: str = "sigmoid", use_bias: bool = True,
                      dropout: float = 0.0, weight_decay: float = 0.0, bias_decay: float = 0.0,
                      kernel_initializer: str = "glorot_uniform", output_shape=None,
                      name: str = "dense_autoencoder") -> Autoencoder:
    """input -> hidden... -> code -> reversed(hidden)... -> output.

    input_dim: an int (flat vectors) or a shape such as (28, 28) (flattened inside, reshaped
    back at the output). dropout: rate after each hidden layer. weight_decay / bias_decay: L2
    factors on kernels / biases. output_shape: the decoder's output when it differs from the
    input (an int or a shape), e.g. (28, 28) from a (14, 14) input for super-resolution; by
    default the input's shape. Returns an ``Autoencoder`` with ``.encoder`` and ``.decoder``.
    """
    shape = _input_shape(input_dim)
    code_size = v.positive_int("code_size", code_size)
    hidden = v.int_tuple("hidden", hidden)
    act = check_activation("activation", activation)
    code_act = check_activation("code_activation", code_activation)
    out_act = check_activation("output_activation", output_activation)
    v.boolean("use_bias", use_bias)
    dropout = v.number("dropout", dropout, low=0.0, high=1.0, high_open=True)
    weight_decay = v.number("weight_decay", weight_decay, low=0.0)
    bias_decay = v.number("bias_decay", bias_decay, low=0.0)
    if not isinstance(kernel_initializer, str):
        raise TypeError(f"kernel_initializer must be a Keras initializer name, got "
                        f"{kernel_initializer!r}")
    try:
        keras.initializers.get(kernel_initializer)
    except ValueError:
        raise ValueError(f"kernel_initializer {kernel_initializer!r} is not a Keras initializer "
                         f"name (e.g. 'glorot_uniform', 'he_normal', 'zeros')") from None
    v.string("name", name)

    out_shape = shape if output_shape is None else _input_shape(output_shape, "output_shape")
    flat = int(np.prod(out_shape))

    def dense(units, act_name, layer_name):
        return layers.Dense(
            units, activation=act_name, use_bias=use_bias, name=layer_name,
            kernel_initializer=kernel_initializer,
            kernel_regularizer=keras.regularizers.L2(weight_decay) if weight_decay else None,
            bias_regularizer=(keras.regularizers.L2(bias_decay) if (bias_decay and use_bias)
                              else None))

    x_in = keras.Input(shape, name="image" if len(shape) > 1 else "x")
    h = layers.Flatten(name="flatten")(x_in) if len(shape) > 1 else x_in
    for i, units in enumerate(hidden, 1):
        h = dense(units, act, f"enc_{i}")(h)
        if dropout:
            h = layers.Dropout(dropout, name=f"enc_dropout_{i}")(h)
    code = dense(code_size, code_act, "code")(h)
    encoder = keras.Model(x_in, code, name="encoder")

    z_in = keras.Input((code_size,), name="code_in")
    h = z_in
    for i, units in enumerate(reversed(hidden), 1):
        h = dense(units, act, f"dec_{i}")(h)
        if dropout:
            h = layers.Dropout(dropout, name=f"dec_dropout_{i}")(h)
    out = dense(flat, out_act, "reconstruction")(h)
    if len(out_shape) > 1:
        out = layers.Reshape(out_shape, name="unflatten")(out)
    decoder = keras.Model(z_in, out, name="decoder")
    return Autoencoder(encoder, decoder, name=name)


@builder(example=dict(input_dim=12, code_size=3), input_shape=(12,))
def linear_autoencoder(input_dim, code_size: int, *, use_bias: bool = True,
                       name: str = "linear_autoencoder") -> Autoencoder:
    """One linear layer each way (no activations): its optimum spans PCA's top-k subspace."""
    return dense_autoencoder(input_dim, code_size, activation="linear",
                             output_activation="linear", use_bias=use_bias, name=name)


def init_output_bias(model: Autoencoder, x) -> None:
    """Start the output layer's bias at the data mean (through the inverse sigmoid for a sigmoid
    output), so the untrained model already predicts the mean image instead of grey."""
    if not isinstance(model, Autoencoder):
        raise TypeError(f"model must be a course_lib Autoencoder, got {type(model).__name__}")
    layer = model.decoder.get_layer("reconstruction")
    if not layer.use_bias:
        raise ValueError("model was built with use_bias=False: there is no output bias to set")
    mean = v.array("x", x, min_ndim=2).reshape(len(x), -1).mean(axis=0)
    act = keras.activations.serialize(layer.activation)
    if act == "sigmoid":
        p = np.clip(mean, 1e-4, 1 - 1e-4)
        mean = np.log(p / (1 - p))
    elif act != "linear":
        raise ValueError(f"init_output_bias supports sigmoid or linear outputs, got {act!r}")
    layer.bias.assign(mean.astype(np.float32))
