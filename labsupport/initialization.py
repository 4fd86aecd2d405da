"""Weight initialisation for ReLU networks: Glorot's variance against He's.

A layer ``z = W a`` with ``fan_in`` inputs and weights of variance ``v``, drawn
independently of zero-mean inputs, gives ``Var z = fan_in * v * E[a**2]``. After a
ReLU, half of a symmetric ``z`` is cut to zero, so ``E[relu(z)**2] = Var(z) / 2``.
Layer after layer the pre-activation variance is multiplied by
``fan_in * v / 2``:

* Glorot (Xavier) (Glorot and Bengio, 2010): ``v = 2 / (fan_in + fan_out)``,
  which is ``1 / fan_in`` for a square layer: the factor is 1/2, and the signal halves
  at every layer.
* He (He et al., 2015): ``v = 2 / fan_in``: the factor is 1, and the variance
  stays where it started.
"""

from __future__ import annotations

import numpy as np

from .validation import check_int, check_real


def glorot_variance(fan_in: int, fan_out: int) -> float:
    """Glorot's weight variance ``2 / (fan_in + fan_out)`` (Keras' default initialiser).

    Examples
    --------
    >>> glorot_variance(100, 100)
    0.01
    """
    fan_in, fan_out = check_int("fan_in", fan_in, 1), check_int("fan_out", fan_out, 1)
    return 2 / (fan_in + fan_out)


def he_variance(fan_in: int) -> float:
    """He's weight variance ``2 / fan_in`` for ReLU layers.

    Examples
    --------
    >>> he_variance(100)
    0.02
    """
    return 2 / check_int("fan_in", fan_in, 1)


def predicted_variances(depth: int, fan_in: int, weight_variance: float,
                        input_second_moment: float = 1.0) -> np.ndarray:
    """``Var z_l`` for layers ``l = 1..depth`` of a ReLU stack, from the formula.

    ``Var z_1 = fan_in * v * E[x**2]`` and ``Var z_(l+1) = fan_in * v * Var(z_l) / 2``.

    Parameters
    ----------
    depth, fan_in : int
        Layers, and inputs per unit (the same in every layer).
    weight_variance : float
        ``v``, positive.
    input_second_moment : float, default 1
        ``E[x**2]`` of the network's input.

    Returns
    -------
    ndarray, shape (depth,)

    Examples
    --------
    >>> predicted_variances(3, 100, glorot_variance(100, 100)).tolist()
    [1.0, 0.5, 0.25]
    >>> predicted_variances(3, 100, he_variance(100)).tolist()
    [2.0, 2.0, 2.0]
    """
    depth, fan_in = check_int("depth", depth, 1), check_int("fan_in", fan_in, 1)
    v = check_real("weight_variance", weight_variance, 0.0, include_minimum=False)
    moment = check_real("input_second_moment", input_second_moment, 0.0)
    gain = fan_in * v
    return gain * moment * (gain / 2) ** np.arange(depth)


def relu_stack_variances(depth: int, width: int, weight_variance: float, samples: int,
                         seed: int = 0) -> np.ndarray:
    """Measured ``Var z_l`` through a stack of dense ReLU layers (no bias).

    The input has `samples` rows of `width` standard normal values; every layer
    is ``width x width`` with normal weights of variance `weight_variance`.

    Parameters
    ----------
    depth, width, samples : int
    weight_variance : float
    seed : int

    Returns
    -------
    ndarray, shape (depth,)
        The mean of ``z_l**2`` over samples and units, for each layer.

    Examples
    --------
    >>> measured = relu_stack_variances(10, 200, he_variance(200), 500)
    >>> bool(np.all(np.abs(measured / 2 - 1) < 0.5))
    True
    """
    depth, width = check_int("depth", depth, 1), check_int("width", width, 1)
    samples = check_int("samples", samples, 1)
    v = check_real("weight_variance", weight_variance, 0.0, include_minimum=False)
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((samples, width))
    variances = []
    for _ in range(depth):
        z = a @ (rng.standard_normal((width, width)) * np.sqrt(v))
        variances.append(float(np.mean(z**2)))
        a = np.maximum(z, 0.0)
    return np.array(variances)


__all__ = ["glorot_variance", "he_variance", "predicted_variances",
           "relu_stack_variances"]
