"""The experiments the command line and the chapters run through :mod:`labsupport.grid`.

Train functions live at module level so that worker processes and Dask workers
can import them by name. Each takes ``(params, settings, seed)`` and returns its
metrics; a run whose loss blows up is stopped and reported as diverged.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .profiles import Profile


@dataclass(frozen=True)
class Experiment:
    """A grid, the settings shared by its cells, and how to train and test one cell.

    Attributes
    ----------
    name : str
    grid : dict of name -> list of values
    settings : dict
        Everything else `train` and `final_test` need; part of the configuration.
    train : callable ``train(params, settings, seed) -> dict``
        Fits on the training part and reports train and validation metrics, never
        test metrics: the grid selects on what it reports.
    final_test : callable ``final_test(params, settings, seed) -> dict``
        Fits the selected cell on all the training data (training part plus
        validation part) and reports its test metrics: run once, for one cell.
    version : int
        The version of `train` and `final_test`; part of the configuration, so a
        results file made by older code is refused rather than mixed.
    selection_metric : str
        The validation metric that selects the best cell; its direction
        (:attr:`selection_direction`) follows from its name.
    """

    name: str
    grid: dict
    settings: dict
    train: object
    final_test: object
    version: int
    selection_metric: str = "val_accuracy"

    def __post_init__(self):
        from .grid import direction

        direction(self.selection_metric)  # refuses a metric of unknown direction

    @property
    def selection_direction(self) -> str:
        """``"max"`` or ``"min"``: whether the selection metric is maximised or minimised."""
        from .grid import direction

        return direction(self.selection_metric)

    def run(self, out, **options):
        """:func:`labsupport.grid.run_grid` on this experiment; `options` go to it."""
        from .grid import run_grid

        return run_grid(self.train, self.grid, out, settings=self.settings, experiment=self.name,
                        version=self.version, **options)

    def test_selected(self, results):
        """:func:`labsupport.grid.final_test` of the cell `selection_metric` selects."""
        from .grid import final_test

        return final_test(results, self.final_test, self.selection_metric)


def divergence_guard(limit: float):
    """A Keras callback that stops training once a training step's loss is non-finite or above `limit`.

    It sees the loss of every step on its own, not Keras 3's logged ``loss``
    (the running mean since the epoch began, reported once per
    ``steps_per_execution`` steps, which smooths a blow-up away). When the
    callback is attached to a model, it wraps the model's ``compute_loss`` so
    that every training step also records its loss (penalties included) in a
    variable holding the largest step loss so far, a non-finite loss counting
    as infinite; Keras calls the callback after each execution, and the callback
    reads that variable. Its ``diverged`` attribute tells afterwards whether it
    fired, ``worst`` the largest step loss it saw.

    Raises
    ------
    ValueError
        If `limit` is not a positive number.
    """
    if not (isinstance(limit, (int, float)) and limit > 0 and math.isfinite(limit)):
        raise ValueError(f"limit={limit!r}: expected a positive, finite loss")
    from .reproducibility import import_tensorflow

    tf = import_tensorflow()
    import keras

    class DivergenceGuard(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.diverged = False
            self.worst = float("-inf")
            self._largest = None

        def set_model(self, model):
            super().set_model(model)
            if self._largest is None:
                self._largest = tf.Variable(float("-inf"), trainable=False, dtype="float32")
                _record_step_losses(model, self._largest)

        def on_train_batch_end(self, batch, logs=None):
            self.worst = float(self._largest.numpy())
            if not self.worst <= limit:  # inf (a non-finite step) included
                self.diverged = True
                self.model.stop_training = True

    return DivergenceGuard()


def _record_step_losses(model, largest) -> None:
    """Make every training step of `model` raise `largest` to its loss (non-finite: inf).

    Wraps the model's ``compute_loss`` (the loss the optimiser differentiates,
    penalties included) and drops an already traced training function, so the
    next ``fit`` traces one that records.
    """
    from .reproducibility import import_tensorflow

    tf = import_tensorflow()
    compute_loss = model.compute_loss

    def recording(x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = compute_loss(x, y, y_pred, sample_weight, training=training)
        if training:
            value = tf.cast(loss, largest.dtype)
            value = tf.where(tf.math.is_finite(value), value, float("inf"))
            largest.assign(tf.maximum(largest, value))
        return loss

    model.compute_loss = recording
    model.train_function = None


INPUTS = ("raw", "standardized")


def standardize(train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Centre and scale each pixel by the training set's mean and standard deviation.

    Pixels that never vary in training (the digits' blank corners) are only centred.
    The other sets (validation, test) use the training statistics: they must not
    inform the preprocessing.

    Examples
    --------
    >>> train = np.array([[1.0, 5.0], [3.0, 5.0]])
    >>> train, test = standardize(train, np.array([[2.0, 6.0]]))
    >>> train.tolist(), test.tolist()
    ([[-1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0]])
    """
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return tuple(((x - mean) / std).astype(np.float32) for x in (train, *others))


def _check_inputs(inputs: str) -> None:
    if inputs not in INPUTS:
        raise ValueError(f"inputs={inputs!r}: expected one of {', '.join(INPUTS)}")


@functools.lru_cache(maxsize=4)
def digits_split(train_fraction: float = 0.8, split_seed: int = 0, inputs: str = "raw"):
    """The 8x8 digits split once into training and test data (stratified).

    Returns x_train, x_test, y_train, y_test. `inputs` is ``"raw"`` (pixel values
    0 to 16, as in the lecture notes) or ``"standardized"`` (each pixel centred and
    scaled by :func:`standardize` with the training data's statistics).

    Examples
    --------
    >>> x_train, x_test, y_train, y_test = digits_split()
    >>> len(x_train), len(x_test)
    (1437, 360)
    """
    from sklearn.model_selection import train_test_split

    from .datasets import load_digits

    _check_inputs(inputs)
    images, labels = load_digits(scale=False)
    x_train, x_test, y_train, y_test = train_test_split(images, labels, train_size=train_fraction,
                                                        random_state=split_seed, stratify=labels)
    if inputs == "standardized":
        x_train, x_test = standardize(x_train, x_test)
    return x_train, x_test, y_train, y_test


@functools.lru_cache(maxsize=4)
def digits_validation_split(train_fraction: float = 0.8, validation_fraction: float = 0.2,
                            split_seed: int = 0, inputs: str = "raw"):
    """The training data of :func:`digits_split`, split again: a part that fits, a part that validates.

    Returns x_fit, x_val, y_fit, y_val (stratified, seeded by `split_seed`). The
    test data is not touched. Standardized inputs use the fitting part's statistics.

    Examples
    --------
    >>> x_fit, x_val, y_fit, y_val = digits_validation_split()
    >>> len(x_fit), len(x_val)
    (1149, 288)
    """
    from sklearn.model_selection import train_test_split

    _check_inputs(inputs)
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction={validation_fraction!r}: expected a fraction between 0 and 1")
    x_train, _, y_train, _ = digits_split(train_fraction, split_seed, "raw")
    x_fit, x_val, y_fit, y_val = train_test_split(x_train, y_train, test_size=validation_fraction,
                                                  random_state=split_seed, stratify=y_train)
    if inputs == "standardized":
        x_fit, x_val = standardize(x_fit, x_val)
    return x_fit, x_val, y_fit, y_val


def fit_digits(x, y, params: dict, settings: dict, seed: int):
    """Train the digits network for one (learning rate, L2) cell on images `x`, labels `y`.

    All epochs run as one dataset in a single ``fit`` call: the same epochs of batches
    as ``fit(epochs=...)`` (each in a new order, each ending in a partial batch), without
    Keras' per-epoch overhead, which dominates this model. The order of the images is
    :func:`labsupport.batched_training.image_orders`' for `seed`, as the grid's trainer
    takes them.
    Returns the model, the divergence guard (``diverged``, and ``worst``: the
    largest loss of a single training step) and the loss before training.
    """
    from .batched_training import image_orders
    from .models import digits_cnn
    from .reproducibility import import_tensorflow

    tf = import_tensorflow()
    import keras

    x = np.asarray(x)
    one_hot = keras.utils.to_categorical(y, 10)
    model = digits_cnn(params["learning_rate"], params["l2"], seed=seed)
    initial_loss = model.evaluate(x, one_hot, verbose=0)[0]
    guard = divergence_guard(limit=10 * initial_loss)
    epochs, batch = settings["epochs"], settings["batch_size"]
    batches = image_orders(len(x), batch, epochs, seed)
    data = tf.data.Dataset.from_generator(
        lambda: ((x[indices], one_hot[indices]) for indices in batches),
        output_signature=(tf.TensorSpec((None, *x.shape[1:]), x.dtype),
                          tf.TensorSpec((None, 10), one_hot.dtype))
    ).apply(tf.data.experimental.assert_cardinality(len(batches)))  # else fit warns
    model.fit(data, epochs=1, verbose=0, callbacks=[guard], shuffle=False)
    return model, guard, initial_loss


def _evaluate(model, x, y, name: str) -> dict:
    import keras

    loss, accuracy = model.evaluate(x, keras.utils.to_categorical(y, 10), verbose=0)
    return {f"{name}_accuracy": accuracy, f"{name}_loss": loss}


def penalty(model) -> float:
    """The model's regularisation penalty for its current weights (for the digits
    network, ``l2 * sum(w**2)`` over its kernels): what Keras adds to the data loss.

    Examples
    --------
    >>> from labsupport.models import digits_cnn
    >>> model = digits_cnn(0.1, 0.5, seed=0)
    >>> kernels = sum(float((layer.kernel.numpy() ** 2).sum()) for layer in model.layers
    ...               if hasattr(layer, "kernel"))
    >>> bool(np.isclose(penalty(model), 0.5 * kernels, rtol=1e-5))
    True
    """
    import keras

    return float(sum(keras.ops.convert_to_numpy(loss) for loss in model.losses))


def _evaluate_digits(model, x, y, name: str) -> dict:
    """Accuracy and data loss (cross-entropy alone) of the digits network on `x`, `y`.

    Keras' ``evaluate`` adds the L2 penalty to the loss; a loss compared across
    penalty weights must leave it out, so the penalty is subtracted and the
    data loss reported on its own (the penalty is reported once, as ``penalty``).
    """
    metrics = _evaluate(model, x, y, name)
    metrics[f"{name}_loss"] -= penalty(model)
    metrics[f"{name}_data_loss"] = metrics.pop(f"{name}_loss")
    return metrics


# A train function's version is part of its results files' configuration: bump it
# whenever a change alters what the function computes, and older files are refused.
# 2: fits on the training part, reports validation, never test
# 3: the divergence guard sees every step's own loss; the losses reported are the data
#    loss alone (cross-entropy, without the penalty), the penalty separately
# 4: every cell trained by labsupport.batched_training, the grid's cells in one
#    computation (the same arithmetic as Keras' to float32 rounding)
# 5: the cells' steps as batched matrix products (another order of additions), and the
#    selected cell's final fit by the same trainer
DIGITS_VERSION = 5


def _digits_cell_metrics(result, cell: dict, fit, validation) -> dict:
    """What a grid cell reports of a trained CellResult: accuracy and data loss on the
    fitting and validation parts, the penalty, the initial loss; or its divergence."""
    if result.diverged:
        return {"status": "diverged", "train_accuracy": None, "val_accuracy": None,
                "initial_loss": result.initial_loss, "worst_step_loss": result.worst_step_loss}
    metrics = _cell_metrics(result, train=fit, val=validation)
    metrics["penalty"] = _kernel_penalty(result, cell["l2"])
    metrics["initial_loss"] = result.initial_loss
    return metrics


def _cell_metrics(result, **parts) -> dict:
    """Accuracy and data loss of a trained CellResult on each named part (x, y)."""
    from .batched_training import evaluate_cell

    metrics = {}
    for name, (x, y) in parts.items():
        measured = evaluate_cell(result, x, y)
        metrics[f"{name}_accuracy"] = measured["accuracy"]
        metrics[f"{name}_data_loss"] = measured["data_loss"]
    return metrics


def _kernel_penalty(result, l2: float) -> float:
    """The L2 penalty of a trained CellResult's kernels (its biases are not penalised)."""
    return float(l2 * sum(float(np.sum(np.square(k))) for k in result.weights[0::2]))


def train_digits_batched(cells: list, settings: dict, seeds: list) -> list[dict]:
    """Several grid cells of :func:`train_digits` in one computation
    (:mod:`labsupport.batched_training`): for each, exactly what it reports alone."""
    from .batched_training import train_digits_cells

    x_fit, x_val, y_fit, y_val = digits_validation_split(
        settings["train_fraction"], settings["validation_fraction"],
        settings["split_seed"], settings["inputs"])
    results = train_digits_cells(x_fit, y_fit, cells, seeds, settings["epochs"],
                                 settings["batch_size"])
    return [_digits_cell_metrics(result, cell, (x_fit, y_fit), (x_val, y_val))
            for result, cell in zip(results, cells)]


def train_digits(params: dict, settings: dict, seed: int) -> dict:
    """One grid cell: fit on the fitting part; report train and validation, never test.

    Reports accuracy and data loss (cross-entropy without the penalty) on both
    parts, the penalty of the trained weights, and the initial loss; a cell whose
    loss blew up at any step is reported as diverged. It trains with
    :mod:`labsupport.batched_training`, as :func:`labsupport.grid.run_grid` trains
    many cells at once (``train_digits.batched``): a cell reports the same numbers
    whether it is trained alone, in a worker, or with the others.
    """
    return train_digits_batched([params], settings, [seed])[0]


train_digits.batched = train_digits_batched


def digits_final_test(params: dict, settings: dict, seed: int) -> dict:
    """The selected cell, fitted on all the training data with its seed, tested once,
    by the same trainer as the grid's cells."""
    from .batched_training import train_digits_cells

    x_train, x_test, y_train, y_test = digits_split(
        settings["train_fraction"], settings["split_seed"], settings["inputs"])
    trained = train_digits_cells(x_train, y_train, [params], [seed], settings["epochs"],
                                 settings["batch_size"])[0]
    if trained.diverged:
        return {"status": "diverged", "test_accuracy": None,
                "worst_step_loss": trained.worst_step_loss}
    metrics = _cell_metrics(trained, train=(x_train, y_train), test=(x_test, y_test))
    return {**metrics, "penalty": _kernel_penalty(trained, params["l2"]),
            "train_images": len(x_train), "test_images": len(x_test)}


def digits_experiment(profile: Profile, inputs: str = "standardized") -> Experiment:
    """The lecture notes' learning-rate x L2 grid on the 8x8 digits, at the profile's size.

    ``inputs="raw"`` is the notes' exact setting (pixels 0 to 16); the default
    standardizes the pixels first, which the chapter shows to matter.
    """
    return Experiment(
        "digits" if inputs == "standardized" else f"digits-{inputs}",
        {"learning_rate": list(profile.digits_learning_rates), "l2": list(profile.digits_l2s)},
        {"epochs": profile.digits_epochs, "batch_size": 100, "train_fraction": 0.8,
         "validation_fraction": 0.2, "split_seed": 0, "inputs": inputs},
        train_digits, digits_final_test, DIGITS_VERSION,
    )


@dataclass(frozen=True)
class MnistSplits:
    """MNIST scaled to [0, 1] and split three ways, with the loader's record of the data.

    ``x_fit``/``y_fit`` train the weights, ``x_val``/``y_val`` choose settings and
    watch training (Keras' ``validation_data``), ``x_test``/``y_test`` are for
    the final test only. ``x_train``/``y_train`` are fit and validation together.
    """

    x_fit: np.ndarray
    y_fit: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    mnist: object

    @property
    def x_train(self) -> np.ndarray:
        return np.concatenate([self.x_fit, self.x_val])

    @property
    def y_train(self) -> np.ndarray:
        return np.concatenate([self.y_fit, self.y_val])


@functools.lru_cache(maxsize=2)
def mnist_data(allow_stand_in: bool, train_limit: int | None, validation_fraction: float = 0.1,
               split_seed: int = 0) -> MnistSplits:
    """MNIST's training images split into fitting and validation parts (stratified, seeded).

    At most `train_limit` images fit (a stratified subset, for the ``ci`` profile).
    """
    from sklearn.model_selection import train_test_split

    from .datasets import load_mnist

    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction={validation_fraction!r}: expected a fraction between 0 and 1")
    mnist = load_mnist(allow_stand_in=allow_stand_in)
    x_fit, x_val, y_fit, y_val = train_test_split(mnist.x_train, mnist.y_train, test_size=validation_fraction,
                                                  random_state=split_seed, stratify=mnist.y_train)
    if train_limit is not None and train_limit < len(x_fit):
        x_fit, _, y_fit, _ = train_test_split(x_fit, y_fit, train_size=train_limit, random_state=split_seed,
                                              stratify=y_fit)
    scale = lambda images: (images.astype(np.float32) / 255.0)[..., np.newaxis]
    return MnistSplits(scale(x_fit), y_fit, scale(x_val), y_val, scale(mnist.x_test), mnist.y_test, mnist)


def _mnist_splits(settings: dict) -> MnistSplits:
    return mnist_data(settings["allow_stand_in"], settings["train_limit"], settings["validation_fraction"],
                      settings["split_seed"])


def fit_mnist(params: dict, settings: dict, seed: int, x=None, y=None):
    """Train the MNIST network on the fitting part (or on `x`, `y`), watching the validation part.

    Returns the model, its history, the divergence guard and the :class:`MnistSplits`.
    Keras' ``validation_data`` is the validation part, never the test set. With
    ``settings["schedule"] == "cosine"`` the step size anneals to 0 over the run.
    """
    from .models import mnist_cnn

    data = _mnist_splits(settings)
    # a final fit trains on the validation part too, so nothing is left to watch
    validation = (data.x_val, data.y_val) if x is None else None
    x, y = (data.x_fit, data.y_fit) if x is None else (x, y)
    steps = math.ceil(len(x) / settings["batch_size"]) * settings["epochs"]
    decay_steps = steps if settings.get("schedule") == "cosine" else None
    model = mnist_cnn(dropout=params["dropout"], learning_rate=settings["learning_rate"], seed=seed,
                      decay_steps=decay_steps)
    guard = divergence_guard(limit=1e3)
    history = model.fit(x, y, epochs=settings["epochs"], batch_size=settings["batch_size"],
                        validation_data=validation, shuffle=True, verbose=0, callbacks=[guard])
    return model, history, guard, data


# 2: validation part carved from the training data; test only in mnist_final_test.
# 3: the official split only (no test-set split), a cosine schedule, and the indices of
#    the validation images each cell gets wrong (for a paired comparison of cells).
MNIST_VERSION = 3


def misclassified(model, x: np.ndarray, y: np.ndarray) -> list[int]:
    """Indices of the images in `x` whose predicted class is not `y`."""
    predicted = model.predict(x, batch_size=1024, verbose=0).argmax(axis=1)
    return np.flatnonzero(predicted != y).tolist()


def train_mnist(params: dict, settings: dict, seed: int) -> dict:
    """One MNIST cell: fit, then report train and validation accuracy and where the data came from.

    ``val_wrong`` lists the validation images the cell gets wrong, so two cells can
    be compared image by image (a paired comparison) rather than by two accuracies.
    """
    model, history, guard, data = fit_mnist(params, settings, seed)
    if guard.diverged:
        return {"status": "diverged", "train_accuracy": None, "val_accuracy": None, "data": data.mnist.source}
    val_wrong = misclassified(model, data.x_val, data.y_val)
    return {"train_accuracy": model.evaluate(data.x_fit, data.y_fit, verbose=0)[1],
            "val_accuracy": 1 - len(val_wrong) / len(data.y_val),
            "val_accuracy_by_epoch": [float(value) for value in history.history["val_accuracy"]],
            "val_wrong": val_wrong,
            "train_images": int(len(data.x_fit)), "val_images": int(len(data.x_val)),
            "official_split": data.mnist.official_split, "data": data.mnist.source}


def mnist_final_test(params: dict, settings: dict, seed: int) -> dict:
    """The selected cell, fitted on all the training data (fit and validation parts), tested once."""
    data = _mnist_splits(settings)
    x_train, y_train = data.x_train, data.y_train
    model, _, guard, _ = fit_mnist(params, settings, seed, x_train, y_train)
    if guard.diverged:
        return {"status": "diverged", "test_accuracy": None, "data": data.mnist.source}
    test_wrong = misclassified(model, data.x_test, data.y_test)
    return {"train_accuracy": model.evaluate(x_train, y_train, verbose=0)[1],
            "test_accuracy": 1 - len(test_wrong) / len(data.y_test),
            "test_wrong": test_wrong,
            "train_images": int(len(x_train)), "test_images": int(len(data.x_test)),
            "official_split": data.mnist.official_split, "data": data.mnist.source}


def mnist_experiment(profile: Profile) -> Experiment:
    """The lecture notes' MNIST network with and without dropout, at the profile's size."""
    return Experiment(
        "mnist",
        {"dropout": list(profile.mnist_dropouts)},
        {"epochs": profile.mnist_epochs, "batch_size": 128, "learning_rate": 1e-3,
         "schedule": "cosine", "train_limit": profile.mnist_train_limit,
         "validation_fraction": 0.1, "split_seed": 0, "allow_stand_in": profile.allow_stand_in},
        train_mnist, mnist_final_test, MNIST_VERSION,
    )


@dataclass(frozen=True)
class CIFAR10Split:
    """CIFAR-10 scaled to [0, 1]: training, validation (carved from training) and test.

    ``data`` is the :class:`~labsupport.datasets.CIFAR10` it came from (class
    names, source, and the stand-in note if it is one).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    data: object


@functools.lru_cache(maxsize=2)
def cifar10_split(allow_stand_in: bool, train_limit: int | None, validation_size: int,
                  stand_in_sizes: tuple = (5_000, 1_000), split_seed: int = 0) -> CIFAR10Split:
    """CIFAR-10 (or its stand-in) with at most `train_limit` training images, of
    which `validation_size` are held out, both draws stratified by class.

    The test set is never touched here beyond scaling: models are chosen on the
    validation split.
    """
    from sklearn.model_selection import train_test_split

    from .datasets import load_cifar10

    data = load_cifar10(allow_stand_in=allow_stand_in, stand_in_sizes=tuple(stand_in_sizes))
    x, y = data.x_train, data.y_train
    if train_limit is not None and train_limit < len(x):
        x, _, y, _ = train_test_split(x, y, train_size=train_limit, random_state=split_seed, stratify=y)
    if not 0 < validation_size < len(x):
        raise ValueError(f"validation_size={validation_size!r}: expected between 1 and {len(x) - 1} "
                         f"(there are {len(x)} training images)")
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=validation_size, random_state=split_seed,
                                                      stratify=y)
    scale = lambda images: images.astype(np.float32) / 255.0
    return CIFAR10Split(scale(x_train), y_train, scale(x_val), y_val, scale(data.x_test), data.y_test, data)


def cifar10_model(options: dict, steps: int, seed: int | None = None):
    """The network `options` describe: ``model`` is ``"tutorial"`` or ``"improved"``;
    for the improved one, ``augment``, ``batch_norm``, ``dropout``, ``schedule``
    (warm-up and cosine decay over `steps` training steps), ``learning_rate``,
    ``widths`` and optionally ``bn_momentum`` (the builder's 0.9 if absent)."""
    from .models import cifar10_improved_cnn, cifar10_tutorial_cnn

    if options["model"] == "tutorial":
        return cifar10_tutorial_cnn(options["learning_rate"], seed=seed)
    if options["model"] != "improved":
        raise ValueError(f"model={options['model']!r}: expected 'tutorial' or 'improved'")
    return cifar10_improved_cnn(augment=options["augment"], batch_norm=options["batch_norm"],
                                dropout=options["dropout"], decay_steps=steps if options["schedule"] else None,
                                learning_rate=options["learning_rate"], widths=tuple(options["widths"]), seed=seed,
                                bn_momentum=options.get("bn_momentum", 0.9))


def _cifar10_splits(settings: dict) -> CIFAR10Split:
    return cifar10_split(settings["allow_stand_in"], settings["train_limit"], settings["validation_size"],
                         tuple(settings["stand_in_sizes"]))


def fit_cifar10(params: dict, settings: dict, seed: int, x=None, y=None):
    """Train one CIFAR-10 network on the training part (or on `x`, `y`).

    `params` override ``settings["options"]`` (see :func:`cifar10_model`). On the
    training part, Keras' validation data is the validation split, never the test
    set; a final fit on `x`, `y` (all the training data) watches nothing.
    Returns the model, its history, the divergence guard, the data split and
    the training's wall and CPU seconds (CPU time counts every core this
    process used, so it is less sensitive than wall time to a busy machine).
    """
    import time

    split = _cifar10_splits(settings)
    validation = (split.x_val, split.y_val) if x is None else None
    x, y = (split.x_train, split.y_train) if x is None else (x, y)
    options = {**settings["options"], **params}
    epochs, batch = settings["epochs"], settings["batch_size"]
    model = cifar10_model(options, epochs * math.ceil(len(x) / batch), seed)
    guard = divergence_guard(limit=1e3)
    wall, cpu = time.perf_counter(), time.process_time()
    history = model.fit(x, y, epochs=epochs, batch_size=batch, shuffle=True, verbose=0,
                        validation_data=validation, callbacks=[guard])
    timing = {"train_seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu}
    return model, history, guard, split, timing


CIFAR10_VERSION = 2  # 2: the learning rate is a grid axis; augmentation adds brightness and saturation


def train_cifar10(params: dict, settings: dict, seed: int) -> dict:
    """One CIFAR-10 cell: train, then report training and validation accuracy (never
    test), the curves, the validation predictions (for error analysis) and the time."""
    model, history, guard, split, timing = fit_cifar10(params, settings, seed)
    data = split.data
    if guard.diverged:
        return {"status": "diverged", "train_accuracy": None, "val_accuracy": None, "data": data.source}
    probabilities = _softmax(model.predict(split.x_val, verbose=0, batch_size=500))
    return {"train_accuracy": model.evaluate(split.x_train, split.y_train, verbose=0)[1],
            "val_accuracy": float((probabilities.argmax(axis=1) == split.y_val).mean()),
            "accuracy_by_epoch": [float(value) for value in history.history["accuracy"]],
            "val_accuracy_by_epoch": [float(value) for value in history.history["val_accuracy"]],
            "val_predictions": probabilities.argmax(axis=1).tolist(),
            "val_confidence": np.round(probabilities.max(axis=1), 4).tolist(),
            "parameters": int(model.count_params()), **timing,
            "train_images": len(split.x_train), "val_images": len(split.x_val),
            "stand_in": data.stand_in is not None, "data": data.source}


def cifar10_final_test(params: dict, settings: dict, seed: int) -> dict:
    """The selected cell, fitted on all the training data (training and validation
    parts), tested once."""
    split = _cifar10_splits(settings)
    x_all, y_all = np.concatenate([split.x_train, split.x_val]), np.concatenate([split.y_train, split.y_val])
    model, _, guard, _, timing = fit_cifar10(params, settings, seed, x_all, y_all)
    if guard.diverged:
        return {"status": "diverged", "test_accuracy": None, "data": split.data.source}
    return {"train_accuracy": model.evaluate(x_all, y_all, verbose=0)[1],
            "test_accuracy": model.evaluate(split.x_test, split.y_test, verbose=0)[1],
            "train_images": len(x_all), "test_images": len(split.x_test), **timing,
            "stand_in": split.data.stand_in is not None, "data": split.data.source}


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _cifar10_settings(profile: Profile, epochs: int, **options) -> dict:
    return {"epochs": epochs, "batch_size": 64, "train_limit": profile.cifar10_train_limit,
            "validation_size": profile.cifar10_validation_size,
            "stand_in_sizes": list(profile.cifar10_stand_in_sizes), "allow_stand_in": profile.allow_stand_in,
            "options": {"learning_rate": 1e-3, **options}}  # Adam's default step unless overridden


def cifar10_tutorial_experiment(profile: Profile) -> Experiment:
    """The tutorial network alone (one cell), for the profile's epochs."""
    return Experiment("cifar10-tutorial", {"model": ["tutorial"]},
                      _cifar10_settings(profile, profile.cifar10_tutorial_epochs, model="tutorial"),
                      train_cifar10, cifar10_final_test, CIFAR10_VERSION)


def cifar10_experiment(profile: Profile) -> Experiment:
    """The improved network over augmentation x batch normalisation x Adam's peak
    step size, with dropout and a learning-rate schedule in every cell, at the
    profile's size.

    The step size is an axis so that the network with batch normalisation and the
    one without are each compared at the rate that suits it, chosen on validation,
    rather than both at a rate picked for one of them.
    """
    options = {"model": "improved", "dropout": 0.2, "schedule": True, "widths": list(profile.cifar10_widths)}
    grid_axes = {"augment": list(profile.cifar10_augment), "batch_norm": list(profile.cifar10_batch_norm),
                 "learning_rate": list(profile.cifar10_learning_rates)}
    return Experiment("cifar10", grid_axes, _cifar10_settings(profile, profile.cifar10_epochs, **options),
                      train_cifar10, cifar10_final_test, CIFAR10_VERSION)


def batch_norm_lag(settings: dict, momentum: float, learning_rate: float, seed: int) -> dict:
    """How far batch normalisation's running statistics lag behind the data after a run.

    Trains the improved network of `settings` (its widths, epochs, batch size and
    data) with batch normalisation and nothing else: no augmentation, no dropout,
    a constant step `learning_rate`, running statistics of momentum `momentum`.
    Then it compares, for the first normalisation layer, the running mean and
    variance that inference uses with the mean and variance of that layer's input
    over the training images under the final weights. The first layer's input (the
    first convolution's output) depends on no other normalisation, so the two are
    computed from the same weights. Last, it measures validation accuracy twice with
    the same weights: with the running statistics, and with every normalisation
    layer's statistics recomputed on the training images, layer by layer.

    Parameters
    ----------
    settings : dict
        The settings of :func:`cifar10_experiment` (or of the tutorial's).
    momentum : float
        Keras' ``BatchNormalization(momentum=...)``: each step moves the running
        statistics ``1 - momentum`` of the way towards the batch's.
    learning_rate : float
        Adam's constant step size.
    seed : int
        Seeds the initial weights and the batch order.

    Returns
    -------
    dict
        ``steps`` (training steps taken); ``start_weight`` (``momentum**steps``,
        the share of the running statistics still owed to their start values 0
        and 1); ``mean_gap`` (over the first layer's channels, the mean of
        |running mean - data mean| / data standard deviation);
        ``variance_ratio`` (per channel, running variance / data variance);
        ``val_accuracy`` (with the running statistics, as ``evaluate`` does) and
        ``val_accuracy_recalibrated`` (with the recomputed ones).
    """
    import keras

    from .reproducibility import seed_everything

    split = _cifar10_splits(settings)
    options = {**settings["options"], "model": "improved", "augment": False, "batch_norm": True,
               "dropout": 0.0, "schedule": False, "learning_rate": learning_rate, "bn_momentum": momentum}
    seed_everything(seed)
    model = cifar10_model(options, 1, seed)
    batch = settings["batch_size"]
    model.fit(split.x_train, split.y_train, epochs=settings["epochs"], batch_size=batch, shuffle=True, verbose=0)
    steps = settings["epochs"] * math.ceil(len(split.x_train) / batch)

    def input_statistics(index: int):
        """Mean and (biased) variance per channel of layer `index`'s input, over the training images."""
        probe = keras.Model(model.inputs[0], model.layers[index - 1].output)
        total = total_squares = 0.0
        for start in range(0, len(split.x_train), 500):
            values = np.asarray(probe(split.x_train[start:start + 500], training=False), dtype=np.float64)
            total = total + values.sum(axis=(0, 1, 2))
            total_squares = total_squares + (values**2).sum(axis=(0, 1, 2))
        count = len(split.x_train) * values.shape[1] * values.shape[2]
        mean = total / count
        return mean, total_squares / count - mean**2

    norms = [index for index, layer in enumerate(model.layers)
             if isinstance(layer, keras.layers.BatchNormalization)]
    first = model.layers[norms[0]]
    data_mean, data_var = input_statistics(norms[0])
    running_mean, running_var = (np.asarray(first.moving_mean, dtype=np.float64),
                                 np.asarray(first.moving_variance, dtype=np.float64))
    val_running = model.evaluate(split.x_val, split.y_val, verbose=0, batch_size=500)[1]
    for index in norms:  # in order: each layer's input depends on the ones before it
        mean, var = input_statistics(index)
        model.layers[index].moving_mean.assign(mean.astype(np.float32))
        model.layers[index].moving_variance.assign(var.astype(np.float32))
    val_recalibrated = model.evaluate(split.x_val, split.y_val, verbose=0, batch_size=500)[1]
    return {"steps": steps, "start_weight": momentum**steps,
            "mean_gap": float(np.mean(np.abs(running_mean - data_mean) / np.sqrt(data_var))),
            "variance_ratio": (running_var / data_var).tolist(),
            "val_accuracy": float(val_running), "val_accuracy_recalibrated": float(val_recalibrated)}


EXPERIMENTS = {"digits": digits_experiment, "digits-raw": functools.partial(digits_experiment, inputs="raw"),
               "mnist": mnist_experiment, "cifar10": cifar10_experiment,
               "cifar10-tutorial": cifar10_tutorial_experiment}
