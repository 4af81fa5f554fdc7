"""Time-to-quality of course_lib's defaults against TensorFlow's autoencoder tutorial.

    python benchmarks/defaults.py            # both recipes, twice, side by side in one process
    python benchmarks/defaults.py --repeats 3 --json results.json

The TensorFlow tutorial ("Intro to Autoencoders", tensorflow.org/tutorials/generative/autoencoder)
trains 784-64-784 (ReLU code, sigmoid output) with Adam at Keras' defaults, batch 32, for 10
epochs on the full 60k Fashion-MNIST training set, validating on the 10k test set each epoch; it
ends near a test MSE of 0.0089. The course's side is ``models.dense_autoencoder(784, 64)``
trained by ``training.fit`` with every default left alone (validation on the same test set each
epoch), stopped as soon as its test MSE reaches the tutorial's level: the time-to-quality.

Both recipes run in this one process, one after the other and repeated, so a machine busy with
other work slows both alike; the figure of merit is the ratio of the two wall times (target:
the course's defaults need at most 1/3 of the tutorial's time). Wall times include every
epoch's validation pass and the first epoch's tracing, as a learner would wait for them. This
is a benchmark, not a test: it takes a few minutes and its absolute times depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from course_lib import data, models, training  # noqa: E402

TARGET_MSE = 0.0089  # the tutorial's test MSE after its 10 epochs


class _Log(keras.callbacks.Callback):
    """Wall time and validation loss after each epoch; stops once ``target`` is reached."""

    def __init__(self, target=None):
        super().__init__()
        self.target, self.rows = target, []

    def on_train_begin(self, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.rows.append((epoch + 1, time.perf_counter() - self.t0, float(logs["val_loss"])))
        if self.target is not None and logs["val_loss"] <= self.target:
            self.model.stop_training = True


def tutorial(x, x_test, seed):
    """The tutorial's recipe as it is written there: Keras defaults (no op determinism)."""
    training.set_seed(seed, deterministic=False)
    model = keras.Sequential([
        keras.Input((784,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(784, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss=keras.losses.MeanSquaredError())
    log = _Log()
    t = time.perf_counter()
    model.fit(x, x, epochs=10, batch_size=32, shuffle=True, validation_data=(x_test, x_test),
              verbose=0, callbacks=[log])
    return {"recipe": "tutorial: 784-64-784, Adam 1e-3, batch 32, 10 epochs",
            "seconds": time.perf_counter() - t, "epochs": len(log.rows),
            "val_mse": log.rows[-1][2], "curve": log.rows}


def course_defaults(x, x_test, seed, max_epochs):
    """``dense_autoencoder(784, 64)`` + ``training.fit`` defaults, until the tutorial's MSE."""
    training.set_seed(seed, deterministic=True)  # the course's default, as in every lesson
    model = models.dense_autoencoder(784, 64)
    log = _Log(TARGET_MSE)
    t = time.perf_counter()
    training.fit(model, x, validation=x_test, epochs=max_epochs, seed=seed, progress=False,
                 callbacks=[log])
    seconds = time.perf_counter() - t
    reached = log.rows[-1][2] <= TARGET_MSE
    return {"recipe": "course_lib: dense_autoencoder(784, 64) + training.fit defaults",
            "seconds": seconds, "epochs": len(log.rows), "val_mse": log.rows[-1][2],
            "reached_target": reached, "curve": log.rows}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=2, help="rounds of both recipes (default 2)")
    p.add_argument("--max-epochs", type=int, default=training.DEFAULT_EPOCHS,
                   help="the course side's epoch budget (default: fit's default epochs)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="also write the results to this file")
    args = p.parse_args(argv)

    fm = data.load_fashion_mnist(flatten=True)
    x, x_test = fm.x_train, fm.x_test
    print(f"Fashion-MNIST {x.shape[0]} train / {x_test.shape[0]} test; target test MSE "
          f"{TARGET_MSE}; {os.cpu_count()} CPU(s), load average "
          f"{' '.join(f'{a:.1f}' for a in os.getloadavg())}", flush=True)
    rounds = []
    for r in range(args.repeats):
        # alternate the order, so a change in the machine's load mid-run favours neither
        order = (tutorial, course_defaults) if r % 2 == 0 else (course_defaults, tutorial)
        row = {}
        for fn in order:
            out = (fn(x, x_test, args.seed) if fn is tutorial
                   else fn(x, x_test, args.seed, args.max_epochs))
            row[fn.__name__] = out
            print(f"round {r + 1}: {out['recipe']}: {out['seconds']:.1f} s, {out['epochs']} "
                  f"epochs, test MSE {out['val_mse']:.5f}", flush=True)
        ratio = row["course_defaults"]["seconds"] / row["tutorial"]["seconds"]
        row["ratio"] = ratio
        rounds.append(row)
        print(f"round {r + 1}: course / tutorial wall time = {ratio:.3f} "
              f"(1/{1 / ratio:.1f}); target <= 1/3", flush=True)
    ratios = [row["ratio"] for row in rounds]
    ok = all(row["course_defaults"]["reached_target"] for row in rounds)
    print(f"ratios {', '.join(f'{q:.3f}' for q in ratios)}; worst 1/{1 / max(ratios):.1f}; "
          f"target MSE reached in every round: {ok}; load average now "
          f"{' '.join(f'{a:.1f}' for a in os.getloadavg())}")
    if args.json:
        info = {"python": platform.python_version(), "keras": keras.__version__,
                "numpy": np.__version__, "cpus": os.cpu_count(), "rounds": rounds}
        args.json.write_text(json.dumps(info, indent=1))
    return 0 if ok and max(ratios) <= 1 / 3 else 1


if __name__ == "__main__":
    sys.exit(main())
