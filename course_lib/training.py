"""Seeding, a ``fit`` wrapper with the course's CPU-friendly defaults, and ``sweep`` (one
trained model per value of a setting, returned as plain results for tables, plots and widgets).
Imports no other course_lib module but ``_validate`` and ``distribute``: models may use it."""
from __future__ import annotations

import time

import keras
import numpy as np

from . import _validate as v
from .distribute import scale_for_replicas, steps_per_execution

# scale_for_replicas lives in the leaf module ``distribute`` (models use it too); it is
# re-exported here because lessons import it as ``training.scale_for_replicas``.
__all__ = ["set_seed", "seed_offset", "SEED_OFFSET_ENV", "fit", "sweep", "ArrayBatches",
           "FitRate", "scale_for_replicas", "LOSSES", "OPTIMIZERS", "fit_classifier",
           "DEFAULT_LEARNING_RATE", "ONE_CYCLE_PEAK", "DEFAULT_BATCH_SIZE", "DEFAULT_EPOCHS",
           "STEPS_PER_EXECUTION"]

LOSSES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "bce": "binary_crossentropy",
}
OPTIMIZERS = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD,
              "rmsprop": keras.optimizers.RMSprop}

# fit's defaults, named so lessons and docs can show them (see fit's docstring). With no
# learning_rate, a model trained on a loss you name follows a one-cycle schedule peaking at
# ONE_CYCLE_PEAK (reaches a given MSE in about half the epochs of a constant 2e-3; measured in
# benchmarks/defaults.py); a model that brings its own loss (loss=None: VAE, adversarial AE...)
# trains at the constant DEFAULT_LEARNING_RATE, gentler on objectives that balance several terms.
DEFAULT_LEARNING_RATE = 2e-3
ONE_CYCLE_PEAK = 1e-2
ONE_CYCLE_WARMUP = 0.1  # share of the steps spent warming up from 0 to the peak
DEFAULT_BATCH_SIZE = 256
DEFAULT_EPOCHS = 10
# training steps Keras runs per call into the backend: the same arithmetic as one step per call,
# without a round trip through Python for each batch (most of a small model's time on a CPU)
STEPS_PER_EXECUTION = 32


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


@keras.saving.register_keras_serializable(package="course_lib")
class FitRate(keras.optimizers.schedules.LearningRateSchedule):
    """The learning rate ``fit`` gives an optimizer for one call: ``constant`` at ``peak``, or a
    one-cycle schedule over that call's ``steps``: a linear warm-up from 0 to ``peak`` over the
    first ``warmup`` share of them, then a cosine decay to 0 (Smith & Topin, 2017; Loshchilov &
    Hutter, 2017). ``start`` is the optimizer's step count when the call began, so a later
    ``fit`` call runs its own cycle on the same optimizer."""

    def __init__(self, peak: float, steps: int = 1, *, start: int = 0, warmup: float = 0.0,
                 constant: bool = True):
        self.peak = v.number("peak", peak, low=0.0, low_open=True)
        self.steps = v.positive_int("steps", steps)
        self.start = v.positive_int("start", start, minimum=0)
        self.warmup = v.number("warmup", warmup, low=0.0, high=1.0, high_open=True)
        self.constant = v.boolean("constant", constant)

    def __call__(self, step):
        ops = keras.ops
        if self.constant:
            return ops.convert_to_tensor(self.peak, "float32")
        s = ops.clip(ops.cast(step, "float32") - self.start, 0.0, float(self.steps))
        w = float(max(1, round(self.warmup * self.steps)))
        rise = self.peak * (s + 1.0) / w
        decay_span = max(float(self.steps) - w, 1.0)
        fall = 0.5 * self.peak * (1.0 + ops.cos(np.pi * (s - w) / decay_span))
        return ops.where(s < w, rise, fall)

    def get_config(self):
        return {"peak": self.peak, "steps": self.steps, "start": self.start,
                "warmup": self.warmup, "constant": self.constant}


def _fit_rate(learning_rate, steps, start, *, own_loss):
    """The FitRate for one fit call: the number given (constant), else the default."""
    if learning_rate is not None:
        return FitRate(v.number("learning_rate", learning_rate, low=0.0, low_open=True))
    if own_loss:
        return FitRate(DEFAULT_LEARNING_RATE)
    return FitRate(ONE_CYCLE_PEAK, steps, start=start, warmup=ONE_CYCLE_WARMUP, constant=False)


def _optimizer(optimizer, learning_rate, steps=1, *, own_loss=True):
    if isinstance(optimizer, keras.optimizers.Optimizer):
        if learning_rate is not None:
            raise ValueError("learning_rate would be ignored: the optimizer you pass brings its "
                             "own rate; set it there (e.g. keras.optimizers.Adam(1e-3))")
        return optimizer
    optimizer = v.option("optimizer", "adam" if optimizer is None else optimizer,
                         set(OPTIMIZERS))
    return OPTIMIZERS[optimizer](learning_rate=_fit_rate(learning_rate, steps, 0,
                                                         own_loss=own_loss))


def _has_own_loss(model) -> bool:
    """Whether ``model`` computes a loss without a compiled one: it overrides ``compute_loss``
    or ``train_step`` (VAE, adversarial AE...) or adds layer losses."""
    cls = type(model)
    return (cls.compute_loss is not keras.Model.compute_loss
            or cls.train_step is not keras.Model.train_step or bool(model.losses))


def _rate(optimizer) -> str:
    try:
        return f"{float(keras.ops.convert_to_numpy(optimizer.learning_rate)):g}"
    except (TypeError, ValueError):
        return "a schedule"


def _compile_for_fit(model, loss, optimizer, learning_rate, steps):
    """Compile ``model`` for ``fit``, keeping the optimizer it already has (see ``fit``);
    ``steps``: how many training steps this call will run (for the one-cycle schedule)."""
    current = getattr(model, "optimizer", None) if model.compiled else None
    if loss is None:
        if current is not None:  # the model keeps the compile it has (its own or yours)
            if optimizer is not None or learning_rate is not None:
                given = ", ".join(name for name, arg in (("optimizer", optimizer),
                                                         ("learning_rate", learning_rate))
                                  if arg is not None)
                raise ValueError(
                    f"{given} would be ignored: with loss=None, fit trains {model.name!r} with "
                    f"the compile it already has ({type(current).__name__}, learning rate "
                    f"{_rate(current)}, {int(current.iterations)} steps so far) and continues "
                    f"from there. Leave {given} out; to change the rate, set "
                    f"model.optimizer.learning_rate = ... before fit; to start over, build a "
                    f"new model")
            return
        if not _has_own_loss(model):
            raise ValueError(f"loss=None keeps a model's own loss, but {type(model).__name__} "
                             f"{model.name!r} has none: pass loss='mse', 'mae' or 'bce'")
        model.compile(optimizer=_optimizer(optimizer, learning_rate, steps, own_loss=True),
                      steps_per_execution=steps_per_execution(model, STEPS_PER_EXECUTION))
        return
    loss = _loss(loss)
    if current is None or (isinstance(optimizer, keras.optimizers.Optimizer)
                           and optimizer is not current) or (
            isinstance(optimizer, str) and not isinstance(current, OPTIMIZERS.get(optimizer, ()))):
        # a first compile, or a new optimizer asked for
        opt = _optimizer(optimizer, learning_rate, steps, own_loss=False)
    else:
        opt = current  # continue: same optimizer, its step count and moment estimates
        rate = opt._learning_rate  # what the optimizer holds: a schedule, a variable...
        if isinstance(rate, FitRate):  # fit's own: this call gets its own rate or cycle
            opt.learning_rate = _fit_rate(learning_rate, steps, int(opt.iterations),
                                          own_loss=False)
        elif learning_rate is not None:  # an optimizer from elsewhere (yours, a loaded one)
            lr = v.number("learning_rate", learning_rate, low=0.0, low_open=True)
            try:
                opt.learning_rate = lr
            except TypeError:
                raise ValueError(f"learning_rate cannot be changed: {model.name!r}'s optimizer "
                                 f"follows its own learning-rate schedule; pass a new "
                                 f"optimizer instead") from None
    model.compile(optimizer=opt, loss=loss,
                  steps_per_execution=steps_per_execution(model, STEPS_PER_EXECUTION))


def fit(model: keras.Model, x, y=None, *, validation=None, loss="mse", optimizer=None,
        learning_rate=None, epochs: int = DEFAULT_EPOCHS, batch_size: int = DEFAULT_BATCH_SIZE,
        early_stopping=None, seed=0, progress: bool = True,
        callbacks=()) -> keras.callbacks.History:
    """Train ``model`` to reproduce ``y`` (``x`` itself when ``y`` is None) and return History.

    validation: an array (targets = inputs) or an ``(x_val, y_val)`` pair. loss: 'mse', 'mae',
    'bce' or a Keras loss; ``loss=None`` trains a model that brings its own loss (VAE,
    adversarial AE, or one you compiled yourself) as it is compiled. early_stopping: a patience
    in epochs; the best weights by validation loss (training loss without validation) are
    restored. seed: reseeds before training (None leaves the global state alone).
    ``history.epoch_seconds`` holds each epoch's wall time.

    Learning rate: a number gives a constant rate. Left out, a model trained on a loss you name
    follows a one-cycle schedule over this call's epochs: a warm-up from 0 to
    ``ONE_CYCLE_PEAK`` (1e-2) over the first 10% of the steps, then a cosine decay to 0 (the
    large middle steps travel fast, the small final ones settle; with the default batch of 256
    this reaches a given reconstruction error in about half the epochs of a constant 2e-3).
    Because the rate ends near 0, train for the number of epochs you want in one call rather
    than stopping early by hand. A model that brings its own loss (``loss=None``) trains at the
    constant ``DEFAULT_LEARNING_RATE`` (2e-3) unless told.

    Calling ``fit`` again continues training: the model keeps its optimizer, with its step
    count and Adam's moment estimates, and the new call runs its own rate (or cycle) on it. The
    first call creates the optimizer: ``optimizer`` ('adam', 'sgd', 'rmsprop' or a Keras
    optimizer; Adam when left out). Naming another optimizer (or passing an instance) on a later
    call starts a new one. With ``loss=None`` on a compiled model nothing is recompiled, so
    ``optimizer`` and ``learning_rate`` are refused there rather than ignored. To start from
    scratch, build a new model.

    Speed: batches are gathered from the arrays one at a time (no copy of the data set), and
    Keras runs ``STEPS_PER_EXECUTION`` training steps per call into the backend, which removes
    most of the per-step Python overhead of small models on a CPU; the arithmetic is the same
    as one step per call.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    x = v.array("x", x, min_ndim=2)
    y = x if y is None else v.array("y", y, min_ndim=2)
    if len(y) != len(x):
        raise ValueError(f"x and y must have the same number of examples, "
                         f"got {len(x)} and {len(y)}")
    epochs = v.positive_int("epochs", epochs)
    batch_size = v.positive_int("batch_size", batch_size)
    v.boolean("progress", progress)
    patience = None if early_stopping is None else v.positive_int("early_stopping",
                                                                  early_stopping)
    val = None
    if validation is not None:
        if isinstance(validation, (tuple, list)) and len(validation) == 2:
            xv = v.array("validation[0]", validation[0], min_ndim=2)
            val = (xv, v.array("validation[1]", validation[1], min_ndim=2))
        else:
            xv = v.array("validation", validation, min_ndim=2)
            val = (xv, xv)  # same object: ArrayBatches then yields each batch once for both
        if val[0].shape[1:] != x.shape[1:]:
            raise ValueError(f"validation inputs must have shape "
                             f"(n, {', '.join(map(str, x.shape[1:]))}), got {val[0].shape}")
    if seed is not None:
        set_seed(seed)
    _compile_for_fit(model, loss, optimizer, learning_rate,
                     steps=epochs * -(-len(x) // batch_size))
    timer = _EpochTimer()
    cbs = [timer, *callbacks]
    if progress:
        cbs.append(_Progress(epochs))
    if patience is not None:
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


def sweep(build, values, x, y=None, *, evaluate=None, seed=0, progress: bool = True,
          desc: str = "training one model per value", **fit_kwargs) -> dict:
    """Train one model per value of a setting and return ``{value: result}``, in ``values``' order.

    For each value: ``set_seed(seed)``, ``model = build(value)``, ``fit(model, x, y, seed=seed,
    **fit_kwargs)``, then ``evaluate(model)`` (a dict of measurements, optional). Each result is
    ``{"value", "model", "history"}`` plus what ``evaluate`` returned, so the experiment is plain
    data: a table, a plot or an explorer's slider can show it without training again. Every
    model starts from the same seed, so the setting is the only difference between them.
    One progress bar counts the epochs of all models (``progress=False`` hides it).

    ``fit_kwargs`` go to ``fit`` (epochs, batch_size, loss, learning_rate, validation...).
    """
    if not callable(build):
        raise TypeError(f"build must be a function value -> keras.Model, got {build!r}")
    if evaluate is not None and not callable(evaluate):
        raise TypeError(f"evaluate must be a function model -> dict, or None, got {evaluate!r}")
    if not isinstance(values, (tuple, list)) or not values:
        raise TypeError(f"values must be a non-empty tuple of settings, got {values!r}")
    v.distinct("values", tuple(values))
    v.boolean("progress", progress)
    v.string("desc", desc)
    extra_callbacks = tuple(fit_kwargs.pop("callbacks", ()))
    epochs = v.positive_int("epochs", fit_kwargs.get("epochs", DEFAULT_EPOCHS))
    from tqdm.auto import tqdm

    bar = tqdm(total=len(values) * epochs, desc=desc, unit="epoch", disable=not progress)
    step = _EpochStep(bar)
    results = {}
    try:
        for value in values:
            if seed is not None:
                set_seed(seed)
            model = build(value)
            if not isinstance(model, keras.Model):
                raise TypeError(f"build({value!r}) must return a keras.Model, got "
                                f"{type(model).__name__}")
            history = fit(model, x, y, seed=seed, progress=False,
                          callbacks=[*extra_callbacks, step], **fit_kwargs)
            result = {"value": value, "model": model, "history": history.history}
            if evaluate is not None:
                measured = evaluate(model)
                if not isinstance(measured, dict):
                    raise TypeError(f"evaluate must return a dict, got {type(measured).__name__}")
                result.update(measured)
            results[value] = result
    finally:
        bar.close()
    return results


class _EpochStep(keras.callbacks.Callback):
    """Advances a tqdm bar by one step per epoch (one bar over several trainings)."""

    def __init__(self, bar):
        super().__init__()
        self.bar = bar

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(1)


def fit_classifier(model: keras.Model, x, y, *, validation=None, epochs: int = 30,
                   batch_size: int = 64, learning_rate: float = 1e-3, seed=0,
                   progress: bool = False) -> keras.callbacks.History:
    """Train a softmax classifier (e.g. ``models.classifier_head(encoder, 10)``) on integer
    labels ``y`` with sparse categorical cross-entropy; reports accuracy. ``validation``: an
    (x_val, y_val) pair."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    x = v.array("x", x, min_ndim=2)
    y = v.labels("y", y, len(x), n_classes=int(model.output.shape[-1]))
    epochs = v.positive_int("epochs", epochs)
    batch_size = v.positive_int("batch_size", batch_size)
    v.boolean("progress", progress)
    if seed is not None:
        set_seed(seed)
    val = None
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            raise TypeError("validation must be an (x_val, y_val) pair")
        xv = v.array("validation[0]", validation[0], min_ndim=2)
        val = (xv, v.labels("validation[1]", validation[1], len(xv)))
    model.compile(optimizer=_optimizer("adam", learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  steps_per_execution=steps_per_execution(model, STEPS_PER_EXECUTION))
    return _fit_batches(model, x, y, val, epochs=epochs, batch_size=batch_size,
                        seed=seed, callbacks=[_Progress(epochs)] if progress else [])
