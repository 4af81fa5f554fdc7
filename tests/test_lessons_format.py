"""Every lesson follows the course format (shared COURSE_PLAN.md, 'Lesson format').

Parametrized over lessons/*.ipynb, so a new lesson is checked the moment it is added."""
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
MARK = "NBVAL_CHECK_OUTPUT"


def test_there_are_lessons():
    assert len(LESSONS) >= 3


@pytest.fixture(params=LESSONS, ids=lambda p: p.stem)
def nb(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_first_cell_has_title_goals_time_and_badges(nb):
    path, book = nb
    first = book.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# Lesson " + path.stem[:2])
    # the badges open the learners' copy in student/, not the instructors' copy with solutions
    for needle in ("You will learn", "Time on a laptop CPU", "colab.research.google.com",
                   "mybinder.org", f"student/{path.name}", f"student%2F{path.name}"):
        assert needle in first.source, f"{path.name}: first cell lacks {needle!r}"
    assert f"lessons/{path.name}" not in first.source and "lessons%2F" not in first.source, \
        f"{path.name}: a badge still opens lessons/ (the copy with solutions)"


def test_setup_cell_installs_only_on_colab(nb):
    _, book = nb
    setup = book.cells[1]
    assert setup.cell_type == "code" and '"google.colab" in sys.modules' in setup.source


def test_checkpoints_have_stored_pass_lines(nb):
    path, book = nb
    checkpoints = [c for c in book.cells if c.cell_type == "code" and MARK in c.source]
    assert checkpoints, f"{path.name} has no checkpoint cell"
    for c in checkpoints:
        text = "".join(o.get("text", "") for o in c.outputs)
        assert text.startswith("PASS "), f"{path.name}: checkpoint without a stored PASS line"
        assert c.execution_count is not None


def test_only_checkpoint_cells_keep_outputs(nb):
    path, book = nb
    stray = [i for i, c in enumerate(book.cells)
             if c.cell_type == "code" and c.outputs and MARK not in c.source]
    assert not stray, f"{path.name}: cells {stray} have committed outputs"


def test_exercise_with_solution_and_check(nb):
    path, book = nb
    sols = [i for i, c in enumerate(book.cells) if "solution" in c.metadata.get("tags", [])]
    assert sols, f"{path.name} has no solution-tagged cell"
    for i in sols:
        # the stub before lets a student copy run; the check after states the verdict
        assert "= None" in book.cells[i - 1].source, f"{path.name}: no stub before cell {i}"
        after = book.cells[i + 1]
        assert MARK in after.source and ("checks.exercise(" in after.source
                                          or "checks.judge(" in after.source)


# The fixed lesson names from the course plan (CI and the checks find lessons by these names).
PLAN_NAMES = {
    "01_anatomy", "02_losses", "03_biases", "04_training", "05_depth_and_width",
    "06_linear_ae_vs_pca", "07_under_overcomplete", "08_sparse", "09_denoising",
    "10_contractive", "11_convolutional", "12_stacked_pretraining", "13_vae",
    "14_conv_vae_beta", "15_adversarial_ae", "16_sequence_attention_capsule",
    "17_visualization", "18_anomaly_detection", "19_inpainting", "20_retrieval_and_features",
    "21_compression", "22_super_resolution_colorization", "23_recommendation", "24_text",
    "25_masked_autoencoders", "26_vq_vae", "27_sparse_dictionary_features",
    "28_latent_diffusion", "29_scaling_out", "00_start_here",
}


def test_lesson_name_is_in_the_plan(nb):
    path, _ = nb
    assert path.stem in PLAN_NAMES


def test_badges_setup_cells_and_readme_table_are_current():
    """Badges, Colab setup cells and README's table come from pyproject's [tool.course];
    `python tools/lesson_index.py` regenerates them."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, str(ROOT / "tools" / "lesson_index.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
