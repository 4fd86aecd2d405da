"""Fuzz every public function of labsupport's numeric modules with bad input.

Each call replaces one or two arguments of a valid call by something wrong: a
wrong type, shape, dtype, sign or size, a ragged or empty input, a huge
request. Every call must either return (without complex or object results) or
raise a ValueError or TypeError whose message names an argument it changed.
No call may run past :data:`SECONDS` or allocate more than :data:`PEAK_LIMIT`
(the memory limit is lowered for the test, so "huge" is cheap to reach).

Functions are discovered from the modules, so a new public function fails
:func:`test_every_public_function_has_a_recipe` until it gets a valid call in
:data:`VALID`, and is fuzzed from then on. ``benchmarks/fuzz_report.py`` runs
this file and prints the counts it records.
"""

from __future__ import annotations

import collections
import datetime
import functools
import inspect
import json
import os
import re
import signal
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from labsupport import (activations, affine, arith, backprop, check, conv, dense, equivariance, kernels, pooling,
                        sliding, toeplitz, validation)

MODULES = (conv, toeplitz, arith, pooling, equivariance, dense, affine, activations, sliding, kernels, check, backprop)

MEMORY_LIMIT = 8 * 2**20  # what the functions may estimate, during the test
LOOP_LIMIT = 20_000
PEAK_LIMIT = MEMORY_LIMIT + 2 * 2**20  # what tracemalloc may see: the limit, and small Python objects
SECONDS = 10.0  # generous: the machine may be busy; the hangs this guards against never ended
EXAMPLES = int(os.environ.get("LABSUPPORT_FUZZ_EXAMPLES", "50"))  # random examples per function


@functools.cache
def public_functions() -> dict:
    """``"module.name" -> function`` for every public function the modules define (or list in __all__)."""
    found = {}
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[-1]
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            function = getattr(module, name)
            if inspect.isfunction(function) and function.__module__ == module.__name__:
                found[f"{short}.{name}"] = function
    return found


rng = np.random.default_rng(0)
X2, K2 = rng.normal(size=(5, 6)), rng.normal(size=(3, 2))
XB, WB = rng.normal(size=(2, 5, 5, 2)), rng.normal(size=(3, 3, 2, 3))
W4 = dense.tied_dense_weights(np.ones((3, 3)), (4, 4))
STEP = sliding.slide(X2, K2).steps[0]

# One valid call per function: the baseline each fuzz case changes.
VALID = {
    "conv.axis_padding": dict(padding="same", n=5, k_eff=3, stride=1, extra_after=True),
    "conv.check_boundary": dict(boundary="fill"),
    "conv.conv2d": dict(x=XB, w=WB, b=0.5, stride=1, padding="same", dilation=1),
    "conv.conv2d_loop": dict(x=XB, w=WB, b=[1.0, 2.0, 3.0], stride=1, padding="valid", dilation=1),
    "conv.convolve1d": dict(x=[1.0, 2.0, 3.0, 4.0], w=[1, 0, -1], mode="same"),
    "conv.convolve2d": dict(x=X2, k=K2, padding="same", stride=1, dilation=1, boundary="fill"),
    "conv.convolve2d_loop": dict(x=X2, k=K2, padding="full", stride=2, dilation=1, boundary="wrap"),
    "conv.correlate1d": dict(x=[1.0, 2.0, 3.0, 4.0], w=[1, 2], mode="full"),
    "conv.correlate1d_loop": dict(x=[1.0, 2.0, 3.0, 4.0], w=[1, 2], mode="valid"),
    "conv.correlate2d": dict(x=X2, k=K2, padding=1, stride=(1, 2), dilation=1, boundary="fill"),
    "conv.correlate2d_loop": dict(x=X2, k=K2, padding="same", stride=1, dilation=2, boundary="fill",
                                  extra_after=True),
    "conv.flip": dict(k=K2),
    "conv.output_shape": dict(input_hw=(5, 6), k_eff=(3, 3), pads=((1, 1), (0, 0)), stride=1),
    "conv.pad": dict(x=X2, pads=((1, 0), (2, 2)), boundary="wrap"),
    "conv.resolve_padding": dict(padding="same", input_hw=(5, 6), kernel_hw=(3, 2), stride=1, dilation=1,
                                 extra_after=True),
    "toeplitz.circulant_1d": dict(w=[1.0, 2.0], n=4),
    "toeplitz.circular_convolve1d": dict(x=[1.0, 2.0, 3.0], w=[0.0, 1.0]),
    "toeplitz.conv_matrix": dict(k=K2, input_shape=(5, 6), padding="same", stride=1, dilation=1, sparse=True,
                                 boundary="fill"),
    "toeplitz.conv_matrix_bytes": dict(matrix=toeplitz.conv_matrix(K2, (5, 6))),
    "toeplitz.conv_matrix_size": dict(input_shape=(8, 8, 3), kernel_shape=(3, 3, 3, 4), padding="same", stride=1,
                                      dilation=1),
    "toeplitz.conv_transpose": dict(y=np.ones((3, 5)), k=K2, input_shape=(5, 6), padding="valid", stride=1,
                                    dilation=1),
    "toeplitz.fft_convolve2d": dict(x=X2, k=K2),
    "toeplitz.im2col": dict(x=XB, kernel_shape=(2, 2), padding="valid", stride=1, dilation=1),
    "toeplitz.latex_matrix": dict(codes=toeplitz.toeplitz_1d([1, 2], 2), names=["a", "b"]),
    "toeplitz.toeplitz_1d": dict(w=[1.0, 2.0], n=3, mode="full"),
    "arith.conv_output_size": dict(i=5, k=3, p=1, s=2, d=1),
    "arith.conv_params": dict(kh=3, kw=3, c_in=3, c_out=8, bias=True),
    "arith.dense_params": dict(n_in=784, n_out=10, bias=True),
    "arith.effective_kernel": dict(k=3, d=2),
    "arith.formula": dict(operation="convolution", i=5, k=3, p=1, s=2, d=1, output_padding=0),
    "arith.geometry": dict(operation="transposed", i=3, k=3, p=1, s=2, d=1, output_padding=1),
    "arith.mlp_params": dict(layer_sizes=[784, 100, 10], bias=True),
    "arith.pool_output_size": dict(i=28, k=2, s=None, p=0),
    "arith.receptive_field": dict(layers=[(3, 1, 1), (2, 2)]),
    "arith.same_padding": dict(i=6, k=3, s=2, d=1),
    "arith.shape_table": dict(input_shape=(28, 28, 1),
                              layers=[("conv", 8, 5, 1, "same"), ("pool", 2), ("flatten",), ("dense", 10)]),
    "arith.transposed_output_size": dict(i=3, k=3, p=1, s=2, output_padding=1, d=1),
    "arith.unread_inputs": dict(i=6, k=3, p=0, s=2, d=1),
    "arith.weights_per_neuron": dict(input_shape=(32, 32, 3)),
    "pooling.pool2d": dict(x=XB, size=2, stride=None, padding="same", mode="avg"),
    "pooling.pool2d_loop": dict(x=X2, size=2, stride=1, mode="max"),
    "equivariance.broken_by_zero_padding": dict(shape=(5, 6), kernel_size=3, shift=(1, 2)),
    "equivariance.translate": dict(x=X2, shift=(1, 2), boundary="fill"),
    "dense.compose": dict(W2=W4, W1=W4),
    "dense.dense_layer_2d": dict(W=W4, X=np.ones((4, 4)), U=0.5),
    "dense.offset_view": dict(W=W4),
    "dense.receptive_field": dict(W=W4, i=1, j=2),
    "dense.tied_dense_weights": dict(kernel=np.ones((3, 3)), image_shape=(4, 5)),
    "affine.affine": dict(A=[[2.0, 0.0], [0.0, 1.0]], b=[1.0, 1.0], x=[[3.0, 4.0]]),
    "affine.angle_between": dict(u=[1.0, 0.0], v=[0.0, 2.0]),
    "affine.homogeneous_matrix": dict(A=[[2.0]], b=[3.0]),
    "affine.to_homogeneous": dict(x=[3.0, 4.0]),
    "activations.leaky_relu": dict(z=[-2.0, 3.0], alpha=0.1),
    "activations.relu": dict(z=[-1.0, 2.0]),
    "activations.sigmoid": dict(z=[-800.0, 0.0, 3.0]),
    "activations.tanh": dict(z=[0.5]),
    "sliding.equation": dict(step=STEP),
    "sliding.slide": dict(x=X2, k=K2, padding="same", stride=1, dilation=1, operation="convolve"),
    "kernels.gaussian_kernel": dict(size=5, sigma=1.0),
    "check.output_size": dict(answer=3, i=5, k=3, p=1, s=2, d=1),
    "check.params": dict(answer=760, kh=5, kw=5, c_in=3, c_out=10, bias=True),
    "check.receptive_field_size": dict(answer=5, layers=[(3, 2), (3, 1)]),
    "check.same_padding": dict(answer=(0, 1), i=6, k=3, s=2, d=1),
    "check.transposed_output_size": dict(answer=5, i=3, k=3, p=1, s=2, output_padding=0, d=1),
    "backprop.conv2d_input_grad": dict(dy=np.ones((2, 3, 3, 3)), w=WB, input_shape=(2, 5, 5, 2), stride=1,
                                       padding="valid", dilation=1),
    "backprop.conv2d_weight_grad": dict(x=XB, dy=np.ones((2, 3, 3, 3)), kernel_shape=(3, 3, 2, 3), stride=1,
                                        padding="valid", dilation=1),
    "backprop.conv2d_bias_grad": dict(dy=np.ones((2, 3, 3, 3))),
}

# Wrong in type, shape, dtype, sign or size; ragged, empty, or huge.
BAD = [
    None, "bogus", "", True, False, 1.5, -0.5, float("nan"), float("inf"), 1e-300, 1e300, -0.0, -1, 0, 1, 2, 10**30,
    -(10**30), 2**63,
    1j, b"x", {}, {"a": 1}, object(), [], (), [[1, 2], [3]], [1, [2, 3]], (1, 2, 3), (5,), (-1, 2), (0, 0),
    ("a", 1), (2.5, 2), (True, 1), np.int64(3), np.float64(2.0), np.array(2), np.array([]), np.zeros((0, 3)),
    np.ones((2, 2), dtype=complex), np.ones((3, 3), dtype=bool), np.array(["2020-01-01"] * 4, dtype="datetime64[D]"),
    np.array([3, 4], dtype="timedelta64[s]"), np.ones((2, 2), dtype=object), np.array(["a", "b"]), np.ones(3),
    np.ones((3, 3, 3)), np.ones((1, 1, 1, 1)), np.ones((2, 3, 3, 2, 1)), np.full((3, 3), np.nan), [1j, 2],
    [[True, False]], [[1, 2], [3, 4]], range(3), {1, 2},
    # huge requests
    20000, 10**6, 10**9, (10**6, 10**6), (20000, 20000, 3), (3, 3, 3, 10**6), (10**5, 10**5), (2, 10**12),
    [10**9, 10**9], ((10**6, 10**6), (0, 0)), [(10**9, 1)], [("conv", 10**9, 3)],
]

OUTCOMES = ("returned", "clear error", "limit refused", "unclear error", "other exception", "hang", "over memory",
            "warning")
COUNTS: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)


class Hang(BaseException):
    """Raised by the alarm: a BaseException so that no `except Exception` in the code under test swallows it."""


def _alarm(signum, frame):
    raise Hang()


def _names_one_of(message: str, names) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message) for name in names)


def _finite(value) -> bool:
    """False if `value` holds a NaN or an infinity anywhere (numbers, arrays, nested sequences)."""
    if isinstance(value, np.ndarray):
        return value.dtype.kind not in "fc" or bool(np.isfinite(value).all())
    if isinstance(value, (float, complex, np.floating, np.complexfloating)):
        return bool(np.isfinite(value))
    if isinstance(value, (tuple, list)):
        return all(_finite(item) for item in value)
    return True


def _bad_result(value) -> bool:
    """A complex or object array or scalar anywhere in a result is a silent wrong answer."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype.kind in "cOMmUS"
    if isinstance(value, complex):
        return True
    if isinstance(value, (tuple, list)):
        return any(_bad_result(item) for item in value)
    if isinstance(value, dict):
        return any(_bad_result(item) for item in value.values())
    return False


def call(name: str, changes: dict, function=None, seconds: float = SECONDS) -> tuple[str, str]:
    """Call function `name` with its valid arguments updated by `changes`; classify what happened."""
    function = function or public_functions()[name]
    arguments = {**VALID.get(name, {}), **changes}
    tracemalloc.start()  # only around the call: tracing hypothesis' own objects would slow it down
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with warnings.catch_warnings(), validation.limits(memory=MEMORY_LIMIT, loops=LOOP_LIMIT):
            warnings.simplefilter("error")
            if not all(_finite(value) for value in changes.values()):
                # arithmetic on the NaN or inf the caller passed warns and gives NaN: not silent, not a defect
                warnings.filterwarnings("ignore", category=RuntimeWarning)
            warnings.filterwarnings("error", category=np.exceptions.ComplexWarning)
            result = function(**arguments)
        outcome, detail = ("other exception", "complex or object result") if _bad_result(result) else ("returned", "")
    except Hang:
        outcome, detail = "hang", f"over {seconds} s"
    except (ValueError, TypeError) as error:
        message = str(error)
        if not _names_one_of(message, changes):
            outcome, detail = "unclear error", f"{type(error).__name__}: {message}"
        elif isinstance(error, validation.ResourceLimitError):
            outcome, detail = "limit refused", message
        else:
            outcome, detail = "clear error", message
    except Warning as warning:
        outcome, detail = "warning", f"{type(warning).__name__}: {warning}"
    except Exception as error:  # noqa: BLE001 - what the test exists to catch
        outcome, detail = "other exception", f"{type(error).__name__}: {error}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if peak > PEAK_LIMIT and outcome not in ("hang",):
        outcome, detail = "over memory", f"peak {peak / 2**20:.1f} MiB"
    COUNTS[name][outcome] += 1
    return outcome, detail


def describe(changes: dict) -> str:
    def short(value):
        if isinstance(value, np.ndarray):
            return f"array(shape={value.shape}, dtype={value.dtype})"
        text = repr(value)
        return text if len(text) < 80 else text[:77] + "..."

    return ", ".join(f"{name}={short(value)}" for name, value in changes.items())


FAILURES = ("unclear error", "other exception", "hang", "over memory", "warning")


@pytest.fixture(scope="module", autouse=True)
def counts_file():
    yield
    path = os.environ.get("LABSUPPORT_FUZZ_COUNTS")
    if path:
        with open(path, "w") as stream:
            json.dump({"finished": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                       "examples_per_function": EXAMPLES, "counts": COUNTS}, stream, indent=1)


def _sleeps(z):
    import time

    time.sleep(5)


def _allocates(z):
    return np.ones(PEAK_LIMIT // 8 + 2**20).sum()


def _vague(z):
    raise ValueError("something is wrong")


def _complex(z):
    return np.sqrt(np.asarray(z, dtype=complex))


def _raw(z):
    return [][1]


@pytest.mark.parametrize("function, expected", [(_sleeps, "hang"), (_allocates, "over memory"),
                                                (_vague, "unclear error"), (_complex, "other exception"),
                                                (_raw, "other exception")])
def test_the_harness_catches_what_it_exists_to_catch(function, expected):
    outcome, _ = call("harness self-test", {"z": -1.0}, function=function, seconds=0.5)
    COUNTS.pop("harness self-test")
    assert outcome == expected


def test_every_public_function_has_a_recipe():
    missing = sorted(set(public_functions()) - set(VALID))
    assert not missing, f"no valid call in VALID for {missing}: add one so that the fuzz test covers them"
    assert not sorted(set(VALID) - set(public_functions())), "VALID names functions that no longer exist"


@pytest.mark.parametrize("name", sorted(VALID))
def test_the_valid_call_returns(name):
    outcome, detail = call(name, {})
    assert outcome == "returned", f"{name}: the baseline call failed: {detail}"


@pytest.mark.parametrize("name", sorted(VALID))
def test_every_bad_value_in_every_argument(name):
    """The systematic sweep: each value of BAD in each argument in turn."""
    failures = []
    for argument in inspect.signature(public_functions()[name]).parameters:
        for value in BAD:
            outcome, detail = call(name, {argument: value})
            if outcome in FAILURES:
                failures.append(f"{name}({describe({argument: value})}): {outcome}: {detail}")
    assert not failures, "\n".join(failures[:20]) + f"\n({len(failures)} failures)"


def _arrays():
    dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.uint8, np.complex128, np.bool_])
    return hnp.arrays(dtypes, hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=6))


def _values():
    small = st.integers(-3, 8)
    return st.one_of(
        st.sampled_from(BAD),
        small,
        st.integers(-(10**31), 10**31),
        st.floats(allow_nan=True, allow_infinity=True),
        st.tuples(small, small),
        st.tuples(small, small, small, small),
        st.tuples(st.tuples(small, small), st.tuples(small, small)),
        st.lists(st.lists(st.integers(-5, 5), max_size=4), max_size=4),  # often ragged
        st.lists(st.tuples(small, small), max_size=3),
        _arrays(),
    )


@pytest.mark.parametrize("name", sorted(VALID))
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_changes_to_one_or_two_arguments(name, data):
    parameters = list(inspect.signature(public_functions()[name]).parameters)
    chosen = data.draw(st.lists(st.sampled_from(parameters), min_size=1, max_size=min(2, len(parameters)),
                                unique=True), label="arguments")
    changes = {argument: data.draw(_values(), label=argument) for argument in chosen}
    outcome, detail = call(name, changes)
    assert outcome not in FAILURES, f"{name}({describe(changes)}): {outcome}: {detail}"
