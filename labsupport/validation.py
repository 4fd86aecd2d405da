"""Argument checks shared by the numeric modules, and the limits on what a call may cost.

Every error names the argument, the value it got and what was expected, so a
learner can fix the call without reading the source.

One rule for arrays, in every module: real numbers only. Integer and float
arrays (and nested lists of numbers) are accepted and computed in float64;
complex, bool, datetime, timedelta, string and object arrays are refused with
:class:`ArgumentTypeError`, a ``TypeError``. Complex input is refused rather
than supported because the libraries the course checks against disagree on it
(``np.correlate`` conjugates its second argument, a plain loop does not), and
no chapter needs it.

Limits
------
A call first estimates what it will cost and refuses, before allocating
anything, a request above either limit with :class:`ResourceLimitError`:

``MEMORY_LIMIT``
    Bytes a single call may allocate (default 2 GiB, or the environment
    variable ``LABSUPPORT_MEMORY_LIMIT`` at import, in bytes).
``LOOP_LIMIT``
    Python-level steps a plain-loop function may take (default 2e8, a few
    minutes; or ``LABSUPPORT_LOOP_LIMIT``).

Raise them for one call with :func:`limits`, or for the session by assigning
``labsupport.validation.MEMORY_LIMIT``.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os

import numpy as np


def _limit_from_environment(variable: str, default: int) -> int:
    text = os.environ.get(variable)
    if text is None:
        return default
    try:
        value = int(float(text))
    except ValueError:
        raise ValueError(f"{variable}={text!r}: expected a positive number") from None
    if value < 1:
        raise ValueError(f"{variable}={text!r}: expected a positive number")
    return value


MEMORY_LIMIT = _limit_from_environment("LABSUPPORT_MEMORY_LIMIT", 2 * 2**30)
LOOP_LIMIT = _limit_from_environment("LABSUPPORT_LOOP_LIMIT", 2 * 10**8)

# float64: what every array is computed in
ITEM = 8


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type or dtype.

    A ``TypeError``; also a ``ValueError``, so code written when these checks
    raised ValueError keeps catching them.
    """


class ResourceLimitError(ValueError):
    """A request that would need more memory or more loop steps than the limits allow."""


@contextlib.contextmanager
def limits(memory: int | None = None, loops: int | None = None):
    """Change :data:`MEMORY_LIMIT` and/or :data:`LOOP_LIMIT` inside a ``with`` block.

    Examples
    --------
    >>> from labsupport import validation
    >>> with limits(memory=2**20):
    ...     validation.MEMORY_LIMIT
    1048576
    >>> validation.MEMORY_LIMIT == 2**20
    False
    """
    global MEMORY_LIMIT, LOOP_LIMIT
    saved = MEMORY_LIMIT, LOOP_LIMIT
    if memory is not None:
        MEMORY_LIMIT = check_int("memory", memory, minimum=1)
    if loops is not None:
        LOOP_LIMIT = check_int("loops", loops, minimum=1)
    try:
        yield
    finally:
        MEMORY_LIMIT, LOOP_LIMIT = saved


def format_bytes(nbytes: int) -> str:
    """A byte count for people: ``format_bytes(3 * 2**30) == '3.0 GiB'``.

    Examples
    --------
    >>> format_bytes(1536)
    '1.5 KiB'
    """
    value = float(nbytes) if nbytes < 2**1000 else math.inf
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024:
            return f"{value:.0f} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.3g} PiB" if value < 1e6 else f"2^{int(math.log2(nbytes))} B"


def _describe(arguments: dict) -> str:
    parts = []
    for name, value in arguments.items():
        if isinstance(value, np.ndarray):
            parts.append(f"{name} of shape {value.shape}")
        else:
            text = repr(value)
            parts.append(f"{name}={text if len(text) <= 60 else text[:57] + '...'}")
    return ", ".join(parts)


def check_memory(nbytes: int, operation: str, /, **arguments) -> None:
    """Refuse, before allocating, an operation estimated to need more than :data:`MEMORY_LIMIT` bytes.

    `arguments` are the request's arguments, named in the message.

    Raises
    ------
    ResourceLimitError

    Examples
    --------
    >>> check_memory(10**15, "correlate2d", padding=10**7)
    Traceback (most recent call last):
    ...
    labsupport.validation.ResourceLimitError: correlate2d(padding=10000000) needs about 909.5 TiB, above the limit of 2.0 GiB: expected a smaller request (raise labsupport.validation.MEMORY_LIMIT or LABSUPPORT_MEMORY_LIMIT if the machine has the memory)
    """
    if nbytes > MEMORY_LIMIT:
        raise ResourceLimitError(
            f"{operation}({_describe(arguments)}) needs about {format_bytes(nbytes)}, above the limit of "
            f"{format_bytes(MEMORY_LIMIT)}: expected a smaller request (raise labsupport.validation.MEMORY_LIMIT "
            "or LABSUPPORT_MEMORY_LIMIT if the machine has the memory)"
        )


def check_loops(steps: int, operation: str, /, **arguments) -> None:
    """Refuse a plain-loop computation of more than :data:`LOOP_LIMIT` Python-level steps.

    Raises
    ------
    ResourceLimitError
    """
    if steps > LOOP_LIMIT:
        raise ResourceLimitError(
            f"{operation}({_describe(arguments)}) takes {steps:.3g} loop steps, above the limit of "
            f"{LOOP_LIMIT:.3g}: expected a smaller request, or the vectorised version (raise "
            "labsupport.validation.LOOP_LIMIT or LABSUPPORT_LOOP_LIMIT to wait for it)"
        )


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(name: str, value, minimum: int) -> int:
    """Return `value` as an int if it is an integer >= `minimum`.

    Raises
    ------
    ArgumentTypeError
        If `value` is not an integer (a bool, float, string, array... is not).
    ValueError
        If it is below `minimum`.

    Examples
    --------
    >>> check_int("stride", 2, minimum=1)
    2
    """
    if not _is_int(value):
        raise ArgumentTypeError(f"{name}={value!r}: expected an integer >= {minimum}")
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
    if not _is_int(value):
        raise ArgumentTypeError(
            f"{name}={value!r}: expected an integer or a (rows, cols) pair of integers >= {minimum}"
        )
    return (check_int(name, value, minimum),) * 2


def check_shape(name: str, value, length: int, minimum: int = 1) -> tuple[int, ...]:
    """A tuple (or list) of exactly `length` integers, each >= `minimum`.

    Examples
    --------
    >>> check_shape("input_shape", (5, 4), 2)
    (5, 4)
    >>> check_shape("input_shape", 5, 2)
    Traceback (most recent call last):
    ...
    labsupport.validation.ArgumentTypeError: input_shape=5: expected a tuple of 2 integers >= 1
    """
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, (tuple, list)):
        raise ArgumentTypeError(f"{name}={value!r}: expected a tuple of {length} integers >= {minimum}")
    if len(value) != length:
        raise ValueError(f"{name}={value!r} has {len(value)} entries: expected {length} integers >= {minimum}")
    return tuple(check_int(f"{name}[{axis}]", size, minimum) for axis, size in enumerate(value))


def check_choice(name: str, value, choices) -> str:
    """`value` if it is one of the strings `choices`, else a ValueError listing them.

    Examples
    --------
    >>> check_choice("mode", "max", ("max", "avg"))
    'max'
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name}={value!r}: expected one of {tuple(choices)}")
    return value


def check_bool(name: str, value) -> bool:
    """`value` if it is True or False (a NumPy bool too), else ArgumentTypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name}={value!r}: expected True or False")
    return bool(value)


def check_real(name: str, value, minimum: float | None = None, maximum: float | None = None,
               include_minimum: bool = True, include_maximum: bool = True) -> float:
    """A finite real number (not a bool) within the given bounds, as a float.

    Examples
    --------
    >>> check_real("alpha", 0.5, 0.0, 1.0, include_maximum=False)
    0.5
    """
    low = "-inf" if minimum is None else f"{minimum:g}"
    high = "inf" if maximum is None else f"{maximum:g}"
    interval = ("[" if include_minimum else "(") + f"{low}, {high}" + ("]" if include_maximum else ")")
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name}={value!r}: expected a real number in {interval}")
    try:
        number = float(value)
    except OverflowError:
        number = math.copysign(math.inf, value)
    inside = math.isfinite(number) and (
        minimum is None or (number >= minimum if include_minimum else number > minimum)
    ) and (maximum is None or (number <= maximum if include_maximum else number < maximum))
    if not inside:
        raise ValueError(f"{name}={value!r}: expected a finite real number in {interval}")
    return number


def check_index(name: str, value, size: int, of: str = "") -> int:
    """An integer position in ``range(size)``: no wrap-around for negatives, no bools.

    `of` says what is indexed, for the message.

    Examples
    --------
    >>> check_index("i", 2, size=5)
    2
    """
    where = f" ({of})" if of else ""
    if not _is_int(value):
        raise ArgumentTypeError(f"{name}={value!r}: expected an integer index in [0, {size - 1}]{where}")
    if not 0 <= value < size:
        raise ValueError(f"{name}={value!r}: expected an integer index in [0, {size - 1}]{where}")
    return int(value)


_REFUSED_KINDS = {
    "c": "complex numbers (the libraries disagree on them: np.correlate conjugates, a loop does not)",
    "b": "booleans",
    "M": "datetimes",
    "m": "timedeltas",
    "O": "Python objects",
    "U": "strings",
    "S": "bytes",
    "V": "raw records",
}


def as_real_array(name: str, value) -> np.ndarray:
    """`value` as an ndarray of real numbers (int or float dtype), without changing its dtype.

    Raises
    ------
    ArgumentTypeError
        For a dtype other than integer or floating point, or something NumPy
        cannot turn into an array.
    ValueError
        For ragged nested lists.

    Examples
    --------
    >>> as_real_array("x", [1, 2]).dtype.kind
    'i'
    """
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise ArgumentTypeError(f"{name}={value!r}: expected an array of real numbers")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nesting
        raise ValueError(
            f"{name} is a ragged nested sequence ({error}): expected an array whose rows all have the same length"
        ) from None
    except (TypeError, OverflowError) as error:
        raise ArgumentTypeError(f"{name} cannot be read as an array ({error}): expected real numbers") from None
    kind = array.dtype.kind
    if kind in _REFUSED_KINDS or kind not in "iuf":
        what = _REFUSED_KINDS.get(kind, f"dtype {array.dtype}")
        if kind == "O":
            what += " (ragged nesting, or integers too large for int64)"
        raise ArgumentTypeError(f"{name} has dtype {array.dtype}, {what}: expected real numbers (int or float)")
    return array


def check_array(name: str, value, ndim, allow_empty: bool = False) -> np.ndarray:
    """`value` as a float64 (or wider float) ndarray with one of the allowed numbers of dimensions.

    Parameters
    ----------
    name : str
    value : array_like
    ndim : int, tuple of int, or None
        The allowed numbers of dimensions; None allows any.
    allow_empty : bool, default False

    Raises
    ------
    ArgumentTypeError
        For a dtype that is not integer or floating point (complex, bool,
        datetime, object, strings...): one rule for the whole package.
    ValueError
        For ragged nesting, a wrong number of dimensions, or an empty array.

    Examples
    --------
    >>> check_array("x", [[1, 2], [3, 4]], ndim=2).dtype
    dtype('float64')
    >>> check_array("x", [1j], ndim=1)
    Traceback (most recent call last):
    ...
    labsupport.validation.ArgumentTypeError: x has dtype complex128, complex numbers (the libraries disagree on them: np.correlate conjugates, a loop does not): expected real numbers (int or float)
    """
    array = as_real_array(name, value)
    allowed = None if ndim is None else ((ndim,) if isinstance(ndim, int) else tuple(ndim))
    if allowed is not None and array.ndim not in allowed:
        expected = " or ".join(f"{n}-D" for n in allowed)
        raise ValueError(f"{name} has shape {array.shape} ({array.ndim}-D): expected a {expected} array")
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} has shape {array.shape}: expected a non-empty array")
    return array.astype(np.result_type(array.dtype, np.float64), copy=False)
