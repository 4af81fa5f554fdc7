"""Distribution helpers shared by the models' custom losses and by ``training``.

A leaf module: it imports Keras (and TensorFlow only inside the function), never another
course_lib module, so ``models`` and ``training`` can both use it without importing each other.
"""
from __future__ import annotations

import keras

__all__ = ["scale_for_replicas", "replicas", "steps_per_execution"]


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


def replicas(model=None) -> int:
    """How many replicas train ``model`` (the strategy it was built under), or, without a model,
    the strategy active here: 1 without a ``tf.distribute`` strategy and on other backends."""
    if keras.backend.backend() != "tensorflow":
        return 1
    import tensorflow as tf

    strategy = getattr(model, "distribute_strategy", None) or tf.distribute.get_strategy()
    return int(strategy.num_replicas_in_sync)


def steps_per_execution(model, wanted: int) -> int:
    """``wanted`` training steps per call into the backend, or 1 for a model trained by several
    replicas: TensorFlow's multi-step loop under MirroredStrategy fails on the course's batch
    generator (an InvalidArgumentError), and a distributed run's time goes to the replicas, not to
    Python's per-step overhead that several steps per call save."""
    return 1 if replicas(model) > 1 else int(wanted)
