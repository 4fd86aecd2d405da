"""The NumPy optimisers against Keras' SGD and Adam, fed the same gradients."""

import numpy as np
import pytest

from labsupport import optimizers, schedules
from labsupport.reproducibility import import_tensorflow

import_tensorflow()
import keras  # noqa: E402

STEPS = 150
# float32 carries about 7 significant digits; both sides round every operation to it,
# and the two may differ by an ulp per operation, so after a few hundred operations
# they agree to a few hundred ulps (1.2e-7 each) relative to the parameters' size
RTOL, ATOL = 3e-5, 3e-6

SGD_OPTIONS = {
    "plain": dict(learning_rate=0.05),
    "momentum": dict(learning_rate=0.05, momentum=0.9),
    "nesterov": dict(learning_rate=0.05, momentum=0.9, nesterov=True),
}
ADAM_OPTIONS = {
    "defaults": dict(learning_rate=0.001),
    "large step": dict(learning_rate=0.05, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
}


def keras_run(optimizer, start, gradient, steps=STEPS):
    """Keras' optimiser applied `steps` times to a variable, with `gradient(value)`."""
    variable = keras.Variable(start.astype("float32"))
    path = [np.asarray(variable.numpy())]
    for _ in range(steps):
        g = gradient(np.asarray(variable.numpy())).astype("float32")
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), variable)])
        path.append(np.asarray(variable.numpy()))
    return np.array(path)


def fixed_gradients(seed, shape, steps=STEPS):
    """A gradient sequence that does not depend on the parameters (noise, as minibatches give)."""
    table = np.random.default_rng(seed).normal(size=(steps, *shape)).astype("float32")
    counter = iter(range(steps))
    return lambda params: table[next(counter)]


def quadratic_gradient(seed, n):
    """The gradient of 0.5 (w - c)^T A (w - c) with A positive definite (eigenvalues 0.1 to 2)."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    a = ((q * np.linspace(0.1, 2.0, n)) @ q.T).astype("float32")
    c = rng.normal(size=n).astype("float32")
    return lambda params: a @ (params - c)


@pytest.mark.parametrize("kind", ["fixed", "quadratic"])
@pytest.mark.parametrize("variant", sorted(SGD_OPTIONS))
def test_sgd_matches_keras(variant, kind):
    options = SGD_OPTIONS[variant]
    start = np.random.default_rng(1).normal(size=6).astype("float32")
    make = (lambda: fixed_gradients(2, (6,))) if kind == "fixed" else (
        lambda: quadratic_gradient(3, 6))
    theirs = keras_run(keras.optimizers.SGD(**options), start, make())
    ours = optimizers.trajectory("sgd", make(), start, STEPS, **options)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)
    # the variants differ from one another by far more than that tolerance
    plain = optimizers.trajectory("sgd", make(), start, STEPS, learning_rate=0.05)
    if variant != "plain":
        assert np.abs(plain[-1] - ours[-1]).max() > 100 * ATOL


@pytest.mark.parametrize("kind", ["fixed", "quadratic"])
@pytest.mark.parametrize("variant", sorted(ADAM_OPTIONS))
def test_adam_matches_keras(variant, kind):
    options = ADAM_OPTIONS[variant]
    start = np.random.default_rng(4).normal(size=(2, 3)).astype("float32")
    make = (lambda: fixed_gradients(5, (2, 3))) if kind == "fixed" else (
        lambda: (lambda g: lambda w: g(w.ravel()).reshape(2, 3))(quadratic_gradient(6, 6)))
    theirs = keras_run(keras.optimizers.Adam(**options), start, make())
    ours = optimizers.trajectory("adam", make(), start, STEPS, **options)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)
    # without the bias correction the first steps would be far smaller: the check sees it
    assert np.abs(ours[1] - start).max() > 0.5 * options["learning_rate"]


def test_schedules_drive_the_optimisers_as_in_keras():
    """A schedule is evaluated at the step count before each update, as Keras does."""
    start = np.random.default_rng(7).normal(size=4).astype("float32")
    peak, total = 0.05, 120
    keras_schedule = keras.optimizers.schedules.CosineDecay(
        peak / 10, total - 12, warmup_target=peak, warmup_steps=12)
    ours_schedule = lambda step: schedules.warmup_cosine(step, peak, total)
    for name, keras_optimizer in (
            ("sgd", keras.optimizers.SGD(keras_schedule, momentum=0.9)),
            ("adam", keras.optimizers.Adam(keras_schedule))):
        options = dict(momentum=0.9) if name == "sgd" else {}
        theirs = keras_run(keras_optimizer, start, fixed_gradients(8, (4,)), total)
        ours = optimizers.trajectory(name, fixed_gradients(8, (4,)), start, total,
                                     learning_rate=ours_schedule, **options)
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_the_state_is_explicit_and_arguments_are_not_changed():
    params, grad = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    state = optimizers.adam_state(params)
    new_params, new_state = optimizers.adam_step(params, grad, state, 0.1)
    assert params.tolist() == [1.0, -2.0] and state.step == 0 and not state.m.any()
    assert new_state.step == 1 and np.allclose(new_state.m, 0.1 * grad)
    again, _ = optimizers.adam_step(params, grad, state, 0.1)
    assert np.array_equal(again, new_params)  # the same state gives the same step


@pytest.mark.parametrize("call, match", [
    (lambda: optimizers.sgd_step([1.0], [1.0, 2.0], optimizers.sgd_state([1.0])),
     "grad has shape"),
    (lambda: optimizers.sgd_step([1.0], [1.0], optimizers.sgd_state([1.0]), momentum=1.0),
     "momentum=1.0"),
    (lambda: optimizers.sgd_step([1.0], [1.0], optimizers.sgd_state([1.0]), -0.1),
     "learning_rate=-0.1"),
    (lambda: optimizers.adam_step([1.0], [1.0], optimizers.adam_state([1.0]), beta_2=1.0),
     "beta_2=1.0"),
    (lambda: optimizers.adam_step([1.0], ["a"], optimizers.adam_state([1.0])), "grad"),
    (lambda: optimizers.trajectory("rmsprop", lambda w: w, [1.0], 3), "name='rmsprop'"),
    (lambda: optimizers.trajectory("sgd", lambda w: w, [1.0], 0), "steps=0"),
])
def test_bad_arguments_are_refused_by_name(call, match):
    with pytest.raises(ValueError, match=match):
        call()
