"""The widget tests again, under Colab's ipywidgets (7.7.1) instead of the one installed here.

A second environment is made in a temporary folder: ipywidgets 7.7.1 and its two companions
are installed there with pip (from the package index, or whatever index pip is configured
with), and a .pth file makes the rest of this environment (TensorFlow, Keras, pytest...)
importable behind them — so only the widget stack differs, and nothing is downloaded twice.
"""
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

# pip installs Colab's widget versions into a fresh environment, then the widget tests run there
pytestmark = [pytest.mark.network, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
COLAB_WIDGETS = ("ipywidgets==7.7.1", "widgetsnbextension~=3.6.0",
                 "jupyterlab_widgets>=1.0.0,<3", "ipython_genutils")


def test_widget_tests_pass_under_colab_ipywidgets(tmp_path):
    env = tmp_path / "colab-widgets"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    site = subprocess.run([str(python), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                          "--target", site, *COLAB_WIDGETS], capture_output=True, text=True)
    assert pip.returncode == 0, (
        "could not install Colab's widget versions from the package index (network or pip "
        f"configuration):\n{pip.stderr[-2000:]}")
    main_site = sysconfig.get_paths()["purelib"]
    # addsitedir (not a plain path line) so this environment's own .pth files, e.g. the
    # editable install of course_lib, are processed too
    Path(site, "zz_main_environment.pth").write_text(
        f"import site; site.addsitedir({main_site!r})\n")
    version = subprocess.run([str(python), "-c",
                              "import ipywidgets; print(ipywidgets.__version__)"],
                             capture_output=True, text=True, cwd=tmp_path)
    assert version.stdout.strip() == "7.7.1", version.stdout + version.stderr
    run = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-k", "(explorer or widget or displays) and not colab", "tests"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
