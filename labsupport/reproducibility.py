"""Seeds and silence: every notebook starts with :func:`setup_notebook`."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import random
import sys
import warnings

import numpy as np

from .profiles import Profile, current_profile


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ and Python logging.

    The C++ level is read once, when TensorFlow is first imported, so this sets
    it before importing anything; ``import labsupport`` already calls it.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)


@contextlib.contextmanager
def _stderr_to_devnull():
    """Point file descriptor 2 at /dev/null: C++ code writes there, not to sys.stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def import_tensorflow():
    """Import TensorFlow without the lines it prints while loading.

    TensorFlow 2.21 writes its oneDNN and CUDA notices before its logging is set
    up, so ``TF_CPP_MIN_LOG_LEVEL`` cannot hide them; they are dropped here, and
    only while the module loads. Later imports reuse the loaded module.
    """
    quiet_tensorflow()
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _stderr_to_devnull():
        tf = importlib.import_module("tensorflow")
    return tf


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and Keras, and make TensorFlow's ops deterministic.

    Parameters
    ----------
    seed : int, default 0
        Non-negative.

    Raises
    ------
    ValueError
        If `seed` is not a non-negative integer.

    Examples
    --------
    >>> seed_everything(3)
    >>> first = np.random.rand()
    >>> seed_everything(3)
    >>> first == np.random.rand()
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a non-negative integer")
    tf = import_tensorflow()
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()


def setup_notebook(seed: int = 0) -> Profile:
    """Prepare a chapter: quiet logs, fixed seeds, figure defaults; return the profile.

    Call it in a notebook's first code cell.

    Examples
    --------
    >>> setup_notebook().name in ("ci", "book", "full")
    True
    """
    seed_everything(seed)
    warnings.filterwarnings("ignore", module="keras")
    import matplotlib

    matplotlib.rcParams.update(
        {"figure.dpi": 96, "savefig.dpi": 96, "figure.figsize": (6.4, 4.0), "image.cmap": "gray"}
    )
    return current_profile()
