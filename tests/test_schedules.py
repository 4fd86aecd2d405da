"""The NumPy learning-rate schedules against Keras' schedule objects."""

import numpy as np
import pytest

from labsupport import models, schedules
from labsupport.reproducibility import import_tensorflow

import_tensorflow()
import keras  # noqa: E402

STEPS = np.arange(0, 260)


def keras_values(schedule, steps=STEPS):
    return np.array([float(schedule(int(step))) for step in steps])


@pytest.mark.parametrize("options", [
    dict(initial_learning_rate=0.1, decay_steps=200),
    dict(initial_learning_rate=0.1, decay_steps=200, alpha=0.1),
    dict(initial_learning_rate=1e-4, decay_steps=180, warmup_target=1e-3, warmup_steps=20),
    dict(initial_learning_rate=0.02, decay_steps=100, alpha=0.05, warmup_target=0.5,
         warmup_steps=37),
])
def test_cosine_decay_matches_keras(options):
    theirs = keras_values(keras.optimizers.schedules.CosineDecay(**options))
    ours = schedules.cosine_decay(STEPS, **options)
    # Keras computes in float32: agreement to its precision relative to the peak
    peak = options.get("warmup_target", options["initial_learning_rate"])
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6 * peak)
    assert ours[-1] == pytest.approx(options.get("alpha", 0.0) * peak, abs=1e-12)


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay_matches_keras(staircase):
    options = dict(initial_learning_rate=0.1, decay_steps=30, decay_rate=0.5,
                   staircase=staircase)
    theirs = keras_values(keras.optimizers.schedules.ExponentialDecay(**options))
    np.testing.assert_allclose(schedules.exponential_decay(STEPS, **options), theirs,
                               rtol=2e-6)


@pytest.mark.parametrize("rate, steps, warmup", [(3e-3, 200, 0.1), (1e-3, 57, 0.25),
                                                 (0.1, 10, 0.0)])
def test_warmup_cosine_is_chapter_7s_schedule(rate, steps, warmup):
    theirs = keras_values(models.cosine_with_warmup(rate, steps, warmup),
                          np.arange(steps + 5))
    ours = schedules.warmup_cosine(np.arange(steps + 5), rate, steps, warmup)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6 * rate)


def test_scalar_in_scalar_out():
    assert isinstance(schedules.cosine_decay(3, 0.1, 10), float)
    assert isinstance(schedules.exponential_decay(3, 0.1, 10, 0.9), float)


@pytest.mark.parametrize("call, match", [
    (lambda: schedules.cosine_decay(-1, 0.1, 10), "step="),
    (lambda: schedules.cosine_decay(1, 0.1, 0), "decay_steps=0"),
    (lambda: schedules.cosine_decay(1, 0.1, 10, warmup_steps=5), "warmup_steps=5"),
    (lambda: schedules.cosine_decay(1, 0.1, 10, alpha=2.0), "alpha=2.0"),
    (lambda: schedules.exponential_decay(1, -0.1, 10, 0.5), "initial_learning_rate=-0.1"),
    (lambda: schedules.warmup_cosine(1, 0.1, 10, warmup=1.0), "warmup=1.0"),
])
def test_bad_arguments_are_refused_by_name(call, match):
    with pytest.raises(ValueError, match=match):
        call()
