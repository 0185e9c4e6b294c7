"""The project's set-up files agree with each other and with the README."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_requirements_pin_the_two_critical_packages_exactly() -> None:
    pins = dict(
        line.split("==", 1)
        for line in read("requirements.txt").splitlines()
        if line and not line.startswith("#")
    )
    assert pins.get("jupyter-book") == "1.0.4.post1"
    assert pins.get("torch") == "2.13.0", "torch must be pinned to 2.13.0 (the CPU build here)"
    unpinned = [ln for ln in read("requirements.txt").splitlines() if ln and "==" not in ln]
    assert all(ln.startswith("#") for ln in unpinned), f"unpinned lines: {unpinned}"


def test_every_top_level_requirement_is_locked() -> None:
    locked = {
        line.split("==")[0].lower().replace("_", "-")
        for line in read("requirements.txt").splitlines()
        if "==" in line
    }
    for line in read("requirements.in").splitlines():
        name = re.split(r"[=<>\s#\[]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")
        if name:
            assert name in locked, (
                f"{name} is in requirements.in but not pinned in requirements.txt"
            )


def test_pyproject_declares_the_package_and_its_data() -> None:
    meta = tomllib.loads(read("pyproject.toml"))
    assert meta["project"]["name"] == "rnncore"
    # no upper cap: Colab runs 3.13 (3.12 as an older runtime); `make test-python` checks them
    assert meta["project"]["requires-python"] == ">=3.11"
    package_data = meta["tool"]["setuptools"]["package-data"]
    # every data file inside the package is matched by a package-data glob of its subpackage,
    # so a wheel (Colab's install) carries it
    for path in (ROOT / "rnncore").rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(ROOT)
        owners = [
            (pkg, globs)
            for pkg, globs in package_data.items()
            if rel.parent.as_posix().startswith(pkg.replace(".", "/"))
        ]
        assert any(
            path.relative_to(ROOT / pkg.replace(".", "/")).match(g)
            for pkg, globs in owners
            for g in globs
        ), f"{rel} is not declared as package data in pyproject.toml"
    assert meta["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests", "chapters"]


def test_environment_yml_mirrors_the_pip_pins() -> None:
    env = yaml.safe_load(read("environment.yml"))
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-r requirements.txt" in pip_section


def test_ci_runs_the_readme_test_command_then_the_book() -> None:
    readme = read("README.md")
    commands = re.findall(r"^make (\w[\w-]*)", readme, flags=re.M)
    assert commands[:2] == ["book", "test"], (
        "the README's two commands are `make book` and `make test`"
    )
    ci = read(".ci/run")
    assert "set -euo pipefail" in ci
    stages = ["make test", "make book", "make pdf", "pytest -m pdf", "make browser-test"]
    stages.append("make test-python PY=3.13")
    order = [ci.index(stage) for stage in stages]
    assert order == sorted(order), "CI runs the tests, the book, the PDF, the browser suite, 3.13"


def test_book_config_fails_on_errors_and_excludes_stray_files() -> None:
    config = yaml.safe_load(read("_config.yml"))
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["raise_on_error"] is True
    for pattern in ("_build", ".venv", "README.md", "tests", "*.egg-info"):
        assert pattern in config["exclude_patterns"]
    assert config["bibtex_bibfiles"] == ["references.bib"]
    assert config["repository"]["url"].startswith("https://")
    assert config["sphinx"]["config"]["mathjax_path"].endswith("tex-mml-chtml.js")
    mathjax = ROOT / "_vendor" / "mathjax" / "tex-mml-chtml.js"
    assert mathjax.is_file(), "MathJax must ship with the book so math renders offline"
    makefile = read("Makefile")
    assert "jupyter-book clean --all ." in makefile
    assert "jupyter-book build . -W -n --keep-going" in makefile
