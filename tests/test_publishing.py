"""The publishing set-up: GitHub workflows, Binder's configuration, and the CPU build of torch.

The workflows are validated against GitHub's workflow schema (check-jsonschema's built-in copy,
offline) and audited by zizmor (offline mode); Binder's files are parsed and checked against the
lock file; the environment `make venv` made must hold the CPU build of torch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import distributions
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        assert found, f"{name} is not installed (it is pinned in requirements.txt)"
        return found
    return str(path)


def _workflow(name: str) -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1); map it back
    data = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_workflows_match_githubs_schema() -> None:
    assert [p.name for p in WORKFLOWS] == ["book.yml", "test.yml"]
    done = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflows_pass_the_security_audit() -> None:
    done = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", str(ROOT / ".github" / "workflows")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_test_workflow_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme
    flow = _workflow("test.yml")
    assert set(flow["on"]) == {"push", "pull_request"}
    runs = [s.get("run", "") for s in flow["jobs"]["test"]["steps"]]
    assert "make test" in runs
    colab = [s.get("run", "") for s in flow["jobs"]["colab-python"]["steps"]]
    assert "make test-python PY=3.13" in colab


def test_the_book_workflow_builds_with_the_cache_and_deploys_to_pages() -> None:
    flow = _workflow("book.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    steps = flow["jobs"]["build"]["steps"]
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == "_build/.jupyter_cache"
    # the cache is keyed on the package and the pins, so changed code never reuses stale outputs
    assert "rnncore/**" in cache["with"]["key"] and "requirements.txt" in cache["with"]["key"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "jupyter-book build . -W -n" in runs and "clean" not in runs
    assert "make pdf" in runs
    upload = next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "_build/html"
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any("actions/deploy-pages@" in s.get("uses", "") for s in deploy["steps"])


def test_every_action_is_pinned_to_a_commit() -> None:
    for path in WORKFLOWS:
        for uses in re.findall(r"uses:\s*(\S+)", path.read_text(encoding="utf-8")):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses}"


def test_binder_installs_the_cpu_build_and_the_course() -> None:
    binder = ROOT / "binder"
    runtime = (binder / "runtime.txt").read_text(encoding="utf-8").strip()
    locked_python = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python={runtime.removeprefix('python-')}" in locked_python["dependencies"]
    lines = [
        ln.split("#")[0].strip()
        for ln in (binder / "requirements.txt").read_text(encoding="utf-8").splitlines()
    ]
    lines = [ln for ln in lines if ln]
    assert lines == [
        "--extra-index-url https://download.pytorch.org/whl/cpu",
        "-r ../requirements.txt",
    ]
    assert (binder / "requirements.txt").parent.joinpath("../requirements.txt").resolve() == (
        ROOT / "requirements.txt"
    )
    post = (binder / "postBuild").read_text(encoding="utf-8")
    assert post.startswith("#!/usr/bin/env bash") and os.access(binder / "postBuild", os.X_OK)
    assert "pip install --no-deps ." in post
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"


def test_the_environment_holds_the_cpu_build_of_torch() -> None:
    """`make venv` installs torch from PyTorch's CPU index: no CUDA build, no nvidia-*/triton."""
    index = os.environ.get("TORCH_INDEX", "https://download.pytorch.org/whl/cpu")
    if not index.endswith("/cpu"):
        pytest.skip(f"this environment was set up with TORCH_INDEX={index} (a GPU build)")
    if (Path(sys.prefix) / ".torch-from-pypi").exists():
        # `make test-python` on a machine where no CPU wheel exists for that Python
        pytest.skip("torch came from PyPI: no CPU wheel for this Python was reachable")
    names = sorted({(d.metadata["Name"] or "").lower() for d in distributions()})
    gpu = [n for n in names if n.startswith("nvidia-") or n == "triton"]
    assert not gpu, f"the environment holds GPU packages: {gpu}"
    import torch

    assert torch.version.cuda is None, f"torch is a CUDA build ({torch.__version__})"
