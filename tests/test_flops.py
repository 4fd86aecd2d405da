"""FLOP counts from the layers (labsupport.flops), against a count by hand."""

import pytest

from labsupport import flops, models


def test_the_mnist_network_is_counted_as_by_hand():
    model = models.mnist_cnn(seed=0)
    conv1 = 28 * 28 * 32 * (2 * 5 * 5 * 1 + 1)
    conv2 = 14 * 14 * 64 * (2 * 5 * 5 * 32 + 1)
    dense = 2 * 3136 * 1024 + 1024
    output = 2 * 1024 * 10 + 10
    assert flops.forward_flops(model) == conv1 + conv2 + dense + output == 27_806_474
    assert flops.training_flops(model) == 3 * 27_806_474


def test_layers_without_weights_count_nothing():
    import keras

    pooling = keras.layers.MaxPooling2D(2)
    assert flops.layer_flops(pooling) == 0


def test_a_matrix_product_and_a_rate():
    assert flops.matmul_flops(10) == 2_000
    assert flops.gflops_per_second(2e9, 2.0) == 1.0
    with pytest.raises(ValueError, match="seconds=0"):
        flops.gflops_per_second(1.0, 0)
