"""Elementwise non-linearities, in NumPy, as the layers apply them."""

from __future__ import annotations

import numpy as np

from .validation import as_real_array, check_real


def relu(z):
    """``max(0, z)`` elementwise.

    Examples
    --------
    >>> relu(np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return np.maximum(0.0, as_real_array("z", z))


def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, stable for large ``|z|``.

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5
    """
    z = as_real_array("z", z).astype(float)
    # exp of a large positive number overflows; each branch only exponentiates a non-positive value
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out if out.ndim else out[()]


def tanh(z):
    """The hyperbolic tangent elementwise.

    Examples
    --------
    >>> float(tanh(0.0))
    0.0
    """
    return np.tanh(as_real_array("z", z))


def leaky_relu(z, alpha: float = 0.01):
    """``z`` where ``z > 0``, else ``alpha * z``.

    Parameters
    ----------
    z : array_like
    alpha : float, default 0.01
        Slope for negative inputs; must lie in [0, 1).

    Raises
    ------
    ValueError
        If `alpha` is outside [0, 1).

    Examples
    --------
    >>> leaky_relu(np.array([-2.0, 3.0])).tolist()
    [-0.02, 3.0]
    """
    check_real("alpha", alpha, 0.0, 1.0, include_maximum=False)
    z = as_real_array("z", z).astype(float)
    return np.where(z > 0, z, alpha * z)


ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "leaky_relu": leaky_relu}
