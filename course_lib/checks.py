"""Checkpoints: one deterministic line per claim, and an exception when the claim is false.

A lesson states each result as ``check(claim, measured, op, reference)``. The printed line is
``PASS <claim> <op> <reference>  [measured <value>]``. nbval compares the stored line with the new
one after masking the bracket (see ``tests/nbval_sanitize.cfg``), so the verdict is compared
across machines while the learner still sees the number.
"""
from __future__ import annotations

import math
import numbers

from . import _validate as v

__all__ = ["CheckFailed", "check", "exercise", "judge", "reveal", "format_number"]

_OPS = {
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: a == b,
}


class CheckFailed(AssertionError):
    """A lesson's claim did not hold."""


def format_number(x) -> str:
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, numbers.Integral):
        return str(int(x))
    x = float(x)
    if x == 0 or 1e-3 <= abs(x) < 1e5:
        return f"{x:.4g}"
    return f"{x:.3e}"


def _real(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # NumPy / tensor scalars
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a real number, got {value!r}") from None
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} is NaN")
    return value


def check(claim: str, value, op: str, reference) -> None:
    """Print ``PASS claim op reference [measured value]`` or raise ``CheckFailed``.

    op is one of ``<=``, ``<``, ``>=``, ``>``, ``==``. ``value`` may be a bool with
    op ``==`` and reference ``True`` for yes/no claims.
    """
    v.string("claim", claim)
    v.choice("op", op, _OPS)
    if isinstance(value, bool) or isinstance(reference, bool):
        if op != "==":
            raise ValueError("op must be '==' when value or reference is a bool")
        ok = bool(value) == bool(reference)
    else:
        ok = _OPS[op](_real("value", value), _real("reference", reference))
    line = f"{claim} {op} {format_number(reference)}  [measured {format_number(value)}]"
    if not ok:
        raise CheckFailed(f"FAIL {line}")
    print(f"PASS {line}")  # nothing returned: a checkpoint cell shows this one line only


def exercise(name: str, answer, expected, *, hint: str, atol: float = 1e-6) -> None:
    """Check an exercise answer against ``expected`` (numbers or arrays, compared with atol).

    ``answer is None`` means the learner has not solved it yet (student copies ship the stub
    ``answer = None``): print a hint instead of stopping the notebook.
    """
    import numpy as np

    v.string("name", name)
    if answer is None:
        print(f"TODO {name}: not solved yet — hint: {hint}")
        return
    a, e = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        raise CheckFailed(f"FAIL {name}: answer has shape {a.shape}, expected {e.shape}. "
                          f"Hint: {hint}")
    if not np.allclose(a, e, atol=atol, rtol=0):
        worst = float(np.max(np.abs(a - e)))
        raise CheckFailed(f"FAIL {name}: off by up to {worst:.3g} (tolerance {atol:g}). "
                          f"Hint: {hint}")
    print(f"PASS {name}")


def judge(name: str, answer, measure, op: str, reference, *, hint: str) -> None:
    """Judge an exercise by the *behaviour* of the learner's answer (a model, a setting...).

    ``answer is None``: the stub is unsolved, so print ``TODO name: not solved yet — hint: ...``
    and return. Otherwise ``measure(answer)`` gives a number (e.g. the PSNR gain of the
    learner's denoiser) that must satisfy ``value op reference``; the verdict prints like
    ``check``'s (``PASS name op reference  [measured value]``), and a miss raises ``CheckFailed``
    whose message ends with the hint.
    """
    v.string("name", name)
    v.string("hint", hint)
    if not callable(measure):
        raise TypeError(f"measure must be a function of the answer, got {measure!r}")
    v.choice("op", op, _OPS)
    if answer is None:
        print(f"TODO {name}: not solved yet — hint: {hint}")
        return
    value = measure(answer)
    if isinstance(value, bool) or isinstance(reference, bool):
        if op != "==":
            raise ValueError("op must be '==' when the measure or reference is a bool")
        ok = bool(value) == bool(reference)
    else:
        ok = _OPS[op](_real("measured value", value), _real("reference", reference))
    line = f"{name} {op} {format_number(reference)}  [measured {format_number(value)}]"
    if not ok:
        raise CheckFailed(f"FAIL {line}. Hint: {hint}")
    print(f"PASS {line}")


def reveal(prediction, outcome: str, choices: dict, measured: str) -> str:
    """Close a ``predict`` cell: print what was measured and whether the prediction matched.

    ``choices`` maps each letter to its outcome in words, ``outcome`` is the letter the
    measurement selected, ``measured`` states the number(s) behind it. Never raises on the
    learner's side (no prediction, or a letter that is not a choice): a prediction is for
    thinking, not for grading. Returns "match", "miss" or "none".
    """
    if not isinstance(choices, dict) or outcome not in choices:
        raise ValueError(f"outcome must be one of the choices {sorted(choices)}, got {outcome!r}")
    print(f"Measured: {measured}")
    print(f"Outcome: ({outcome}) {choices[outcome]}")
    if prediction is None:
        print("You made no prediction — set `prediction` above before running the reveal.")
        return "none"
    if prediction not in choices:
        print(f"Your prediction {prediction!r} is not one of {sorted(choices)}.")
        return "none"
    if prediction == outcome:
        print(f"Your prediction ({prediction}) matched.")
        return "match"
    print(f"You predicted ({prediction}) {choices[prediction]} — not this time; "
          f"the prose below explains why.")
    return "miss"
