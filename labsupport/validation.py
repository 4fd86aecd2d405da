"""Argument checks shared by the numeric modules.

Every error names the argument, the value it got and what was expected, so a
learner can fix the call without reading the source.
"""

from __future__ import annotations

import numbers

import numpy as np


def check_int(name: str, value, minimum: int) -> int:
    """Return `value` as an int if it is an integer >= `minimum`, else raise ValueError.

    Examples
    --------
    >>> check_int("stride", 2, minimum=1)
    2
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name}={value!r}: expected an integer >= {minimum}")
    if value < minimum:
        raise ValueError(f"{name}={value!r}: expected an integer >= {minimum}")
    return int(value)


def check_pair(name: str, value, minimum: int) -> tuple[int, int]:
    """An int or a (rows, cols) pair of ints, each >= `minimum`, as a pair.

    Examples
    --------
    >>> check_pair("dilation", 2, minimum=1)
    (2, 2)
    >>> check_pair("stride", (1, 3), minimum=1)
    (1, 3)
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"{name}={value!r}: expected an integer or a (rows, cols) pair of integers >= {minimum}"
            )
        return check_int(f"{name}[0]", value[0], minimum), check_int(f"{name}[1]", value[1], minimum)
    return (check_int(name, value, minimum),) * 2


def check_array(name: str, value, ndim: int) -> np.ndarray:
    """`value` as a float ndarray of exactly `ndim` dimensions, else ValueError.

    Examples
    --------
    >>> check_array("x", [[1, 2], [3, 4]], ndim=2).dtype
    dtype('float64')
    """
    array = np.asarray(value)
    if array.ndim != ndim:
        raise ValueError(f"{name} has shape {array.shape} ({array.ndim}-D): expected a {ndim}-D array")
    if not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} has dtype {array.dtype}: expected numbers")
    if array.size == 0:
        raise ValueError(f"{name} has shape {array.shape}: expected a non-empty array")
    return array.astype(np.result_type(array.dtype, np.float64), copy=False)
