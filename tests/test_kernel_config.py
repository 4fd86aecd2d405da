"""The project's IPython kernel configuration drops ipykernel's TCP notice and nothing else."""

import logging
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

SOURCE = Path(__file__).parents[1] / "etc" / "ipython" / "ipython_kernel_config.py"


def record(message, level=logging.WARNING):
    return logging.LogRecord("IPKernelApp", level, __file__, 1, message, None, None)


def test_the_filter_drops_only_the_tcp_notice():
    config = Config()
    namespace = runpy.run_path(str(SOURCE), init_globals={"get_config": lambda: config})
    logging_config = config.IPKernelApp.logging_config
    assert logging_config["handlers"]["console"]["filters"] == ["without_tcp_notice"]
    keep = logging_config["filters"]["without_tcp_notice"]["()"]()
    notice = ("Kernel is running over TCP without encryption. All communication (including code and outputs) "
              "is sent in plain text and is susceptible to eavesdropping.")
    assert namespace["TCP_NOTICE"] in notice
    assert not keep(record(notice))
    for other in ("Kernel is running over IPC", "Error in message handler", "TCP port already in use"):
        assert keep(record(other))
    assert keep(record("Failed to load connection file", logging.ERROR))


@pytest.mark.skipif(not (Path(sys.prefix) / "etc" / "ipython").is_dir(), reason="not the project's .venv")
def test_make_installs_it_where_kernels_of_this_environment_read_it():
    installed = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    assert installed.read_text() == SOURCE.read_text()


@pytest.mark.skipif(not (Path(sys.prefix) / "etc" / "ipython").is_dir(), reason="not the project's .venv")
def test_a_kernel_of_this_environment_starts_without_the_notice():
    script = ("from jupyter_client.manager import start_new_kernel\n"
              "km, kc = start_new_kernel(kernel_name='python3')\n"
              "kc.execute_interactive('print(1)')\n"
              "kc.stop_channels(); km.shutdown_kernel()\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "running over TCP without encryption" not in result.stderr
