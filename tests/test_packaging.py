"""Set-up files stay in step: environment.yml and pyproject.toml name the same packages."""

from __future__ import annotations

import re

import tomllib
import yaml

from hme_core.paths import REPO_ROOT

# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"python-duckdb": "duckdb",
                 "distributed": "dask", "dask": "dask"}


def _name(spec: str) -> str:
    return re.split(r"[<>=\[ ]", spec.strip(), maxsplit=1)[0].lower()


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(s) for s in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda = {_name(s) for s in env["dependencies"] if isinstance(s, str)} - {"python", "pip"}
    pip_section = [s for d in env["dependencies"] if isinstance(d, dict) for s in d.get("pip", [])]
    conda |= {_name(s) for s in pip_section if not s.startswith("-")}  # pip-only packages
    assert {CONDA_TO_PYPI.get(n, n) for n in conda} == pip_names


def test_ci_runs_the_readme_test_command():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make demo" in readme
    assert "make test" in ci


def test_lock_pins_every_pyproject_package_with_hashes_and_setup_installs_from_it():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(s) for s in project["dependencies"] + project["optional-dependencies"]["dev"]}
    lock = (REPO_ROOT / "requirements.lock").read_text()
    pinned = {m.group(1).lower().replace("_", "-")
              for m in re.finditer(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==\S+ \\$", lock, re.M)}
    assert wanted <= pinned, sorted(wanted - pinned)
    blocks = re.split(r"\n(?=\S)", lock.split("\n", 2)[2])
    pins = [b for b in blocks if "==" in b.split("\n", 1)[0]]
    assert pins and all("--hash=sha256:" in b for b in pins)
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "--require-hashes -r $(LOCK)" in makefile and "--no-deps -e ." in makefile
    assert re.search(r"^lock:", makefile, re.M)
