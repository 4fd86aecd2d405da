import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests draw the same examples on every run, so a CI failure reproduces locally.
settings.register_profile(
    "labsupport",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("labsupport")

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("LABSUPPORT_OFFLINE", "1")  # tests never reach for the network


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The whole book, built once per run in the ci profile with warnings as errors;
    the path of its ``_build/html``."""
    output = tmp_path_factory.mktemp("book")
    env = dict(os.environ, LABSUPPORT_PROFILE="ci")
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build",
               str(Path(__file__).parents[1]), "--path-output", str(output),
               "-W", "-n", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3000)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    return output / "_build" / "html"


@pytest.fixture
def data_places(tmp_path, monkeypatch):
    """Point the loaders at an empty data folder and an empty Keras cache, nothing from
    the real machine: ``data_places("mnist")`` returns the dataset's folder and the cache.
    Offline unless ``offline=False`` (then the variable is unset, not set to 0)."""
    from labsupport.datasets import DATA_DIR_VAR, OFFLINE_VAR

    def make(dataset=None, offline=True):
        data_dir, cache = tmp_path / "data", tmp_path / "keras" / "datasets"
        folder = data_dir / dataset if dataset else data_dir
        folder.mkdir(parents=True, exist_ok=True)
        cache.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(DATA_DIR_VAR, str(data_dir))
        monkeypatch.setenv("KERAS_HOME", str(cache.parent))
        if offline:
            monkeypatch.setenv(OFFLINE_VAR, "1")
        else:
            monkeypatch.delenv(OFFLINE_VAR, raising=False)
        return folder, cache

    return make
