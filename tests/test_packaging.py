"""pyproject.toml is the one list of dependencies: requirements.txt and binder/requirements.txt
must say the same, the built wheel must hold every subpackage and the package data, and the
library must not use what its declared Python version lacks."""
import ast
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+, like the tools
from packaging.requirements import Requirement  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]


def _key(req: str) -> tuple:
    """A requirement as (canonical name, extras, specifier, marker), spelling-independent."""
    r = Requirement(req)
    name = r.name.lower().replace("_", "-")
    return (name, tuple(sorted(r.extras)), str(r.specifier), str(r.marker or ""))


def _requirements_file(path: Path) -> set:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    keys = [_key(line) for line in lines if line]
    assert len(keys) == len(set(keys)), f"{path.name} lists a requirement twice"
    return set(keys)


def _declared(*extras) -> set:
    reqs = list(PROJECT["dependencies"])
    for extra in extras:
        reqs += PROJECT["optional-dependencies"][extra]
    return {_key(r) for r in reqs}


def test_requirements_txt_is_the_runtime_list_plus_course_and_test_extras():
    listed, declared = _requirements_file(ROOT / "requirements.txt"), _declared("course", "test")
    assert listed == declared, (f"only in requirements.txt: {sorted(listed - declared)}; "
                                f"only in pyproject.toml: {sorted(declared - listed)}")


def test_binder_requirements_are_the_runtime_list_plus_course_with_cpu_tensorflow():
    listed = _requirements_file(ROOT / "binder" / "requirements.txt")
    expected = {k for k in _declared("course") if not k[0].startswith("tensorflow")}
    expected.add(_key("tensorflow-cpu>=2.16"))
    assert listed == expected, (f"only in binder/requirements.txt: {sorted(listed - expected)}; "
                                f"expected but missing: {sorted(expected - listed)}")


def test_jax_is_an_optional_extra_not_a_runtime_requirement():
    assert [Requirement(r).name for r in PROJECT["optional-dependencies"]["jax"]] == ["jax"]
    assert not any(Requirement(r).name == "jax" for r in PROJECT["dependencies"])


def _third_party_imports() -> set:
    """Top-level names of the non-standard-library modules course_lib imports anywhere."""
    names = set()
    for path in (ROOT / "course_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"course_lib"}


# import name -> distribution, where they differ; backends and what ipywidgets brings along
_DISTRIBUTION = {"sklearn": "scikit-learn", "PIL": "pillow", "IPython": "ipywidgets",
                 "tensorflow": "tensorflow-cpu", "jax": "jax"}


def test_every_library_import_is_declared():
    declared = {k[0] for k in _declared()} | {"jax"}  # jax: optional, imported only under it
    missing = {name for name in _third_party_imports()
               if _DISTRIBUTION.get(name, name).lower() not in declared}
    assert not missing, f"course_lib imports {sorted(missing)} but pyproject.toml does not declare"


def test_library_uses_nothing_newer_than_requires_python():
    """requires-python says 3.10: the stdlib modules added in 3.11 stay out of course_lib (the
    tools may use tomllib, they need 3.11), and ruff checks the syntax against the same version."""
    assert PROJECT["requires-python"] == ">=3.10"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py310"
    new_in_311 = {"tomllib"}
    used = set()
    for path in (ROOT / "course_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                used |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                used.add(node.module.split(".")[0])
    assert not used & new_in_311


def test_wheel_contains_every_subpackage_and_the_customers_table(tmp_path, monkeypatch):
    """Build the wheel from a copy of the sources with setuptools (offline, no build isolation)
    and look inside: a non-editable install ships exactly this."""
    build_meta = pytest.importorskip("setuptools.build_meta")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "course_lib", src / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path / "dist"
    out.mkdir()
    monkeypatch.chdir(src)
    wheel = build_meta.build_wheel(str(out))
    names = set(zipfile.ZipFile(out / wheel).namelist())
    assert "course_lib/data/customers_products.csv" in names
    packages = {p.parent.relative_to(ROOT).as_posix()
                for p in (ROOT / "course_lib").rglob("__init__.py")}
    for package in packages:
        assert f"{package}/__init__.py" in names, f"{package} is missing from the wheel"
    assert not any(n.startswith(("tests/", "tools/", "lessons/")) for n in names)
