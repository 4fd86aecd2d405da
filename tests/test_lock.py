"""The lock (requirements/constraints.txt) and pyproject.toml agree: every dependency,
of every extra, is pinned for every Python version pyproject supports, and each pin
satisfies pyproject's specifier."""

import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parents[1]
LOCK = ROOT / "requirements" / "constraints.txt"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PLATFORMS = {"linux": "posix", "darwin": "posix", "win32": "nt"}


def supported_pythons():
    """Each minor version ``requires-python`` admits, from 3.8 up to the first refused
    after an admitted one."""
    spec = SpecifierSet(PYPROJECT["requires-python"])
    admitted = [f"3.{minor}" for minor in range(8, 30) if Version(f"3.{minor}.0") in spec]
    assert admitted and admitted == [f"3.{m}" for m in range(int(admitted[0][2:]),
                                                             int(admitted[-1][2:]) + 1)]
    return admitted


def environment(python, platform):
    return {"python_version": python, "python_full_version": f"{python}.0",
            "sys_platform": platform, "os_name": PLATFORMS[platform],
            "platform_system": {"linux": "Linux", "darwin": "Darwin",
                                "win32": "Windows"}[platform],
            "platform_machine": "x86_64", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "extra": ""}


def pins(env):
    """``{name: version}`` of the lock's pins whose marker holds in `env`."""
    found = {}
    for line in LOCK.read_text().splitlines():
        if not line or line[0] in "# -":
            continue
        requirement, _, marker = line.partition(";")
        name, separator, version = requirement.strip().partition("==")
        assert separator and re.fullmatch(r"[\w.!+-]+", version), f"not a pin: {line}"
        if marker.strip() and not Marker(marker).evaluate(env):
            continue
        name = canonicalize_name(name)
        assert name not in found, f"{name} pinned twice for {env['python_version']}"
        found[name] = version
    return found


def dependencies():
    declared = [Requirement(text) for text in PYPROJECT["dependencies"]]
    for extra in PYPROJECT.get("optional-dependencies", {}).values():
        declared += [Requirement(text) for text in extra]
    return declared


def test_supported_pythons_are_the_ones_the_readme_states():
    pythons = supported_pythons()
    readme = (ROOT / "README.md").read_text()
    assert f"Python {pythons[0]} to {pythons[-1]}" in readme
    assert f"--python-version {pythons[0]}" in LOCK.read_text().splitlines()[1]


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("python", supported_pythons())
def test_every_dependency_is_pinned_within_its_specifier(python, platform):
    env = environment(python, platform)
    pinned = pins(env)
    for requirement in dependencies():
        if requirement.marker and not requirement.marker.evaluate(env):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not in the lock for Python {python}"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"the lock pins {name}=={pinned[name]} for Python {python}, "
            f"outside pyproject's {requirement}")
        for extra in requirement.extras:  # e.g. dask[distributed] needs distributed
            assert any(canonicalize_name(extra) in key for key in pinned), (name, extra)


def test_the_environment_was_installed_from_the_lock():
    """`make` installs with ``-c`` the lock, so what runs here is what it pins."""
    from importlib.metadata import version
    from platform import python_version_tuple

    python = ".".join(python_version_tuple()[:2])
    pinned = pins(environment(python, sys.platform if sys.platform in PLATFORMS else "linux"))
    for requirement in dependencies():
        name = canonicalize_name(requirement.name)
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # an extra this environment did not install (lab, say)
        assert installed == pinned[name], f"{name} {installed} installed, lock pins {pinned[name]}"
    # The stack the course was written and checked against.
    assert Version(pinned["tensorflow"]) >= Version("2.21")
    assert Version(pinned["keras"]).major == 3 and Version(pinned["jupyter-book"]).major == 1
