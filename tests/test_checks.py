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
