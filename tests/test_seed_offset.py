"""The seed-offset mechanism (issue: verdicts that survive other seeds): a lesson seeds with
``SEED + k`` where ``SEED = training.seed_offset()``; ``python -m course_lib.bench --seed-offset N``
runs it with COURSE_SEED_OFFSET=N and reports every verdict that changes."""
import json

import nbformat
import pytest

from course_lib import bench, training


def test_seed_offset_reads_the_environment(monkeypatch):
    monkeypatch.delenv("COURSE_SEED_OFFSET", raising=False)
    assert training.seed_offset() == 0
    monkeypatch.setenv("COURSE_SEED_OFFSET", "2")
    assert training.seed_offset() == 2
    for bad in ("-1", "one", "1.5"):
        monkeypatch.setenv("COURSE_SEED_OFFSET", bad)
        with pytest.raises(ValueError, match="COURSE_SEED_OFFSET must be a non-negative integer"):
            training.seed_offset()


def test_verdict_masks_the_measurement_and_flips_are_counted():
    base = {"verdicts": ["PASS a <= 1  [measured 0.5]", "PASS b >= 2  [measured 3]"],
            "error": None}
    same = {"verdicts": ["PASS a <= 1  [measured 0.7]", "PASS b >= 2  [measured 2.5]"],
            "error": None}
    stopped = {"verdicts": ["PASS a <= 1  [measured 0.7]"], "error": "CheckFailed: FAIL b >= 2"}
    assert bench.verdict(base["verdicts"][0]) == "PASS a <= 1"
    assert bench.flips(base, same) == []
    assert bench.flips(base, stopped) == ["PASS b >= 2", "error: CheckFailed: FAIL b >= 2"]


def _lesson(path, source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


@pytest.mark.slow
def test_bench_seed_offset_finds_a_flip_and_an_unaware_lesson(tmp_path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    # a claim that holds only for even seeds: offset 1 must flip it, offset 2 must not
    _lesson(lessons / "01_even.ipynb",
            "# NBVAL_CHECK_OUTPUT\nfrom course_lib import checks, training\n"
            "SEED = training.seed_offset()\n"
            "checks.check('seed is even', (SEED + 4) % 2 == 0, '==', True)")
    _lesson(lessons / "02_fixed.ipynb",
            "# NBVAL_CHECK_OUTPUT\nfrom course_lib import checks\n"
            "checks.check('always', 1, '<=', 2)")
    rows = {p.stem: bench.run_lesson(p) for p in sorted(lessons.glob("*.ipynb"))}
    assert all(r["passed"] for r in rows.values())
    at1 = bench.run_lesson(lessons / "01_even.ipynb", seed_offset=1)
    at2 = bench.run_lesson(lessons / "01_even.ipynb", seed_offset=2)
    assert bench.flips(rows["01_even"], at1)[0] == "PASS seed is even == True"
    assert bench.flips(rows["01_even"], at2) == []
    assert rows["01_even"]["seed_aware"] and not rows["02_fixed"]["seed_aware"]
    with pytest.raises(ValueError, match="seed_offset"):
        bench.run_lesson(lessons / "01_even.ipynb", seed_offset=-1)


def test_bench_flip_table(tmp_path):
    base = {"lesson": "01_x", "verdicts": ["PASS a <= 1  [measured 0.5]"], "error": None}
    row = {**base, "verdicts": [], "error": "FAIL a <= 1", "seed_aware": True}
    md = bench._flip_markdown([row], {"01_x": base}, 1, {"cpu": "cpu", "cores": 2})
    assert "| 01_x | yes | 1 | 2 |" in md and "Total flips: 2" in md
    json.dumps(row)  # rows stay JSON-serialisable
