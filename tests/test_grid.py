"""labsupport.grid: resume, determinism across executors, refusal of foreign files, divergence."""

import json

import numpy as np
import pytest

from labsupport.__main__ import main as cli
from labsupport.experiments import digits_experiment
from labsupport.grid import (
    GridFileError,
    GridResults,
    RetestError,
    cell_seed,
    cells,
    final_test,
    run_grid,
)
from labsupport.profiles import get_profile

CALLS = []
INTERRUPT_AFTER = [None]


def fake_train(params, settings, seed):
    """Cheap, deterministic in (params, seed); can be told to 'crash' after some cells."""
    if INTERRUPT_AFTER[0] is not None and len(CALLS) >= INTERRUPT_AFTER[0]:
        raise KeyboardInterrupt("simulated Ctrl-C")
    CALLS.append(dict(params))
    value = float(np.random.default_rng(seed).random())
    return {"val_accuracy": value * params["a"] + params["b"], "status": "diverged" if params["a"] > 5 else "ok"}


FAKE_GRID = {"a": [1, 2, 9], "b": [0.0, 0.5]}


@pytest.fixture(autouse=True)
def reset_fake():
    CALLS.clear()
    INTERRUPT_AFTER[0] = None


def test_cells_and_seeds_do_not_depend_on_order():
    forward = {json.dumps(c, sort_keys=True): cell_seed(3, c) for c in cells({"x": [1, 2], "y": [3, 4]})}
    backward = {json.dumps(c, sort_keys=True): cell_seed(3, c) for c in cells({"y": [4, 3], "x": [2, 1]})}
    assert forward == backward and len(set(forward.values())) == 4


def test_interrupted_run_resumes_and_matches_an_uninterrupted_one(tmp_path):
    INTERRUPT_AFTER[0] = 2
    with pytest.raises(KeyboardInterrupt):
        run_grid(fake_train, FAKE_GRID, tmp_path / "resumed.json", settings={"k": 1})
    saved = GridResults.load(tmp_path / "resumed.json")
    assert len(saved.cells) == 2 and saved.runs[0]["cells_trained"] == 2  # written as they finished

    INTERRUPT_AFTER[0] = None
    CALLS.clear()
    resumed = run_grid(fake_train, FAKE_GRID, tmp_path / "resumed.json", settings={"k": 1})
    assert len(CALLS) == 4  # only the cells not done
    assert [run["cells_to_train"] for run in resumed.runs] == [6, 4]

    straight = run_grid(fake_train, FAKE_GRID, tmp_path / "straight.json", settings={"k": 1})
    strip = lambda results: [(r["params"], r["seed"], r["status"], r["metrics"]) for r in results.records()]
    assert strip(resumed) == strip(straight)
    CALLS.clear()
    run_grid(fake_train, FAKE_GRID, tmp_path / "straight.json", settings={"k": 1})
    assert CALLS == []  # nothing left to do
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary files left behind


def test_a_file_of_another_configuration_is_refused_and_left_alone(tmp_path):
    out = tmp_path / "results.json"
    run_grid(fake_train, FAKE_GRID, out, settings={"k": 1})
    before = out.read_bytes()
    with pytest.raises(GridFileError, match="another configuration.*settings"):
        run_grid(fake_train, FAKE_GRID, out, settings={"k": 2})
    with pytest.raises(GridFileError, match="grid"):
        run_grid(fake_train, {"a": [1], "b": [0.0]}, out, settings={"k": 1})
    assert out.read_bytes() == before


@pytest.mark.parametrize("content, fragment", [
    ("{not json", "not a readable results file"),
    ('{"cells": []}', "not a labsupport.grid results file"),
    ("[1, 2, 3]", "not a labsupport.grid results file"),
])
def test_corrupt_or_foreign_files_are_refused(tmp_path, content, fragment):
    out = tmp_path / "results.json"
    out.write_text(content)
    with pytest.raises(GridFileError, match=fragment):
        run_grid(fake_train, FAKE_GRID, out)
    assert out.read_text() == content


def test_results_record_provenance_and_status(tmp_path):
    results = run_grid(fake_train, FAKE_GRID, tmp_path / "r.json", seed=5, command="test", profile="ci")
    run = results.runs[0]
    assert run["command"] == "test" and run["profile"] == "ci" and run["executor"] == "in-process"
    assert {"python", "numpy", "tensorflow", "keras"} <= set(run["versions"]) and run["machine"]["cpus"]
    assert run["wall_seconds"] >= 0 and run["finished"] >= run["started"]
    for record in results.records():
        assert record["seed"] == cell_seed(5, record["params"]) and record["seconds"] >= 0 and record["finished"]
        assert record["status"] == ("diverged" if record["params"]["a"] > 5 else "ok")
    table = results.table("val_accuracy", "a", "b")
    assert table.shape == (3, 2) and np.isfinite(table).all()
    assert results.best("val_accuracy")["params"]["a"] <= 2  # diverged cells never win


def digits_ci():
    return digits_experiment(get_profile("ci"))


def strip(results):
    return {json.dumps(r["params"], sort_keys=True): (r["seed"], r["status"], r["metrics"]) for r in results.records()}


@pytest.fixture(scope="module")
def sequential_digits(tmp_path_factory):
    experiment = digits_ci()
    return run_grid(experiment.train, experiment.grid, tmp_path_factory.mktemp("seq") / "digits.json",
                    settings=experiment.settings)


def test_a_diverging_digits_cell_is_recorded_as_diverged(sequential_digits):
    statuses = {r["params"]["learning_rate"]: r["status"] for r in sequential_digits.records()}
    assert statuses[10.0] == "diverged" and statuses[0.01] == "ok"
    diverged = [r for r in sequential_digits.records() if r["status"] == "diverged"]
    assert all(r["metrics"]["val_accuracy"] is None for r in diverged)  # not a silent 0.1


def test_worker_processes_give_identical_metrics(sequential_digits, tmp_path):
    experiment = digits_ci()
    pooled = run_grid(experiment.train, experiment.grid, tmp_path / "pool.json", settings=experiment.settings,
                      workers=2)
    assert pooled.runs[0]["executor"] == "ProcessPoolExecutor"
    assert strip(pooled) == strip(sequential_digits)
    assert len({r["worker"] for r in pooled.records()}) >= 1


def test_a_dask_local_cluster_gives_identical_metrics(sequential_digits, tmp_path):
    distributed = pytest.importorskip("distributed")
    experiment = digits_ci()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        results = run_grid(experiment.train, experiment.grid, tmp_path / "dask.json", settings=experiment.settings,
                           executor=client.get_executor())
    assert strip(results) == strip(sequential_digits)


def test_command_line_runs_resumes_and_refuses(tmp_path, capsys):
    out = tmp_path / "cli.json"
    assert cli(["grid", "digits", "--profile", "ci", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "4 of 4 cells done" in printed and "selected on val_accuracy" in printed
    tested = json.loads(out.read_text())["test"]
    assert cli(["grid", "digits", "--profile", "ci", "--out", str(out), "--no-progress"]) == 0
    document = json.loads(out.read_text())
    assert [run["cells_to_train"] for run in document["runs"]] == [4, 0]
    assert document["test"] == tested  # tested once, not again on the second run
    chosen = max((r for r in document["cells"] if r["status"] == "ok"), key=lambda r: r["metrics"]["val_accuracy"])
    assert tested["params"] == chosen["params"] and tested["seed"] == chosen["seed"]
    assert tested["metrics"]["train_images"] == 1_437 and tested["metrics"]["test_images"] == 360
    assert all(not name.startswith("test") for r in document["cells"] for name in r["metrics"])
    assert document["runs"][0]["command"].startswith("python -m labsupport grid digits --profile ci")
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"hello": "world"}')
    assert cli(["grid", "digits", "--profile", "ci", "--out", str(foreign), "--no-progress"]) == 2
    assert "not a labsupport.grid results file" in capsys.readouterr().err


def test_bad_grids_and_worker_counts_are_refused(tmp_path):
    with pytest.raises(ValueError, match="non-empty value lists"):
        run_grid(fake_train, {"a": []}, tmp_path / "x.json")
    with pytest.raises(ValueError, match="workers=0"):
        run_grid(fake_train, FAKE_GRID, tmp_path / "y.json", workers=0)


def test_digits_inputs_are_checked_and_standardized_with_training_statistics():
    from labsupport.experiments import digits_split

    with pytest.raises(ValueError, match="inputs='scaled'"):
        digits_split(inputs="scaled")
    raw_train, raw_test, _, _ = digits_split(inputs="raw")
    z_train, z_test, _, _ = digits_split(inputs="standardized")
    mean, std = raw_train.mean(axis=0), raw_train.std(axis=0)
    varying = std > 0
    np.testing.assert_allclose(z_test[:, varying], ((raw_test - mean) / np.where(varying, std, 1))[:, varying], rtol=1e-5, atol=1e-5)
    assert np.array_equal(z_train[:, ~varying], raw_train[:, ~varying] - mean[~varying])  # blank pixels are only centred


def test_a_file_of_another_train_function_version_is_refused(tmp_path):
    out = tmp_path / "results.json"
    run_grid(fake_train, FAKE_GRID, out, version=1)
    assert GridResults.load(out).configuration["version"] == 1
    with pytest.raises(GridFileError, match="differs in: version"):
        run_grid(fake_train, FAKE_GRID, out, version=2)


def test_best_needs_an_explicit_metric_and_refuses_test_metrics(tmp_path):
    results = run_grid(fake_train, FAKE_GRID, tmp_path / "r.json")
    with pytest.raises(TypeError):
        results.best()  # no default selection metric
    for metric in ("test_accuracy", "test_loss"):
        with pytest.raises(ValueError, match=f"metric='{metric}': selecting on the test set"):
            results.best(metric)


EVALUATIONS = []


def fake_evaluate(params, settings, seed):
    EVALUATIONS.append((dict(params), seed))
    return {"test_accuracy": params["a"] + 100 * params["b"]}


def test_final_test_evaluates_the_validation_choice_once_and_stores_it(tmp_path):
    EVALUATIONS.clear()
    out = tmp_path / "r.json"
    partial = GridResults(out, {"grid": FAKE_GRID})
    with pytest.raises(ValueError, match="0 of 6 cells done"):
        final_test(partial, fake_evaluate, "val_accuracy")
    results = run_grid(fake_train, FAKE_GRID, out, settings={"k": 1}, seed=3)
    chosen = max((r for r in results.records() if r["status"] == "ok"), key=lambda r: r["metrics"]["val_accuracy"])
    record = final_test(results, fake_evaluate, "val_accuracy")
    assert EVALUATIONS == [(chosen["params"], chosen["seed"])]  # one evaluation, with the cell's own seed
    assert record["selected_on"] == "val_accuracy" and record["selected_value"] == chosen["metrics"]["val_accuracy"]
    assert record["metrics"] == fake_evaluate(chosen["params"], {}, 0)
    reloaded = GridResults.load(out)
    assert reloaded.test == record
    EVALUATIONS.clear()
    assert final_test(reloaded, fake_evaluate, "val_accuracy") == record and EVALUATIONS == []  # not again
    with pytest.raises(ValueError, match="selecting on the test set"):
        final_test(reloaded, fake_evaluate, "test_accuracy")


def fake_losses(params, settings, seed):
    loss = float(np.random.default_rng(seed).random()) + params["a"]
    return {"val_loss": loss, "val_accuracy": 1 - loss / 10}


def test_best_minimises_a_loss_and_maximises_an_accuracy(tmp_path):
    results = run_grid(fake_losses, FAKE_GRID, tmp_path / "r.json")
    losses = {json.dumps(r["params"]): r["metrics"]["val_loss"] for r in results.records()}
    smallest = min(losses, key=losses.get)
    assert json.dumps(results.best("val_loss")["params"]) == smallest
    assert json.dumps(results.best("val_accuracy")["params"]) == smallest  # the same cell
    assert results.best("val_loss")["metrics"]["val_loss"] == min(losses.values())
    with pytest.raises(ValueError, match="metric='score': its direction is unknown"):
        results.best("score")
    with pytest.raises(ValueError, match="no finished cell reports it; they report"):
        results.best("val_data_loss")
    for metric in ("Test_accuracy", "TEST_loss"):
        with pytest.raises(ValueError, match="selecting on the test set"):
            results.best(metric)


def test_a_second_test_is_refused_and_the_file_left_unchanged(tmp_path):
    out = tmp_path / "r.json"
    results = run_grid(fake_losses, FAKE_GRID, out)
    record = final_test(results, fake_evaluate, "val_accuracy")
    assert record["selected_direction"] == "max"
    before = out.read_bytes()
    EVALUATIONS.clear()
    for metric, evaluate in (("val_loss", fake_evaluate), ("val_accuracy", fake_evaluate_again)):
        with pytest.raises(RetestError, match="already holds its one test"):
            final_test(GridResults.load(out), evaluate, metric)
    assert out.read_bytes() == before and EVALUATIONS == []
    assert final_test(GridResults.load(out), fake_evaluate, "val_accuracy") == record


def fake_evaluate_again(params, settings, seed):
    EVALUATIONS.append((dict(params), seed))
    return {"test_accuracy": 0.5}


def test_no_per_cell_test_figures_of_a_validation_file(tmp_path):
    results = run_grid(fake_losses, FAKE_GRID, tmp_path / "r.json")
    final_test(results, fake_evaluate, "val_accuracy")
    assert not results.selects_on_test and "validation" in results.method
    for metric in ("test_accuracy", "Test_loss"):
        with pytest.raises(ValueError, match="no per-cell test figures"):
            results.table(metric, "a", "b")


def test_the_notes_test_selected_file_is_shown_labelled_and_cannot_be_tested_again():
    from pathlib import Path

    v1 = GridResults.load(Path(__file__).parents[1] / "data" / "results" / "digits-full-v1.json")
    assert v1.selects_on_test and "counter-example" in v1.method
    table = v1.table("test_accuracy", "learning_rate", "l2")
    assert table.shape == (7, 7) and np.nanmax(table) > 0.9
    with pytest.raises(ValueError, match="measured on the test set"):
        final_test(v1, fake_evaluate, "val_accuracy")


def test_digits_validation_split_is_stratified_and_inside_the_training_data():
    from labsupport.experiments import digits_split, digits_validation_split

    x_train, _, y_train, _ = digits_split(inputs="raw")
    x_fit, x_val, y_fit, y_val = digits_validation_split(inputs="raw")
    assert (len(x_fit), len(x_val)) == (1_149, 288)
    rows = lambda x: sorted(row.tobytes() for row in x.reshape(len(x), -1))
    assert rows(np.concatenate([x_fit, x_val])) == rows(x_train)  # a partition of the training data
    assert np.abs(np.bincount(y_val, minlength=10) / len(y_val) - np.bincount(y_train) / len(y_train)).max() < 0.01
    z_fit, z_val, _, _ = digits_validation_split(inputs="standardized")
    mean, std = x_fit.mean(axis=0), x_fit.std(axis=0)
    varying = std > 0
    np.testing.assert_allclose(z_val[:, varying], ((x_val - mean) / np.where(varying, std, 1))[:, varying],
                               rtol=1e-5, atol=1e-5)  # the fitting part's statistics, not the validation part's
    with pytest.raises(ValueError, match="validation_fraction=1.5"):
        digits_validation_split(validation_fraction=1.5)


def test_mnist_is_fitted_on_its_fitting_part_and_watched_on_validation_never_test():
    from labsupport.experiments import fit_mnist, mnist_data

    settings = {"epochs": 1, "batch_size": 128, "learning_rate": 1e-3, "train_limit": 300, "validation_fraction": 0.1,
                "split_seed": 0, "allow_stand_in": True}
    data = mnist_data(True, 300, 0.1, 0)
    assert len(data.x_fit) == 300 and len(data.x_val) == round(0.1 * len(data.mnist.x_train))
    rows = lambda x: {row.tobytes() for row in np.asarray(x).reshape(len(x), -1)}
    assert rows((data.x_val[..., 0] * 255).round().astype(np.uint8)) <= rows(data.mnist.x_train)
    model, history, _, _ = fit_mnist({"dropout": 0.5}, settings, seed=1)
    val_loss, val_accuracy = model.evaluate(data.x_val, data.y_val, verbose=0)
    test_loss, _ = model.evaluate(data.x_test, data.y_test, verbose=0)
    assert np.isclose(history.history["val_loss"][-1], val_loss, rtol=1e-5)
    assert not np.isclose(history.history["val_loss"][-1], test_loss, rtol=1e-5)


def test_heatmaps_frame_the_cell_the_selection_metric_picks(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.patches import Rectangle

    from labsupport import plots

    results = run_grid(fake_train, FAKE_GRID, tmp_path / "r.json")
    results.cells = {key: {**record, "metrics": {"train_accuracy": 0.5, "val_accuracy": 0.5}} for key, record in results.cells.items()}
    best_val = results.cells[json.dumps({"a": 2, "b": 0.0}, sort_keys=True)]
    best_val["metrics"] = {"train_accuracy": 0.1, "val_accuracy": 0.9}
    fig = plots.grid_heatmaps(results, "a", "b", ("train_accuracy", "val_accuracy"), select="val_accuracy")
    for ax in fig.axes[:2]:
        framed = [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_fill()]
        assert [(p.get_x() + 0.5, p.get_y() + 0.5) for p in framed] == [(0.0, 1.0)]  # column b=0.0, row a=2
    with pytest.raises(TypeError):
        plots.grid_heatmaps(results, "a", "b", ("train_accuracy", "val_accuracy"))  # no default selection
