import numpy as np
import pytest

from course_lib import checks


def test_check_pass_prints_verdict_and_measurement(capsys):
    assert checks.check("AE test MSE", 0.0123, "<=", 0.0151) is None
    assert capsys.readouterr().out == "PASS AE test MSE <= 0.0151  [measured 0.0123]\n"


@pytest.mark.parametrize("value,op,ref", [(2, "<", 1), (1, ">", 2), (1, "==", 2), (3, "<=", 2),
                                          (1, ">=", 2), (False, "==", True)])
def test_check_false_claim_raises(value, op, ref):
    with pytest.raises(checks.CheckFailed, match="FAIL"):
        checks.check("claim", value, op, ref)


def test_check_bool_claim(capsys):
    checks.check("gradients match", True, "==", True)
    assert capsys.readouterr().out.startswith("PASS gradients match == True")


def test_check_numpy_scalars():
    checks.check("x", np.float32(0.5), "<", np.float64(1.0))


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(claim="", value=1, op="<", reference=2), TypeError, "claim"),
    (dict(claim="c", value=1, op="~", reference=2), ValueError, "op"),
    (dict(claim="c", value="a", op="<", reference=2), TypeError, "value"),
    (dict(claim="c", value=float("nan"), op="<", reference=2), ValueError, "value"),
    (dict(claim="c", value=True, op="<", reference=2), ValueError, "op"),
])
def test_check_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        checks.check(**kwargs)


def test_format_number():
    assert checks.format_number(0.01514) == "0.01514"
    assert checks.format_number(7) == "7"
    assert checks.format_number(1e-7) == "1.000e-07"


def test_exercise_unsolved_prints_hint(capsys):
    checks.exercise("Exercise 1", None, 3.0, hint="add them")
    assert "not solved yet — hint: add them" in capsys.readouterr().out


def test_exercise_right_and_wrong(capsys):
    checks.exercise("Ex", [1.0, 2.0], np.array([1.0, 2.0]), hint="h")
    assert capsys.readouterr().out == "PASS Ex\n"
    with pytest.raises(checks.CheckFailed, match="off by up to 0.5"):
        checks.exercise("Ex", [1.0, 2.5], [1.0, 2.0], hint="h")
    with pytest.raises(checks.CheckFailed, match="shape"):
        checks.exercise("Ex", [1.0], [1.0, 2.0], hint="h")


def test_judge_unsolved_prints_hint_and_never_raises(capsys):
    checks.judge("Exercise 2", None, lambda m: 1 / 0, ">=", 5.0, hint="train longer")
    assert capsys.readouterr().out == "TODO Exercise 2: not solved yet — hint: train longer\n"


def test_judge_measures_the_answer(capsys):
    checks.judge("gain (dB)", 7, lambda a: a - 1.0, ">=", 5.0, hint="h")
    assert capsys.readouterr().out == "PASS gain (dB) >= 5  [measured 6]\n"
    with pytest.raises(checks.CheckFailed, match=r"FAIL gain \(dB\) >= 5 .*Hint: more noise"):
        checks.judge("gain (dB)", 3, lambda a: a - 1.0, ">=", 5.0, hint="more noise")


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(name="", answer=1, measure=float, op="<", reference=2, hint="h"), TypeError, "name"),
    (dict(name="n", answer=1, measure=3, op="<", reference=2, hint="h"), TypeError, "measure"),
    (dict(name="n", answer=1, measure=float, op="=", reference=2, hint="h"), ValueError, "op"),
    (dict(name="n", answer=1, measure=float, op="<", reference=2, hint=""), TypeError, "hint"),
])
def test_judge_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        checks.judge(**kwargs)


def test_reveal_never_fails(capsys):
    choices = {"a": "PCA wins", "b": "the AE wins", "c": "a tie"}
    assert checks.reveal(None, "b", choices, "AE 0.010 vs PCA 0.015") == "none"
    assert checks.reveal("b", "b", choices, "x") == "match"
    assert checks.reveal("a", "b", choices, "x") == "miss"
    assert checks.reveal("z", "b", choices, "x") == "none"
    out = capsys.readouterr().out
    assert "Outcome: (b) the AE wins" in out and "matched" in out
    with pytest.raises(ValueError, match="outcome"):
        checks.reveal("a", "d", choices, "x")
