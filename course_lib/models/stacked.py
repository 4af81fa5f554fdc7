"""Stacked autoencoders with tied weights, and a classifier head for pretrained encoders.

Tied weights: the decoder layer that mirrors encoder layer W uses W's transpose and owns only
its bias, so a tied model has about half the parameters of the untied one (Hinton &
Salakhutdinov, 2006; Vincent et al., 2010). ``TiedAutoencoder.levels`` pairs each encoder layer
with its mirror, which is what greedy layer-wise pretraining trains one pair at a time
(``pretrain_layerwise``, here with the model it trains).
"""
from __future__ import annotations

import keras
from keras import layers, ops

from .. import _validate as v
from .. import training
from .base import Autoencoder, builder, check_activation
from .dense import dense_autoencoder

__all__ = ["DenseTranspose", "TiedAutoencoder", "tied_autoencoder", "pretrain_layerwise",
           "classifier_head"]


@keras.saving.register_keras_serializable(package="course_lib")
class DenseTranspose(layers.Layer):
    """``activation(x @ W.T + b)`` where W is the kernel of the Dense layer given to ``tie``.

    Only the bias belongs to this layer; the kernel stays the tied layer's own variable, so
    training either model updates the same weights. Call ``tie(dense)`` before first use; a
    ``TiedAutoencoder`` does it for you (also when it is loaded from a file)."""

    def __init__(self, units: int, activation: str = "linear", **kwargs):
        super().__init__(**kwargs)
        self.units = v.positive_int("units", units)
        self.activation_name = check_activation("activation", activation)
        self.activation = keras.activations.get(self.activation_name)
        self._kernel_of = None

    def tie(self, dense: layers.Dense) -> DenseTranspose:
        if not isinstance(dense, layers.Dense):
            raise TypeError(f"dense must be a keras.layers.Dense, got {type(dense).__name__}")
        # A function, not an attribute holding the layer: Keras would otherwise track the Dense
        # layer as a sublayer here too and save (and count) its kernel twice.
        self._kernel_of = lambda: dense.kernel
        return self

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        if self._kernel_of is None:
            raise RuntimeError(f"{self.name} is not tied to a Dense layer yet; call tie(dense)")
        return self.activation(ops.matmul(inputs, ops.transpose(self._kernel_of())) + self.bias)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation_name}


@keras.saving.register_keras_serializable(package="course_lib")
class TiedAutoencoder(Autoencoder):
    """Dense encoder + a decoder of ``DenseTranspose`` layers built from it (not stored: it is
    rebuilt from the encoder on load, and its biases are restored with the weights)."""
    _SUBMODELS = ("encoder",)

    def __init__(self, encoder: keras.Model, *, activation: str = "relu",
                 output_activation: str = "sigmoid", **kwargs):
        if not isinstance(encoder, keras.Model):
            raise TypeError(f"encoder must be a keras.Model, got {type(encoder).__name__}")
        act = check_activation("activation", activation)
        out_act = check_activation("output_activation", output_activation)
        dense = [la for la in encoder.layers if isinstance(la, layers.Dense)]
        if not dense:
            raise ValueError("encoder must contain Dense layers to tie a decoder to")
        z_in = keras.Input((dense[-1].units,), name="code_in")
        h, mirrors = z_in, []
        for i, layer in enumerate(reversed(dense), 1):
            units = int(layer.kernel.shape[0])
            mirror = DenseTranspose(units, out_act if i == len(dense) else act,
                                    name="reconstruction" if i == len(dense) else f"dec_{i}")
            mirrors.append(mirror.tie(layer))
            h = mirror(h)
        in_shape = tuple(encoder.input.shape[1:])
        if len(in_shape) > 1:
            h = layers.Reshape(in_shape, name="unflatten")(h)
        super().__init__(encoder, keras.Model(z_in, h, name="decoder"), **kwargs)
        self.activation_name, self.output_activation_name = act, out_act
        self._pairs = list(zip(dense, reversed(mirrors)))

    @property
    def levels(self) -> list:
        """[(encoder Dense, its DenseTranspose mirror)], outermost first."""
        return list(self._pairs)

    def get_config(self):
        return {**super().get_config(), "activation": self.activation_name,
                "output_activation": self.output_activation_name}


@builder(example=dict(input_dim=12, code_size=3, hidden=(8,)), input_shape=(12,))
def tied_autoencoder(input_dim, code_size: int, hidden=(), *, activation: str = "relu",
                     code_activation: str = "linear", output_activation: str = "sigmoid",
                     name: str = "tied_autoencoder") -> TiedAutoencoder:
    """The same shape as ``dense_autoencoder(input_dim, code_size, hidden, ...)``, with each
    decoder layer using the transpose of its mirror encoder layer's kernel."""
    base = dense_autoencoder(input_dim, code_size, hidden, activation=activation,
                             code_activation=code_activation, output_activation=output_activation)
    return TiedAutoencoder(base.encoder, activation=activation,
                           output_activation=output_activation, name=name)


def pretrain_layerwise(model, x, *, epochs: int = 3, batch_size: int = 256,
                       learning_rate: float = 2e-3, seed=0, progress: bool = True) -> list:
    """Greedy layer-wise pretraining of a stacked tied autoencoder (``TiedAutoencoder``).

    Level 1 is trained as a one-hidden-layer autoencoder on ``x``; level 2 on level 1's codes,
    and so on, each pair (encoder layer, its tied mirror) trained alone while the levels below
    stay fixed. The layers are the model's own, so afterwards the whole stack starts from
    these weights (fine-tune it with ``training.fit``). Returns one History per level.
    """
    if not isinstance(model, TiedAutoencoder):
        raise TypeError(f"model must be a course_lib TiedAutoencoder (models.tied_autoencoder), "
                        f"got {type(model).__name__}")
    x = v.array("x", x, min_ndim=2)
    epochs = v.positive_int("epochs", epochs)
    batch_size = v.positive_int("batch_size", batch_size)
    v.boolean("progress", progress)
    inputs = x.reshape(len(x), -1)
    histories = []
    for i, (enc, mirror) in enumerate(model.levels, 1):
        z_in = keras.Input((inputs.shape[1],), name=f"level_{i}_in")
        shallow = keras.Model(z_in, mirror(enc(z_in)), name=f"level_{i}")
        # MSE at every level: above the first, the targets are unbounded codes, not pixels
        if progress:
            print(f"level {i}: {inputs.shape[1]} -> {enc.units} -> {inputs.shape[1]}")
        histories.append(training.fit(shallow, inputs, loss="mse", epochs=epochs,
                                      batch_size=batch_size, learning_rate=learning_rate,
                                      seed=seed, progress=progress))
        inputs = keras.Sequential([keras.Input((inputs.shape[1],)), enc]).predict(
            inputs, batch_size=batch_size, verbose=0)
    return histories


def classifier_head(encoder, n_classes: int, *, freeze: bool = False,
                    name: str = "classifier") -> keras.Model:
    """encoder -> softmax over ``n_classes``. The encoder's layers are shared, not copied: clone
    it first (``keras.models.clone_model`` + ``set_weights``) to keep the original intact.
    freeze=True trains only the new softmax layer (a linear probe)."""
    if isinstance(encoder, Autoencoder):
        encoder = encoder.encoder
    if not isinstance(encoder, keras.Model):
        raise TypeError(f"encoder must be a keras.Model or a course_lib Autoencoder, "
                        f"got {type(encoder).__name__}")
    n_classes = v.positive_int("n_classes", n_classes, minimum=2)
    v.boolean("freeze", freeze)
    encoder.trainable = not freeze
    x_in = keras.Input(tuple(encoder.input.shape[1:]), name="x")
    out = layers.Dense(n_classes, activation="softmax", name="class_probabilities")(
        layers.Flatten(name="flatten_code")(encoder(x_in)))
    return keras.Model(x_in, out, name=name)
