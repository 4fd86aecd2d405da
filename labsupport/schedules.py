"""Learning-rate schedules in NumPy: the step size as a function of the step count.

The formulas are those of Keras' schedule objects
(``keras.optimizers.schedules.ExponentialDecay`` and ``CosineDecay``), which
``tests/test_schedules.py`` checks them against; an optimiser calls a schedule
with the number of updates made so far, ``0, 1, 2, ...``.

* Exponential decay: ``lr0 * rate ** (step / decay_steps)``, or with
  ``staircase`` the exponent rounded down, a drop by `rate` every `decay_steps`.
* Cosine decay: ``lr0 * ((1 - alpha) * (1 + cos(pi * step / decay_steps)) / 2 + alpha)``
  for ``step <= decay_steps``, then constant: half a cosine from ``lr0`` down to
  ``alpha * lr0``.
* Warm-up: before the decay, ``warmup_steps`` steps of a straight line from ``lr0``
  up to ``warmup_target``, from which the cosine then starts.
"""

from __future__ import annotations

import numpy as np

from .validation import as_real_array, check_int, check_real


def _steps(step) -> np.ndarray:
    step = as_real_array("step", step).astype(np.float64)
    if np.any(~np.isfinite(step)) or np.any(step < 0):
        raise ValueError(f"step={step!r}: expected step counts >= 0")
    return step


def exponential_decay(step, initial_learning_rate: float, decay_steps: int,
                      decay_rate: float, staircase: bool = False):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Parameters
    ----------
    step : int or array_like
        Updates made so far, >= 0.
    initial_learning_rate : float
        Positive.
    decay_steps : int
        At least 1.
    decay_rate : float
        In (0, 1] for a decay.
    staircase : bool, default False
        Round the exponent down: the rate drops by `decay_rate` once every
        `decay_steps` (a "step" schedule).

    Returns
    -------
    float or ndarray
        One rate per step.

    Raises
    ------
    ValueError
        For a negative step, a non-positive rate or decay_steps < 1.

    Examples
    --------
    >>> exponential_decay([0, 5, 10], 0.1, 10, 0.5).round(4).tolist()
    [0.1, 0.0707, 0.05]
    >>> exponential_decay([0, 5, 10], 0.1, 10, 0.5, staircase=True).tolist()
    [0.1, 0.1, 0.05]
    """
    step = _steps(step)
    lr0 = check_real("initial_learning_rate", initial_learning_rate, 0.0,
                     include_minimum=False)
    decay_steps = check_int("decay_steps", decay_steps, 1)
    rate = check_real("decay_rate", decay_rate, 0.0, include_minimum=False)
    exponent = step / decay_steps
    if staircase:
        exponent = np.floor(exponent)
    result = lr0 * rate**exponent
    return float(result) if result.ndim == 0 else result


def cosine_decay(step, initial_learning_rate: float, decay_steps: int,
                 alpha: float = 0.0, warmup_target: float | None = None,
                 warmup_steps: int = 0):
    """Cosine decay, with an optional linear warm-up first, as Keras' ``CosineDecay``.

    Parameters
    ----------
    step : int or array_like
        Updates made so far, >= 0.
    initial_learning_rate : float
        The rate at step 0, positive.
    decay_steps : int
        Length of the cosine, at least 1.
    alpha : float, default 0
        The rate ends at ``alpha`` times the rate the cosine started from.
    warmup_target : float, optional
        With it, the rate climbs linearly from `initial_learning_rate` to
        `warmup_target` over `warmup_steps` steps, and the cosine starts from
        `warmup_target`.
    warmup_steps : int, default 0

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError
        For a negative step, rates that are not positive, `alpha` outside [0, 1],
        or `warmup_steps` without a `warmup_target`.

    Examples
    --------
    >>> cosine_decay([0, 50, 100, 150], 1.0, 100).round(3).tolist()
    [1.0, 0.5, 0.0, 0.0]
    >>> cosine_decay([0, 5, 10, 60, 110], 0.1, 100, warmup_target=1.0,
    ...              warmup_steps=10).round(3).tolist()
    [0.1, 0.55, 1.0, 0.5, 0.0]
    """
    step = _steps(step)
    lr0 = check_real("initial_learning_rate", initial_learning_rate, 0.0,
                     include_minimum=False)
    decay_steps = check_int("decay_steps", decay_steps, 1)
    alpha = check_real("alpha", alpha, 0.0, 1.0)
    warmup_steps = check_int("warmup_steps", warmup_steps, 0)
    if warmup_target is None:
        if warmup_steps:
            raise ValueError(
                f"warmup_steps={warmup_steps!r} without a warmup_target: expected "
                "both, or warmup_steps=0"
            )
        peak, warmup_steps = lr0, 0
    else:
        peak = check_real("warmup_target", warmup_target, 0.0, include_minimum=False)
    step = np.minimum(step, decay_steps + warmup_steps)
    cosine = 0.5 * (1 + np.cos(np.pi * (step - warmup_steps) / decay_steps))
    result = peak * ((1 - alpha) * cosine + alpha)
    if warmup_steps:
        rising = lr0 + (peak - lr0) * step / warmup_steps
        result = np.where(step < warmup_steps, rising, result)
    return float(result) if np.ndim(result) == 0 else result


def warmup_cosine(step, learning_rate: float, steps: int, warmup: float = 0.1):
    """Chapter 7's schedule (:func:`labsupport.models.cosine_with_warmup`) in NumPy.

    The rate rises linearly from ``learning_rate / 10`` to `learning_rate` over the
    first `warmup` share of `steps`, then falls to zero along half a cosine.

    Parameters
    ----------
    step : int or array_like
        Updates made so far, >= 0.
    learning_rate : float
        The peak rate, positive.
    steps : int
        Length of the whole run (warm-up and decay), at least 2.
    warmup : float, default 0.1
        Share of the run spent warming up, in [0, 1).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> warmup_cosine([0, 10, 55, 100], 1e-3, 100).round(6).tolist()
    [0.0001, 0.001, 0.0005, 0.0]
    """
    steps = check_int("steps", steps, 2)
    warmup = check_real("warmup", warmup, 0.0, 1.0, include_maximum=False)
    warmup_steps = int(round(warmup * steps))
    return cosine_decay(step, learning_rate / 10, steps - warmup_steps,
                        warmup_target=learning_rate, warmup_steps=warmup_steps)


__all__ = ["cosine_decay", "exponential_decay", "warmup_cosine"]
