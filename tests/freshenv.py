"""A fresh virtual environment that has every package of the running one except
labsupport, made in seconds: the packages are linked, not copied or downloaded.
Used by the tests of Colab's install cell and of Binder's postBuild."""

import subprocess
import sys
import sysconfig
from pathlib import Path


def fresh_environment(where):
    """A venv at `where` (from this interpreter's base Python, without pip of its own)
    whose site-packages links every entry of this environment's except labsupport's
    and the ``.pth`` files (which would add an editable labsupport); its Python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)],
                   check=True)
    python = Path(where) / "bin" / "python"
    target = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    source = Path(sysconfig.get_paths()["purelib"])
    for entry in source.iterdir():
        name = entry.name.lower()
        if "labsupport" in name or name.endswith(".pth") or name == "__pycache__":
            continue
        (target / entry.name).symlink_to(entry)
    return python


# pip options, as its environment variables: every requirement must be found installed
# (no index, so no network), and a package is built with the installed setuptools.
OFFLINE_PIP = {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",
               "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
