"""The Keras builders of the networks the chapters train (labsupport.models)."""

import numpy as np
import pytest

from labsupport import arith, models


def layer_shapes(model):
    return [tuple(layer.output.shape[1:]) for layer in model.layers]


def test_digits_cnn_shapes_and_counts_match_the_arithmetic():
    model = models.digits_cnn(0.1, 1e-3)
    table = arith.shape_table((8, 8, 1), [("conv", 10, 3, 1, "same"), ("pool", 2), ("flatten",), ("dense", 50),
                                          ("dense", 10)])
    assert layer_shapes(model) == [shape for _, shape, _ in table]
    assert [layer.count_params() for layer in model.layers] == [params for *_, params in table]
    assert len(model.losses) == 3  # an L2 penalty on every layer with weights


def test_mnist_cnn_shapes_and_counts_match_the_arithmetic():
    model = models.mnist_cnn(dropout=0.25)
    table = arith.shape_table((28, 28, 1), [("conv", 32, 5, 1, "same"), ("pool", 2), ("conv", 64, 5, 1, "same"),
                                            ("pool", 2), ("flatten",), ("dense", 1024), ("dropout",), ("dense", 10)])
    assert layer_shapes(model) == [shape for _, shape, _ in table]
    assert model.count_params() == sum(params for *_, params in table) == 3_274_634
    assert model.layers[-2].rate == 0.25


@pytest.mark.parametrize("call, fragment", [
    (lambda: models.digits_cnn(0, 1e-3), "learning_rate=0"),
    (lambda: models.digits_cnn(0.1, -1), "l2=-1"),
    (lambda: models.mnist_cnn(dropout=1.0), "dropout=1.0"),
    (lambda: models.single_kernel_model(0), "kernel_size=0"),
])
def test_builders_refuse_bad_arguments(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()


@pytest.mark.parametrize("build", [lambda seed: models.digits_cnn(0.1, 1e-3, seed=seed),
                                   lambda seed: models.mnist_cnn(seed=seed)])
def test_a_seeded_builder_ignores_the_global_random_state(build):
    import random

    random.seed(1)  # a Dask worker's other threads draw from this global generator at any moment
    first = build(7).get_weights()
    random.seed(2)
    second = build(7).get_weights()
    other = build(8).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[0], other[0])
