"""Affine maps y = A x + b, and the homogeneous coordinates that make them linear."""

from __future__ import annotations

import numpy as np

from .validation import ITEM, check_array, check_memory


def affine(A, b, x) -> np.ndarray:
    """Apply the affine map ``y = A @ x + b`` to one point or to the rows of `x`.

    Parameters
    ----------
    A : array_like, shape (m, n)
    b : array_like, shape (m,)
    x : array_like, shape (n,) or (points, n)

    Returns
    -------
    ndarray, shape (m,) or (points, m)

    Raises
    ------
    ValueError
        If the shapes do not fit together.

    Examples
    --------
    >>> affine([[2, 0], [0, 1]], [1, 1], [3, 4]).tolist()
    [7.0, 5.0]
    """
    A = check_array("A", A, ndim=2)
    b = check_array("b", b, ndim=1)
    x = check_array("x", x, ndim=(1, 2))
    if b.shape != (A.shape[0],):
        raise ValueError(f"b has shape {b.shape}: expected ({A.shape[0]},) to match A's rows")
    if x.shape[-1] != A.shape[1]:
        raise ValueError(f"x has shape {x.shape}: expected a last axis of {A.shape[1]} to match A's columns")
    check_memory(ITEM * (x.size // x.shape[-1]) * A.shape[0], "affine", A=A, b=b, x=x)
    return x @ A.T + b


def homogeneous_matrix(A, b) -> np.ndarray:
    """The (m+1) x (n+1) matrix ``[[A, b], [0, 1]]`` that acts linearly on ``[x, 1]``.

    Examples
    --------
    >>> homogeneous_matrix([[2.0]], [3.0]).tolist()
    [[2.0, 3.0], [0.0, 1.0]]
    """
    A = check_array("A", A, ndim=2)
    b = check_array("b", b, ndim=(1, 2)).reshape(-1, 1)
    if b.shape[0] != A.shape[0]:
        raise ValueError(f"A has shape {A.shape} and b has {b.size} entries: expected A (m, n) and b (m,)")
    bottom = np.zeros((1, A.shape[1] + 1))
    bottom[0, -1] = 1.0
    return np.vstack([np.hstack([A, b]), bottom])


def to_homogeneous(x) -> np.ndarray:
    """Append a coordinate 1 to a point, or to each row of an array of points.

    Examples
    --------
    >>> to_homogeneous([3, 4]).tolist()
    [3.0, 4.0, 1.0]
    """
    x = check_array("x", x, ndim=None)
    if x.ndim == 0:
        raise ValueError(f"x={x!r}: expected a point (1-D) or points (one per row), not a number")
    return np.concatenate([x, np.ones(x.shape[:-1] + (1,))], axis=-1)


def angle_between(u, v) -> float:
    """The angle between two vectors, in degrees.

    Examples
    --------
    >>> round(angle_between([1, 0], [0, 2]), 6)
    90.0
    """
    u = check_array("u", u, ndim=1)
    v = check_array("v", v, ndim=1)
    if u.shape != v.shape:
        raise ValueError(f"u has shape {u.shape} and v {v.shape}: expected two vectors of the same length")
    for name, vector in (("u", u), ("v", v)):
        if not np.any(vector):
            raise ValueError(f"{name}={vector.tolist()!r} is the zero vector: expected a direction (no angle with 0)")
    cosine = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))))
