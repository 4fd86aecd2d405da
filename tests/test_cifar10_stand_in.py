"""The synthetic CIFAR-10 stand-in (labsupport.datasets.cifar10_stand_in)."""

import numpy as np
import pytest

from labsupport.datasets import cifar10_stand_in


def test_the_stand_in_is_balanced_deterministic_and_labelled():
    first = cifar10_stand_in("cifar10: not found", train_size=200, test_size=100, seed=3)
    again = cifar10_stand_in("cifar10: not found", train_size=200, test_size=100, seed=3)
    other = cifar10_stand_in("cifar10: not found", train_size=200, test_size=100, seed=4)
    assert first.x_train.shape == (200, 32, 32, 3) and first.x_test.shape == (100, 32, 32, 3)
    assert np.bincount(first.y_train).tolist() == [20] * 10 and np.bincount(first.y_test).tolist() == [10] * 10
    np.testing.assert_array_equal(first.x_train, again.x_train)
    assert not np.array_equal(first.x_train, other.x_train)
    assert all(name.endswith("(stand-in)") for name in first.class_names) and len(set(first.class_names)) == 10
    # the classes are shapes, not colours: the mean colour of a class tells nothing
    means = np.array([first.x_train[first.y_train == c].mean() for c in range(10)])
    assert means.std() < 12


def test_stand_in_sizes_are_checked():
    with pytest.raises(ValueError, match="train_size"):
        cifar10_stand_in("x", train_size=0)
