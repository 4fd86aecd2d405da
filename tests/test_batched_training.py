"""labsupport.batched_training: many digits cells in one computation, each computing
exactly what it would alone, what Keras computes for it, and a diverging cell frozen
without touching its neighbours."""

import numpy as np
import pytest

import labsupport

from labsupport.batched_training import evaluate_cell, train_digits_cells
from labsupport.experiments import _evaluate_digits, digits_validation_split, fit_digits

# Two cells well inside the stable range and one that diverges. (A cell near the edge of
# stability, at a learning rate of 1, is chaotic: float32 rounding in another order
# grows to differences of order 1 within 24 steps, so it is compared with itself only.)
CELLS = [{"learning_rate": 0.1, "l2": 1e-4}, {"learning_rate": 100.0, "l2": 1.0},
         {"learning_rate": 0.01, "l2": 1e-3}]
SEEDS = [11, 12, 13]
EPOCHS, BATCH = 2, 100


@pytest.fixture(scope="module")
def data():
    labsupport.seed_everything(0)  # deterministic ops, as the grid trains
    return digits_validation_split(inputs="standardized")


@pytest.fixture(scope="module")
def together(data):
    x_fit, _, y_fit, _ = data
    return train_digits_cells(x_fit, y_fit, CELLS, SEEDS, EPOCHS, BATCH)


def test_a_cell_trained_with_others_computes_exactly_what_it_computes_alone(data, together):
    x_fit, _, y_fit, _ = data
    # the same two cells again in a batch of seven, at other slots: TensorFlow vectorises
    # some sums across neighbouring slots, so a cell's slot must not change its result
    crowd = [CELLS[1], CELLS[0], CELLS[1], CELLS[1], CELLS[1], CELLS[2], CELLS[1]]
    crowd_seeds = [21, SEEDS[0], 22, 23, 24, SEEDS[2], 25]
    in_crowd = train_digits_cells(x_fit, y_fit, crowd, crowd_seeds, EPOCHS, BATCH)
    for index, slot in ((0, 1), (2, 5)):
        alone = train_digits_cells(x_fit, y_fit, [CELLS[index]], [SEEDS[index]], EPOCHS,
                                   BATCH)[0]
        for other in (together[index], in_crowd[slot]):
            for mine, theirs in zip(alone.weights, other.weights):
                np.testing.assert_array_equal(mine, theirs)
            assert alone.worst_step_loss == other.worst_step_loss
            assert alone.initial_loss == other.initial_loss


def test_a_diverging_cell_is_recorded_and_frozen_without_touching_its_neighbours(together):
    # eta * l2 = 100 >= 1: the penalty alone makes every SGD step grow the weights
    diverged = together[1]
    assert diverged.diverged and diverged.worst_step_loss > 10 * diverged.initial_loss
    assert all(np.isfinite(part).all() for part in diverged.weights)  # frozen in time
    assert not together[0].diverged and not together[2].diverged


def test_each_cell_follows_keras_own_training_of_it(data, together):
    x_fit, x_val, y_fit, y_val = data
    settings = {"epochs": EPOCHS, "batch_size": BATCH}
    for index in (0, 2):
        labsupport.seed_everything(SEEDS[index])  # as grid.run_cell does before a cell
        model, guard, initial_loss = fit_digits(x_fit, y_fit, CELLS[index], settings,
                                                SEEDS[index])
        assert not guard.diverged
        assert np.isclose(together[index].initial_loss, initial_loss, rtol=1e-5)
        # float32 arithmetic in another order: rounding differences, not drift (measured
        # below 1e-7 after 24 steps; a different order of images would differ by 1e-2)
        for mine, keras_weights in zip(together[index].weights, model.get_weights()):
            np.testing.assert_allclose(mine, keras_weights, atol=1e-5)
        ours = evaluate_cell(together[index], x_val, y_val)
        theirs = _evaluate_digits(model, x_val, y_val, "val")
        assert np.isclose(ours["accuracy"], theirs["val_accuracy"])
        assert np.isclose(ours["data_loss"], theirs["val_data_loss"], rtol=1e-4)


@pytest.mark.parametrize("kwargs, message", [
    ({"cells": CELLS, "seeds": [1]}, "one seed per cell"),
    ({"cells": [{"learning_rate": 0.0, "l2": 0.0}], "seeds": [1]}, "positive learning rates"),
    ({"cells": CELLS[:1], "seeds": [1], "epochs": 0}, "epochs"),
])
def test_bad_input_is_refused_by_name(data, kwargs, message):
    x_fit, _, y_fit, _ = data
    arguments = {"epochs": 1, "batch_size": 100, **kwargs}
    with pytest.raises(ValueError, match=message):
        train_digits_cells(x_fit, y_fit, **arguments)


def test_the_grid_trains_its_cells_together_and_each_reports_what_it_reports_alone(tmp_path):
    from labsupport import experiments
    from labsupport.grid import cell_seed, run_cell, run_grid

    grid = {"learning_rate": [0.1, 100.0], "l2": [1e-4, 1.0]}
    settings = {"epochs": 2, "batch_size": 100, "train_fraction": 0.8,
                "validation_fraction": 0.2, "split_seed": 0, "inputs": "standardized"}
    results = run_grid(experiments.train_digits, grid, tmp_path / "grid.json",
                       settings=settings, version=experiments.DIGITS_VERSION)
    assert results.runs[-1]["executor"] == "in-process, all cells in one computation"
    records = results.records()
    status = {(r["params"]["learning_rate"], r["params"]["l2"]): r["status"] for r in records}
    assert status[0.1, 1e-4] == "ok" and status[100.0, 1.0] == "diverged"  # eta*l2 = 100
    for record in records:
        alone = run_cell(experiments.train_digits, record["params"],
                         cell_seed(0, record["params"]), settings)
        assert alone["status"] == record["status"]
        assert alone["metrics"] == record["metrics"], record["params"]
