"""Package-wide guarantees: safe serialization only, cheap import, every builder registered,
and lessons that print the same checkpoint lines when run twice."""
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "course_lib").rglob("*.py"))


@pytest.mark.parametrize("pattern", [r"\bimport pickle\b|\bpickle\.", r"safe_mode\s*=\s*False",
                                     r"\bLambda\("])
def test_no_unsafe_serialization(pattern):
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in SOURCES
            for i, line in enumerate(p.read_text().splitlines(), 1) if re.search(pattern, line)]
    assert not hits, f"{pattern!r} found in {hits}"


def test_import_is_cheap_and_tensorflow_free():
    code = ("import time, sys; t = time.perf_counter(); import course_lib, course_lib.checks, "
            "course_lib.data, course_lib.metrics; print(time.perf_counter() - t); "
            "print(sorted(m for m in ('tensorflow', 'keras', 'matplotlib', 'ipywidgets') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split("\n")
    seconds, heavy = float(out[0]), out[1]
    assert heavy == "[]", f"importing course_lib pulled in {heavy}"
    assert seconds < 2.0, f"import took {seconds:.2f} s"


def test_every_public_model_function_is_a_registered_builder():
    """A new builder added to course_lib.models without @builder fails here (and so is never
    missed by the save/load test in test_models.py)."""
    from course_lib import models

    public = {n for n in models.__all__ if inspect.isfunction(getattr(models, n))}
    unregistered = public - set(models.BUILDERS) - set(models.HELPERS)
    assert not unregistered, (f"{sorted(unregistered)} are public in course_lib.models but neither "
                              f"registered with @builder nor listed in models.HELPERS")
    assert set(models.HELPERS) <= public


@pytest.mark.slow
def test_a_lesson_gives_identical_checkpoint_lines_twice():
    from course_lib.bench import run_lesson

    first, second = (run_lesson(ROOT / "lessons" / "02_losses.ipynb") for _ in range(2))
    assert first["passed"] and first["verdicts"], first["error"]
    assert first["verdicts"] == second["verdicts"]  # measured numbers included, not only verdicts


def test_bench_merge_keeps_other_lessons_and_replaces_named_ones():
    from course_lib.bench import merge_rows

    old = [{"lesson": "01_a", "seconds": 1.0}, {"lesson": "02_b", "seconds": 2.0}]
    new = [{"lesson": "02_b", "seconds": 5.0}, {"lesson": "03_c", "seconds": 3.0}]
    merged = merge_rows(old, new)
    assert [r["lesson"] for r in merged] == ["01_a", "02_b", "03_c"]
    assert merged[1]["seconds"] == 5.0 and merged[0]["seconds"] == 1.0
