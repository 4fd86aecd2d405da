"""Minibatch gradients: the closed-form gradient against TensorFlow, the noise formula
against every batch of a small set."""

import itertools

import numpy as np
import pytest

from labsupport import minibatch
from labsupport.reproducibility import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402


def test_softmax_regression_gradient_matches_tensorflow():
    rng = np.random.default_rng(0)
    w, x, y = rng.normal(size=(5, 4)), rng.normal(size=(7, 5)), rng.integers(0, 4, 7)
    variable = tf.Variable(w)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            y, tf.constant(x) @ variable, from_logits=True))
    expected = tape.gradient(loss, variable).numpy()
    ours = minibatch.softmax_regression_gradients(w, x, y)
    assert ours.shape == (7, 5, 4)
    np.testing.assert_allclose(ours.mean(axis=0), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 6])
def test_noise_formula_is_the_mean_over_every_batch(batch_size):
    g = np.random.default_rng(1).normal(size=(6, 3))
    full = g.mean(axis=0)
    batches = list(itertools.combinations(range(6), batch_size))
    means = np.array([g[list(b)].mean(axis=0) for b in batches])
    np.testing.assert_allclose(means.mean(axis=0), full, atol=1e-12)  # unbiased
    exact = np.mean(np.sum((means - full) ** 2, axis=1))
    assert minibatch.predicted_noise(g, batch_size) == pytest.approx(exact, rel=1e-12)


def test_measured_noise_estimates_the_formula():
    g = np.random.default_rng(2).normal(size=(50, 4))
    samples = minibatch.measured_noise(g, 5, 4000, seed=3)
    predicted = minibatch.predicted_noise(g, 5)
    # the mean of 4000 draws is within 4 standard errors of its expectation
    assert abs(samples.mean() - predicted) < 4 * samples.std() / np.sqrt(len(samples))


def test_an_epoch_visits_every_example_once():
    batches = minibatch.epoch_batches(103, 10, np.random.default_rng(0))
    assert [len(b) for b in batches] == [10] * 10 + [3]
    assert sorted(np.concatenate(batches).tolist()) == list(range(103))


@pytest.mark.parametrize("call, match", [
    (lambda: minibatch.predicted_noise(np.zeros((3, 2)), 4), "batch_size=4"),
    (lambda: minibatch.measured_noise(np.zeros((3, 2)), 1, 0), "draws=0"),
    (lambda: minibatch.softmax_regression_gradients(np.zeros((2, 3)), np.zeros((4, 2)),
                                                    [0, 1, 2, 3]), "labels"),
    (lambda: minibatch.epoch_batches(5, 0, np.random.default_rng(0)), "batch_size=0"),
])
def test_bad_arguments_are_refused_by_name(call, match):
    with pytest.raises(ValueError, match=match):
        call()
