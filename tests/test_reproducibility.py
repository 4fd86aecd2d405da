import subprocess
import sys

import numpy as np
import pytest

import labsupport


def test_seed_everything_repeats_keras_initialisation():
    import keras

    def fresh_weights():
        labsupport.seed_everything(7)
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return np.asarray(layer.kernel), np.random.rand(), keras.random.uniform((2,)).numpy()

    first, second = fresh_weights(), fresh_weights()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_seed_everything_enables_op_determinism():
    from tensorflow.python.framework import config  # the getter has no public alias

    labsupport.seed_everything(0)
    assert config.is_op_determinism_enabled()


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match="seed="):
        labsupport.seed_everything(seed)


def test_tensorflow_loads_silently_through_labsupport():
    code = (
        "import labsupport; labsupport.setup_notebook(0); import tensorflow as tf; "
        "print(tf.reduce_sum(tf.ones((2, 2))).numpy())"
    )
    env = {key: value for key, value in __import__("os").environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "4.0"
    assert result.stderr == "", result.stderr
