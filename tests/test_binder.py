"""Binder's configuration (binder/, read by repo2docker) agrees with the lock,
pyproject.toml and the Makefile: the Python it asks for is one pyproject admits and the
one the course is tested on, it installs what `make lab` installs with the lock as
constraints, and it places every file `make lab` copies into the environment at the
same place. Then binder/postBuild runs for real, as repo2docker runs it, with a fresh
environment as the server's and the kernels' prefix (pip offline, every package found
installed): it must succeed, put the files in place, and leave labsupport importable
from the checkout, with every package at the version the lock pins."""

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from freshenv import OFFLINE_PIP, fresh_environment

ROOT = Path(__file__).parents[1]
BINDER = ROOT / "binder"
POSTBUILD = (BINDER / "postBuild").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def lab_copies():
    """``{source: path inside the environment}`` of every file the Makefile copies
    into .venv for `make lab`."""
    variables = dict(re.findall(r"^(\w+)\s*:=\s*\$\(VENV\)/(\S+)$", MAKEFILE, re.M))
    lab = re.search(r"^lab:(.*)$", MAKEFILE, re.M).group(1).split()
    copies = {}
    for name, inside in variables.items():
        rule = re.search(rf"^\$\({name}\):\s*(\S+)", MAKEFILE, re.M)
        if f"$({name})" in lab and rule:
            copies[rule.group(1)] = inside
    return copies


def test_binder_python_is_supported_and_tested():
    version = re.fullmatch(r"python-(3\.\d+)\n?", (BINDER / "runtime.txt").read_text())
    assert version, "runtime.txt must name python-3.X"
    assert Version(version.group(1) + ".0") in SpecifierSet(PYPROJECT["requires-python"])
    readme = (ROOT / "README.md").read_text()
    assert f"The course is tested on Python {version.group(1)}" in readme


def test_binder_installs_what_make_lab_installs_from_the_lock():
    make_install = re.search(r"^\$\(VENV\)/\.installed-lab:.*\n\t(.*)$", MAKEFILE,
                             re.M).group(1)
    assert '-c $(LOCK) -e ".[lab]"' in make_install
    assert "lock=requirements/constraints.txt" in POSTBUILD
    assert '-c "$lock" -e ".[lab]"' in POSTBUILD
    assert "lab" in PYPROJECT["optional-dependencies"]


def test_binder_copies_every_file_make_lab_copies():
    copies = lab_copies()
    assert {"etc/ipython/ipython_kernel_config.py",
            "etc/jupyter/lab/settings/overrides.json"} <= set(copies)
    for source, inside in copies.items():
        if source == "etc/jupyter/jupyter_server_config.py":
            continue  # keeps git's index fresh for a learner's clone; Binder has none
        assert re.search(rf"install -D -m 644 {re.escape(source)} \\\n\s+"
                         rf"\"\$(kernel|NB_PYTHON_PREFIX)/{re.escape(inside)}\"",
                         POSTBUILD), f"postBuild does not copy {source} to {inside}"


def locked_versions():
    from test_lock import environment, pins

    return pins(environment(f"{sys.version_info[0]}.{sys.version_info[1]}",
                            sys.platform))


def test_postbuild_runs_and_leaves_the_environment_of_make_lab(tmp_path):
    checkout = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", f"file://{ROOT}", str(checkout)],
                   check=True)
    python = fresh_environment(tmp_path / "env")
    prefix = str(tmp_path / "env")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV"))}
    env.update(OFFLINE_PIP, NB_PYTHON_PREFIX=prefix, KERNEL_PYTHON_PREFIX=prefix)
    result = subprocess.run(["bash", "binder/postBuild"], cwd=checkout, env=env,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for source, inside in lab_copies().items():
        if source != "etc/jupyter/jupyter_server_config.py":
            assert ((tmp_path / "env" / inside).read_bytes()
                    == (checkout / source).read_bytes())
    probe = ("import importlib.metadata as m, json, labsupport, jupyterlab_myst; "
             "print(labsupport.__file__); "
             "print(json.dumps({d.metadata['Name']: d.version "
             "for d in m.distributions()}))")
    shown = subprocess.run([python, "-c", probe], cwd=tmp_path, env=env, check=True,
                           capture_output=True, text=True).stdout.splitlines()
    assert shown[0].startswith(str(checkout / "labsupport"))
    installed = {canonicalize_name(name): version
                 for name, version in json.loads(shown[1]).items()}
    locked = locked_versions()
    for name in ("jupyterlab", "jupyterlab-myst", "nbstripout", "tensorflow"):
        assert installed[name] == locked[name], name
