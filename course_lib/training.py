"""Seeding and a ``fit`` wrapper with the course's CPU-friendly defaults."""
from __future__ import annotations

import time

import keras
import numpy as np

from . import _validate as v

__all__ = ["set_seed", "seed_offset", "SEED_OFFSET_ENV", "fit", "ArrayBatches", "scale_for_replicas", "LOSSES", "OPTIMIZERS",
           "pretrain_layerwise", "fit_classifier"]

LOSSES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "bce": "binary_crossentropy",
}
OPTIMIZERS = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD,
              "rmsprop": keras.optimizers.RMSprop}


SEED_OFFSET_ENV = "COURSE_SEED_OFFSET"


def seed_offset() -> int:
    """The shift every lesson adds to each of its seeds: 0 unless ``COURSE_SEED_OFFSET`` is set.

    A lesson starts with ``SEED = training.seed_offset()`` and seeds with ``SEED + k``; the
    benchmark's ``--seed-offset N`` re-runs lessons with N, so every verdict can be shown to
    survive other seeds. Data subsets do not move with it: only model, noise and training seeds.
    """
    import os

    raw = os.environ.get(SEED_OFFSET_ENV, "0").strip() or "0"
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{SEED_OFFSET_ENV} must be a non-negative integer, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{SEED_OFFSET_ENV} must be a non-negative integer, got {value}")
    return value


_DETERMINISTIC_ENV = "COURSE_DETERMINISTIC"
_deterministic_choice = None  # the last explicit set_seed(deterministic=...) of this process


def _want_determinism(deterministic) -> bool:
    """Resolve set_seed's ``deterministic``: the argument, else the last explicit choice made in
    this process, else ``COURSE_DETERMINISTIC`` (1/0, true/false, yes/no, on/off), else True."""
    global _deterministic_choice
    if deterministic is not None:
        if not isinstance(deterministic, bool):
            raise TypeError(f"deterministic must be True, False or None, got {deterministic!r} "
                            f"({type(deterministic).__name__})")
        _deterministic_choice = deterministic
        return deterministic
    if _deterministic_choice is not None:
        return _deterministic_choice
    import os

    raw = os.environ.get(_DETERMINISTIC_ENV, "").strip().lower()
    if raw in ("", "1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{_DETERMINISTIC_ENV} must be 1 or 0 (or true/false, yes/no, on/off), "
                     f"got {raw!r}")


def set_seed(seed: int = 0, *, deterministic=None) -> None:
    """Seed Python, NumPy and the backend, and ask TensorFlow for deterministic kernels, so a
    lesson run twice prints the same checkpoint lines. Call it before building a model.

    deterministic: True asks TensorFlow for op determinism
    (``tf.config.experimental.enable_op_determinism``); False turns it off again (TensorFlow may
    then pick faster kernels whose floating-point sums vary slightly from run to run). None (the
    default) keeps the last explicit choice made in this Python session, else reads the
    environment variable ``COURSE_DETERMINISTIC`` (``0`` turns determinism off), else True.
    Determinism is the default on every device: on a CPU it costs little and every op supports it.
    On a GPU a few ops have no deterministic kernel (some scatter/segment, sparse and
    image-resize gradients, for instance); TensorFlow then raises ``UnimplementedError`` when the
    op runs, and ``fit`` turns that into a message saying to call
    ``set_seed(seed, deterministic=False)`` (or to set ``COURSE_DETERMINISTIC=0``) and re-run.
    Seeds are set either way.
    """
    seed = v.positive_int("seed", seed, minimum=0)
    enable = _want_determinism(deterministic)
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        if enable:
            tf.config.experimental.enable_op_determinism()
        else:
            # TensorFlow exports no public "disable"; this is what enable_op_determinism pairs with
            from tensorflow.python.framework import config as tf_config

            tf_config.disable_op_determinism()


def _explain_determinism_error(exc):
    """For TensorFlow's "no deterministic implementation of this op" error (an
    ``UnimplementedError`` raised only while op determinism is on), a new ``UnimplementedError``
    that says what happened and how to go on; None for any other exception."""
    if keras.backend.backend() != "tensorflow":
        return None
    import re

    import tensorflow as tf

    if not isinstance(exc, tf.errors.UnimplementedError):
        return None
    message = getattr(exc, "message", None) or str(exc)
    lines = [ln.strip() for ln in message.splitlines() if re.search("determinis", ln, re.I)]
    if not lines:
        return None
    return tf.errors.UnimplementedError(exc.node_def, exc.op, (
        "This training uses a TensorFlow operation that has no deterministic implementation on "
        f"this device (usually a GPU):\n    {lines[0]}\n"
        "training.set_seed() asks TensorFlow for deterministic kernels so that a lesson prints "
        "the same numbers on every run, and TensorFlow refuses to run this operation that way. "
        "To train anyway, run `training.set_seed(SEED, deterministic=False)` (the choice lasts "
        f"for the rest of this Python session) or set the environment variable "
        f"{_DETERMINISTIC_ENV}=0 before starting Python/Jupyter, then re-run this cell. Results "
        "may then vary slightly from run to run, so numbers can differ a little from the "
        "printed checkpoint values."))


class _EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._t)


class _Progress(keras.callbacks.Callback):
    """One compact bar over epochs (tqdm; a widget in notebooks) instead of a line per batch."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_train_begin(self, logs=None):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=self.epochs, desc="training", unit="epoch", leave=True)

    def on_epoch_end(self, epoch, logs=None):
        shown = {k: f"{v:.4g}" for k, v in (logs or {}).items() if "loss" in k}
        self.bar.set_postfix(shown, refresh=False)
        self.bar.update(1)

    def on_train_end(self, logs=None):
        self.bar.close()


class ArrayBatches(keras.utils.PyDataset):
    """Batches gathered from in-memory arrays, reshuffled each epoch with a seeded generator.

    Passing NumPy arrays to ``Model.fit`` makes the TensorFlow backend copy them into tensors
    (inputs and targets separately, so an autoencoder's 188 MB training set costs ~400 MB more);
    this view copies one batch at a time and works on every Keras backend.
    """

    def __init__(self, x, y, batch_size: int, *, shuffle: bool = True, seed: int = 0):
        super().__init__()
        self.x, self.y, self.batch_size, self.shuffle = x, y, batch_size, shuffle
        self._rng = np.random.default_rng(seed)
        self._order = self._rng.permutation(len(x)) if shuffle else np.arange(len(x))

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, i):
        idx = np.sort(self._order[i * self.batch_size:(i + 1) * self.batch_size])
        xb = self.x[idx]
        return (xb, xb) if self.y is self.x else (xb, self.y[idx])

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._rng.permutation(len(self.x))


def _loss(loss):
    if isinstance(loss, str):
        return LOSSES[v.choice("loss", loss, set(LOSSES))]
    if isinstance(loss, keras.losses.Loss) or callable(loss):
        return loss
    raise TypeError(f"loss must be one of {sorted(LOSSES)} or a keras.losses.Loss, got {loss!r}")


def _optimizer(optimizer, learning_rate):
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer must be one of {sorted(OPTIMIZERS)} or a keras optimizer, "
                        f"got {optimizer!r}")
    lr = v.number("learning_rate", learning_rate, low=0.0, low_open=True)
    return OPTIMIZERS[v.choice("optimizer", optimizer, set(OPTIMIZERS))](learning_rate=lr)


def fit(model: keras.Model, x, y=None, *, validation=None, loss="mse", optimizer="adam",
        learning_rate: float = 2e-3, epochs: int = 10, batch_size: int = 256,
        early_stopping=None, seed=0, progress: bool = True,
        callbacks=()) -> keras.callbacks.History:
    """Train ``model`` to reproduce ``y`` (``x`` itself when ``y`` is None) and return History.

    validation: an array (targets = inputs) or an ``(x_val, y_val)`` pair. loss: 'mse', 'mae',
    'bce' or a Keras loss; ``loss=None`` keeps the model's own compile (models that compute their
    loss themselves, e.g. VAEs). early_stopping: a patience in epochs; the best weights by
    validation loss (training loss without validation) are restored. seed: reseeds before
    training (None leaves the global state alone). ``history.epoch_seconds`` holds each epoch's
    wall time.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    x = v.array("x", x, min_ndim=2)
    y = x if y is None else v.array("y", y, min_ndim=2)
    if len(y) != len(x):
        raise ValueError(f"x and y must have the same number of examples, got {len(x)} and {len(y)}")
    epochs = v.positive_int("epochs", epochs)
    batch_size = v.positive_int("batch_size", batch_size)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    if seed is not None:
        set_seed(seed)
    val = None
    if validation is not None:
        if isinstance(validation, (tuple, list)) and len(validation) == 2:
            xv = v.array("validation[0]", validation[0], min_ndim=2)
            val = (xv, v.array("validation[1]", validation[1], min_ndim=2))
        else:
            xv = v.array("validation", validation, min_ndim=2)
            val = (xv, xv)  # same object: ArrayBatches then yields each batch once for both
        if val[0].shape[1:] != x.shape[1:]:
            raise ValueError(f"validation inputs must have shape (n, {', '.join(map(str, x.shape[1:]))}),"
                             f" got {val[0].shape}")
    if loss is None:
        if not model.compiled:
            model.compile(optimizer=_optimizer(optimizer, learning_rate))
    else:
        model.compile(optimizer=_optimizer(optimizer, learning_rate), loss=_loss(loss))
    timer = _EpochTimer()
    cbs = [timer, *callbacks]
    if progress:
        cbs.append(_Progress(epochs))
    if early_stopping is not None:
        patience = v.positive_int("early_stopping", early_stopping)
        cbs.append(keras.callbacks.EarlyStopping(
            monitor="val_loss" if val else "loss", patience=patience,
            restore_best_weights=True))
    history = _fit_batches(model, x, y, val, epochs=epochs, batch_size=batch_size, seed=seed,
                           callbacks=cbs)
    history.epoch_seconds = timer.seconds
    return history


def _fit_batches(model, x, y, val, *, epochs, batch_size, seed, callbacks):
    """``model.fit`` over ArrayBatches views of (x, y) and of the optional (x_val, y_val) pair."""
    batches = ArrayBatches(x, y, batch_size, seed=0 if seed is None else seed)
    val_batches = None if val is None else ArrayBatches(*val, batch_size, shuffle=False)
    try:
        # shuffle=False: ArrayBatches already reshuffles examples each epoch with its own seeded
        # generator; Keras' batch-order shuffle would draw on Python's global random state, which
        # a distribution strategy consumes differently, so the same seed would give another run.
        return model.fit(batches, validation_data=val_batches, epochs=epochs, verbose=0,
                         callbacks=callbacks, shuffle=False)
    except Exception as exc:  # only TensorFlow's "no deterministic kernel" error is reworded
        clearer = _explain_determinism_error(exc)
        if clearer is None:
            raise
        raise clearer from exc
    finally:
        # TensorFlow's generator registry keeps finished PyDatasets alive; drop their arrays so
        # a temporary training set (noisy copies, masked copies...) is freed after training.
        for b in (batches, val_batches):
            if b is not None:
                b.x = b.y = None


def scale_for_replicas(loss):
    """Divide a custom loss by the number of replicas of the active ``tf.distribute`` strategy.

    Under a strategy each replica computes its loss on its share of the global batch and the
    replicas' gradients are *summed*. Keras' built-in losses divide by the replica count for
    you; a ``compute_loss`` / ``train_step`` that computes its own mean must do it itself, or the
    gradient comes out ``num_replicas`` times too large. A no-op without a strategy and on other
    backends."""
    if keras.backend.backend() != "tensorflow":
        return loss
    import tensorflow as tf

    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return loss if replicas == 1 else loss * (1.0 / replicas)


def pretrain_layerwise(model, x, *, epochs: int = 3, batch_size: int = 256,
                       learning_rate: float = 2e-3, seed=0, progress: bool = True) -> list:
    """Greedy layer-wise pretraining of a stacked tied autoencoder (``models.TiedAutoencoder``).

    Level 1 is trained as a one-hidden-layer autoencoder on ``x``; level 2 on level 1's codes,
    and so on, each pair (encoder layer, its tied mirror) trained alone while the levels below
    stay fixed. The layers are the model's own, so afterwards the whole stack starts from
    these weights (fine-tune it with ``fit``). Returns one History per level.
    """
    from . import models

    if not isinstance(model, models.TiedAutoencoder):
        raise TypeError(f"model must be a course_lib TiedAutoencoder (models.tied_autoencoder), "
                        f"got {type(model).__name__}")
    x = v.array("x", x, min_ndim=2)
    epochs = v.positive_int("epochs", epochs)
    batch_size = v.positive_int("batch_size", batch_size)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    inputs = x.reshape(len(x), -1)
    histories = []
    for i, (enc, mirror) in enumerate(model.levels, 1):
        z_in = keras.Input((inputs.shape[1],), name=f"level_{i}_in")
        shallow = keras.Model(z_in, mirror(enc(z_in)), name=f"level_{i}")
        # MSE at every level: above the first, the targets are unbounded codes, not pixels
        if progress:
            print(f"level {i}: {inputs.shape[1]} -> {enc.units} -> {inputs.shape[1]}")
        histories.append(fit(shallow, inputs, loss="mse", epochs=epochs, batch_size=batch_size,
                             learning_rate=learning_rate, seed=seed, progress=progress))
        inputs = keras.Sequential([keras.Input((inputs.shape[1],)), enc]).predict(
            inputs, batch_size=batch_size, verbose=0)
    return histories


def fit_classifier(model: keras.Model, x, y, *, validation=None, epochs: int = 30,
                   batch_size: int = 64, learning_rate: float = 1e-3, seed=0,
                   progress: bool = False) -> keras.callbacks.History:
    """Train a softmax classifier (e.g. ``models.classifier_head(encoder, 10)``) on integer
    labels ``y`` with sparse categorical cross-entropy; reports accuracy. ``validation``: an
    (x_val, y_val) pair."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    x = v.array("x", x, min_ndim=2)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(x) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be integer class labels, one per example of x ({len(x)}), "
                         f"got shape {y.shape} and dtype {y.dtype}")
    epochs = v.positive_int("epochs", epochs)
    batch_size = v.positive_int("batch_size", batch_size)
    n_classes = int(model.output.shape[-1])
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"y must hold labels in [0, {n_classes - 1}] for a {n_classes}-class "
                         f"model, got [{y.min()}, {y.max()}]")
    if seed is not None:
        set_seed(seed)
    val = None
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            raise TypeError("validation must be an (x_val, y_val) pair")
        val = (v.array("validation[0]", validation[0], min_ndim=2),
               np.asarray(validation[1]).astype(np.int64))
    model.compile(optimizer=_optimizer("adam", learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return _fit_batches(model, x, y.astype(np.int64), val, epochs=epochs, batch_size=batch_size,
                        seed=seed, callbacks=[_Progress(epochs)] if progress else [])
