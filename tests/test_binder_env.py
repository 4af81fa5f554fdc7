"""Binder's environment, rebuilt here: binder/requirements.txt installed into a fresh virtual
environment (as repo2docker does, then binder/postBuild's editable install), and lesson 01
executed under it. Binder gives a session 2 GB of memory; the lesson's kernel must stay below.

pip takes the packages from its configured index (and its cache, so a machine that installed
requirements.txt already downloads nothing new).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

# pip installs binder/requirements.txt into a fresh environment, then a lesson runs there
pytestmark = [pytest.mark.network, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
BINDER_LIMIT_MB = 2048


def test_lesson_01_runs_in_the_binder_environment_within_2_gb(tmp_path):
    env = tmp_path / "binder-env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    python = str(env / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", "-r", str(ROOT / "binder" / "requirements.txt")],
        capture_output=True, text=True)
    assert install.returncode == 0, (
        "binder/requirements.txt did not install (network or pip configuration?):\n"
        + install.stderr[-3000:])
    # binder/postBuild: make course_lib importable, nothing else
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "-e", str(ROOT)],
                   check=True, capture_output=True)
    probe = ("import json; from course_lib.bench import run_lesson; "
             "r = run_lesson('lessons/01_anatomy.ipynb'); "
             "print(json.dumps({k: r[k] for k in ('seconds', 'peak_rss_mb', 'passed', 'error')}))")
    run = subprocess.run([python, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"\nlesson 01 in the Binder environment: {result['seconds']:.1f} s, "
          f"peak kernel RSS {result['peak_rss_mb']:.0f} MB (limit {BINDER_LIMIT_MB} MB)")
    assert result["passed"], result["error"]
    assert result["peak_rss_mb"] < BINDER_LIMIT_MB
