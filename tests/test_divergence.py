"""The divergence guard sees every training step's own loss, however many steps run per execution."""

import numpy as np
import pytest

from labsupport import experiments, models
from labsupport.grid import cell_seed, run_cell
from labsupport.reproducibility import import_tensorflow, seed_everything


def digits_batches(steps, inputs="standardized"):
    tf = import_tensorflow()
    import keras

    x, _, y, _ = experiments.digits_validation_split(inputs=inputs)
    one_hot = keras.utils.to_categorical(y, 10)
    return tf.data.Dataset.from_tensor_slices((x, one_hot)).batch(100).repeat().take(steps)


def test_the_guard_sees_the_largest_single_step_loss_with_many_steps_per_execution():
    # reference: the same network trained one step at a time, each step's own loss
    seed_everything(0)
    reference = models.digits_cnn(0.1, 1e-3, seed=0, steps_per_execution=1)
    step_losses = []
    for x, y in digits_batches(40):
        step_losses.append(float(np.ravel(reference.train_on_batch(x, y))[0]))
    seed_everything(0)
    model = models.digits_cnn(0.1, 1e-3, seed=0, steps_per_execution=25)
    guard = experiments.divergence_guard(limit=1e6)  # never fires: we only read what it saw
    history = model.fit(digits_batches(40), epochs=1, verbose=0, callbacks=[guard], shuffle=False)
    assert not guard.diverged
    np.testing.assert_allclose(guard.worst, max(step_losses), rtol=1e-4)
    # Keras' logged loss is the running mean: it would have hidden the first steps' peak
    assert history.history["loss"][-1] < 0.9 * max(step_losses)


def test_the_raw_pixel_cell_at_learning_rate_1_is_recorded_as_diverged():
    # one step's loss is about 500 (the limit is ten times the initial 6); the running
    # mean over an execution of 150 steps stays far below it, and the network ends
    # dead at chance accuracy: the old guard stored this cell as "ok" at 9.7%
    params = {"learning_rate": 1.0, "l2": 1e-5}
    settings = {"epochs": 20, "batch_size": 100, "train_fraction": 0.8,
                "validation_fraction": 0.2, "split_seed": 0, "inputs": "raw"}
    assert models.digits_cnn(1.0, 1e-5).steps_per_execution == 150
    record = run_cell(experiments.train_digits, params, cell_seed(0, params), settings)
    assert record["status"] == "diverged"
    assert record["metrics"]["val_accuracy"] is None
    assert record["metrics"]["worst_step_loss"] > 10 * record["metrics"]["initial_loss"]


def test_a_non_finite_step_counts_as_divergence():
    seed_everything(0)
    model = models.digits_cnn(1e3, 0.0, seed=0, steps_per_execution=50)
    guard = experiments.divergence_guard(limit=1e30)
    model.fit(digits_batches(50), epochs=1, verbose=0, callbacks=[guard], shuffle=False)
    assert guard.diverged and guard.worst == np.inf


@pytest.mark.parametrize("limit", [0, -1.0, float("nan"), float("inf"), "10"])
def test_a_bad_limit_is_refused(limit):
    with pytest.raises(ValueError, match="limit="):
        experiments.divergence_guard(limit)


def test_digits_cells_report_the_data_loss_and_the_penalty_apart():
    params = {"learning_rate": 0.1, "l2": 1e-2}
    settings = {"epochs": 2, "batch_size": 100, "train_fraction": 0.8,
                "validation_fraction": 0.2, "split_seed": 0, "inputs": "standardized"}
    record = run_cell(experiments.train_digits, params, cell_seed(0, params), settings)
    metrics = record["metrics"]
    assert "val_loss" not in metrics and metrics["penalty"] > 0
    # the reference: the same cell's network, cross-entropy computed by hand
    import keras

    seed_everything(record["seed"])
    x_fit, x_val, y_fit, y_val = experiments.digits_validation_split(inputs="standardized")
    model, guard, _ = experiments.fit_digits(x_fit, y_fit, params, settings, record["seed"])
    probabilities = keras.ops.convert_to_numpy(model(x_val, training=False))
    cross_entropy = -np.log(probabilities[np.arange(len(y_val)), y_val]).mean()
    np.testing.assert_allclose(metrics["val_data_loss"], cross_entropy, rtol=1e-4)
