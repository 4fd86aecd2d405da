"""The data that ships with scikit-learn (labsupport.datasets.digits)."""

import numpy as np
from sklearn.datasets import load_digits as sklearn_digits

from labsupport import datasets


def test_load_digits_matches_scikit_learn():
    images, labels = datasets.load_digits()
    reference = sklearn_digits()
    assert images.shape == (1797, 8, 8, 1) and images.dtype == np.float32
    np.testing.assert_allclose(images[..., 0] * 16, reference.images)
    np.testing.assert_array_equal(labels, reference.target)
    raw, _ = datasets.load_digits(scale=False)
    assert raw.max() == 16
