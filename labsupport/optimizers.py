"""Gradient-descent optimisers written out in NumPy, with their state explicit.

Each optimiser is a pair of functions: ``*_state(params)`` makes the state a run
starts from, and ``*_step(params, grad, state, ...)`` returns the new parameters
and the new state, never changing its arguments. The updates follow Keras'
``keras.optimizers.SGD`` and ``keras.optimizers.Adam`` operation for operation,
so that fed the same gradients they give the same parameters to float32 precision
(``tests/test_optimizers.py``):

* SGD: ``w <- w - lr * g``.
* Momentum: ``v <- mu * v - lr * g``, then ``w <- w + v``.
* Nesterov: the same ``v``, then ``w <- w + mu * v - lr * g`` (the step looks ahead
  along the new velocity).
* Adam: ``m <- m + (1 - b1)(g - m)``, ``s <- s + (1 - b2)(g**2 - s)``, then
  ``w <- w - lr_t * m / (sqrt(s) + eps)`` with the bias correction folded into
  ``lr_t = lr * sqrt(1 - b2**t) / (1 - b1**t)`` at step ``t = 1, 2, ...``.

A learning rate may be a number or a schedule, a function of the step count
``0, 1, 2, ...`` taken before the update, as Keras calls its schedules
(:mod:`labsupport.schedules`).

Arithmetic is done in the parameters' own dtype: float32 parameters give float32
results, as in Keras.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .validation import as_real_array, check_int, check_real


def _real(name: str, value) -> np.ndarray:
    """`value` as a non-empty float array, keeping float32 (Keras' dtype) as it is."""
    array = np.atleast_1d(as_real_array(name, value))
    if array.size == 0:
        raise ValueError(f"{name} has shape {array.shape}: expected a non-empty array")
    return array if array.dtype == np.float32 else array.astype(np.float64)


def _params(params) -> np.ndarray:
    return _real("params", params)


def _grad(grad, params: np.ndarray) -> np.ndarray:
    grad = _real("grad", grad)
    if grad.shape != params.shape:
        raise ValueError(
            f"grad has shape {grad.shape}: expected the parameters' shape "
            f"{params.shape}"
        )
    return grad.astype(params.dtype, copy=False)


def rate_at(learning_rate, step: int) -> float:
    """The step size at `step`: `learning_rate` itself, or its value there if callable.

    Parameters
    ----------
    learning_rate : float or callable
        A positive number, or a schedule ``step -> rate``.
    step : int
        Updates made so far (0 before the first).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For a rate (or a scheduled rate) that is negative or not finite.

    Examples
    --------
    >>> rate_at(0.1, 5), rate_at(lambda step: 0.1 / (1 + step), 1)
    (0.1, 0.05)
    """
    value = learning_rate(step) if callable(learning_rate) else learning_rate
    value = float(value)
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(
            f"learning_rate={value!r} at step {step}: expected a finite rate >= 0"
        )
    return value


@dataclass(frozen=True)
class SGDState:
    """What SGD carries from step to step.

    Attributes
    ----------
    velocity : ndarray
        The momentum buffer ``v`` (zeros at the start; unused without momentum).
    step : int
        Updates made so far.
    """

    velocity: np.ndarray
    step: int = 0


def sgd_state(params) -> SGDState:
    """The state SGD starts from: zero velocity, step 0.

    Examples
    --------
    >>> sgd_state([1.0, 2.0])
    SGDState(velocity=array([0., 0.]), step=0)
    """
    params = _params(params)
    return SGDState(np.zeros_like(params), 0)


def sgd_step(params, grad, state: SGDState, learning_rate=0.01, momentum: float = 0.0,
             nesterov: bool = False) -> tuple[np.ndarray, SGDState]:
    """One update of SGD, with optional (Nesterov) momentum, as Keras' ``SGD``.

    Parameters
    ----------
    params, grad : array_like
        Parameters and the gradient of the loss at them, of one shape.
    state : SGDState
        From :func:`sgd_state` or the previous step.
    learning_rate : float or callable, default 0.01
        Keras' default; a callable is a schedule of the step count.
    momentum : float, default 0
        In [0, 1).
    nesterov : bool, default False

    Returns
    -------
    params : ndarray
        The updated parameters.
    state : SGDState

    Raises
    ------
    ValueError
        For a momentum outside [0, 1), a negative rate or a gradient of another shape.

    Examples
    --------
    >>> w, state = np.array([1.0]), sgd_state([1.0])
    >>> for _ in range(2):
    ...     w, state = sgd_step(w, [1.0], state, 0.1, momentum=0.9)
    >>> w.round(3).tolist(), state.velocity.round(3).tolist()
    ([0.71], [-0.19])
    """
    params = _params(params)
    grad = _grad(grad, params)
    momentum = check_real("momentum", momentum, minimum=0.0)
    if not momentum < 1:
        raise ValueError(f"momentum={momentum!r}: expected a value in [0, 1)")
    lr = params.dtype.type(rate_at(learning_rate, state.step))
    if momentum == 0:
        return params - lr * grad, SGDState(state.velocity, state.step + 1)
    mu = params.dtype.type(momentum)
    velocity = mu * state.velocity - lr * grad
    if nesterov:
        params = params + (mu * velocity - lr * grad)
    else:
        params = params + velocity
    return params, SGDState(velocity, state.step + 1)


@dataclass(frozen=True)
class AdamState:
    """What Adam carries from step to step.

    Attributes
    ----------
    m : ndarray
        Running mean of the gradients (first moment).
    s : ndarray
        Running mean of the squared gradients (second moment).
    step : int
        Updates made so far.
    """

    m: np.ndarray
    s: np.ndarray
    step: int = 0


def adam_state(params) -> AdamState:
    """The state Adam starts from: both moments zero, step 0.

    Examples
    --------
    >>> adam_state(np.zeros(2)).step
    0
    """
    params = _params(params)
    return AdamState(np.zeros_like(params), np.zeros_like(params), 0)


def adam_step(params, grad, state: AdamState, learning_rate=0.001,
              beta_1: float = 0.9, beta_2: float = 0.999,
              epsilon: float = 1e-7) -> tuple[np.ndarray, AdamState]:
    """One update of Adam, as ``keras.optimizers.Adam`` computes it (Keras' defaults).

    Parameters
    ----------
    params, grad : array_like
        Parameters and the gradient of the loss at them, of one shape.
    state : AdamState
        From :func:`adam_state` or the previous step.
    learning_rate : float or callable, default 0.001
    beta_1, beta_2 : float
        Decay rates of the two moments, in [0, 1).
    epsilon : float, default 1e-7
        Added to ``sqrt(s)``; Keras' default (the Adam paper's is 1e-8).

    Returns
    -------
    params : ndarray
    state : AdamState

    Raises
    ------
    ValueError
        For betas outside [0, 1), a negative epsilon or rate, or a gradient of
        another shape.

    Examples
    --------
    >>> w, state = adam_step([1.0], [5.0], adam_state([1.0]), 0.1)
    >>> w.round(6).tolist()  # the first step moves by lr whatever the gradient's size
    [0.9]
    """
    params = _params(params)
    grad = _grad(grad, params)
    for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
        if not 0 <= check_real(name, beta) < 1:
            raise ValueError(f"{name}={beta!r}: expected a value in [0, 1)")
    epsilon = check_real("epsilon", epsilon, minimum=0.0)
    kind = params.dtype.type
    t = state.step + 1
    lr = kind(rate_at(learning_rate, state.step))
    b1, b2 = kind(beta_1), kind(beta_2)
    alpha = lr * np.sqrt(1 - b2 ** kind(t)) / (1 - b1 ** kind(t))
    m = state.m + (grad - state.m) * (1 - b1)
    s = state.s + (grad * grad - state.s) * (1 - b2)
    params = params - (m * alpha) / (np.sqrt(s) + kind(epsilon))
    return params, AdamState(m, s, t)


OPTIMIZERS = {
    "sgd": (sgd_state, sgd_step),
    "adam": (adam_state, adam_step),
}


def trajectory(name: str, gradient: Callable[[np.ndarray], np.ndarray], start,
               steps: int, **options) -> np.ndarray:
    """Run an optimiser from `start` for `steps` steps; return every iterate.

    Parameters
    ----------
    name : {"sgd", "adam"}
        The optimiser; momentum and Nesterov are options of ``"sgd"``.
    gradient : callable
        ``params -> gradient`` of the loss at those parameters.
    start : array_like
        The first iterate.
    steps : int
        At least 1.
    **options
        Passed to :func:`sgd_step` or :func:`adam_step` (``learning_rate``,
        ``momentum``, ...).

    Returns
    -------
    ndarray, shape (steps + 1, *start.shape)
        Row ``t`` holds the parameters after ``t`` steps.

    Raises
    ------
    ValueError
        For an unknown `name` or ``steps < 1``.

    Examples
    --------
    >>> path = trajectory("sgd", lambda w: 2 * w, [1.0], 3, learning_rate=0.25)
    >>> path.ravel().tolist()  # each step halves w
    [1.0, 0.5, 0.25, 0.125]
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"name={name!r}: expected one of {sorted(OPTIMIZERS)}")
    steps = check_int("steps", steps, 1)
    initial, step = OPTIMIZERS[name]
    params = _params(start).copy()
    state = initial(params)
    path = [params]
    for _ in range(steps):
        params, state = step(params, gradient(params), state, **options)
        path.append(params)
    return np.array(path)


__all__ = [
    "AdamState",
    "SGDState",
    "adam_state",
    "adam_step",
    "rate_at",
    "sgd_state",
    "sgd_step",
    "trajectory",
]
