"""`make lab`'s JupyterLab, live: started from this environment as the Makefile starts
it (on 127.0.0.1, with a token; --allow-root only as root), in a fresh clone set up by
`make filter`. It must serve the project's settings (windowing mode "none", so Run
All renders every output), load jupyterlab-myst, and, when it saves a notebook with
outputs, leave `git status` clean through its post-save hook.

`make test` copies the settings and the server configuration into .venv first
(targets LAB_SETTINGS and SERVER_CONFIG); this test reads them from this environment.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PREFIX = Path(sys.prefix)
SETTINGS = PREFIX / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
SERVER_CONFIG = PREFIX / "etc" / "jupyter" / "jupyter_server_config.py"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, data=None, method=None):
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=900) as answer:
        return answer.read().decode()


@pytest.fixture
def lab(tmp_path):
    for made, source in ((SETTINGS, "etc/jupyter/lab/settings/overrides.json"),
                         (SERVER_CONFIG, "etc/jupyter/jupyter_server_config.py")):
        assert made.read_bytes() == (ROOT / source).read_bytes(), (
            f"{made} is not {source}: run make (it copies it)")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", f"file://{ROOT}", str(clone)], check=True)
    subprocess.run(["make", "-C", str(clone), "filter", f"VENV={PREFIX}"], check=True,
                   capture_output=True)
    token, port = secrets.token_hex(16), free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={clone / 'chapters'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")  # as make lab passes it
    log = open(tmp_path / "lab.log", "w")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "user-config"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "user-settings"))
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                get(f"{base}/api/status?token={token}")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "lab.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "JupyterLab did not start in 600 s"
                time.sleep(2)
        yield base, token, clone
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def test_make_labs_jupyterlab_serves_the_settings_myst_and_keeps_git_clean(lab):
    base, token, clone = lab
    tracker = json.loads(get(f"{base}/lab/api/settings/"
                             f"@jupyterlab/notebook-extension:tracker?token={token}"))
    mode = tracker["schema"]["properties"]["windowingMode"]  # defaults + overrides
    assert mode["default"] == "none"
    assert {"const": "none", "title": "None"} in mode["oneOf"]  # a value it knows
    assert "windowingMode" not in tracker["settings"]  # no user setting hides it
    assert "jupyterlab-myst" in get(f"{base}/lab?token={token}")

    name = "04_convolution_arithmetic.ipynb"
    model = json.loads(get(f"{base}/api/contents/{name}?token={token}"))
    for count, cell in enumerate(model["content"]["cells"], start=1):
        if cell["cell_type"] == "code":
            cell["execution_count"] = count
            cell["outputs"] = [{"output_type": "stream", "name": "stdout",
                                "text": f"ran cell {count}\n"}]
    body = json.dumps({"type": "notebook", "format": "json",
                       "content": model["content"]}).encode()
    get(f"{base}/api/contents/{name}?token={token}", data=body, method="PUT")
    saved = json.loads((clone / "chapters" / name).read_text())
    assert any(cell.get("outputs") for cell in saved["cells"]), "outputs not saved"
    status = subprocess.run(["git", "-C", str(clone), "status", "--porcelain"],
                            check=True, capture_output=True, text=True).stdout
    assert status == ""
