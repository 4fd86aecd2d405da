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
    """A grid, the settings shared by its cells, and the function that trains one cell."""

    name: str
    grid: dict
    settings: dict
    train: object


def divergence_guard(limit: float):
    """A Keras callback that stops training once the loss is non-finite or above `limit`.

    Its ``diverged`` attribute tells afterwards whether it fired.
    """
    import keras

    class DivergenceGuard(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.diverged = False

        def on_train_batch_end(self, batch, logs=None):
            loss = (logs or {}).get("loss")
            if loss is not None and (not math.isfinite(float(loss)) or float(loss) > limit):
                self.diverged = True
                self.model.stop_training = True

    return DivergenceGuard()


INPUTS = ("raw", "standardized")


def standardize(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale each pixel by the training set's mean and standard deviation.

    Pixels that never vary in training (the digits' blank corners) are only centred.
    The test set uses the training statistics: it must not inform the preprocessing.

    Examples
    --------
    >>> train, test = standardize(np.array([[1.0, 5.0], [3.0, 5.0]]), np.array([[2.0, 6.0]]))
    >>> train.tolist(), test.tolist()
    ([[-1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0]])
    """
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return ((train - mean) / std).astype(np.float32), ((test - mean) / std).astype(np.float32)


@functools.lru_cache(maxsize=4)
def digits_split(train_fraction: float = 0.8, split_seed: int = 0, inputs: str = "raw"):
    """The 8x8 digits split once for every cell (stratified): x_train, x_test, y_train, y_test.

    `inputs` is ``"raw"`` (pixel values 0 to 16, as in the lecture notes) or
    ``"standardized"`` (each pixel centred and scaled by :func:`standardize`).
    """
    from sklearn.model_selection import train_test_split

    from .datasets import load_digits

    if inputs not in INPUTS:
        raise ValueError(f"inputs={inputs!r}: expected one of {', '.join(INPUTS)}")
    images, labels = load_digits(scale=False)
    x_train, x_test, y_train, y_test = train_test_split(images, labels, train_size=train_fraction,
                                                        random_state=split_seed, stratify=labels)
    if inputs == "standardized":
        x_train, x_test = standardize(x_train, x_test)
    return x_train, x_test, y_train, y_test


def train_digits(params: dict, settings: dict, seed: int) -> dict:
    """Train the digits network for one (learning rate, L2) cell; return train and test accuracy.

    All epochs run as one repeated, reshuffled dataset in a single ``fit`` call: the
    same epochs of batches as ``fit(epochs=...)`` (each reshuffled, each ending in a
    partial batch), without Keras' per-epoch overhead, which dominates this model.
    """
    from .models import digits_cnn
    from .reproducibility import import_tensorflow

    tf = import_tensorflow()
    import keras

    x_train, x_test, y_train, y_test = digits_split(settings["train_fraction"], settings["split_seed"],
                                                    settings["inputs"])
    one_hot_train, one_hot_test = keras.utils.to_categorical(y_train, 10), keras.utils.to_categorical(y_test, 10)
    model = digits_cnn(params["learning_rate"], params["l2"], seed=seed)
    initial_loss = model.evaluate(x_train, one_hot_train, verbose=0)[0]
    guard = divergence_guard(limit=10 * initial_loss)
    epochs, batch = settings["epochs"], settings["batch_size"]
    data = (tf.data.Dataset.from_tensor_slices((x_train, one_hot_train))
            .shuffle(len(x_train), seed=seed, reshuffle_each_iteration=True).batch(batch).repeat(epochs))
    model.fit(data, epochs=1, verbose=0, callbacks=[guard], shuffle=False)  # the dataset reshuffles each epoch
    if guard.diverged:
        return {"status": "diverged", "train_accuracy": None, "test_accuracy": None, "initial_loss": initial_loss}
    train_loss, train_accuracy = model.evaluate(x_train, one_hot_train, verbose=0)
    test_loss, test_accuracy = model.evaluate(x_test, one_hot_test, verbose=0)
    return {"train_accuracy": train_accuracy, "test_accuracy": test_accuracy, "train_loss": train_loss,
            "test_loss": test_loss, "initial_loss": initial_loss}


def digits_experiment(profile: Profile, inputs: str = "standardized") -> Experiment:
    """The lecture notes' learning-rate x L2 grid on the 8x8 digits, at the profile's size.

    ``inputs="raw"`` is the notes' exact setting (pixels 0 to 16); the default
    standardizes the pixels first, which the chapter shows to matter.
    """
    return Experiment(
        "digits" if inputs == "standardized" else f"digits-{inputs}",
        {"learning_rate": list(profile.digits_learning_rates), "l2": list(profile.digits_l2s)},
        {"epochs": profile.digits_epochs, "batch_size": 100, "train_fraction": 0.8, "split_seed": 0,
         "inputs": inputs},
        train_digits,
    )


@functools.lru_cache(maxsize=2)
def mnist_data(allow_stand_in: bool, train_limit: int | None):
    """MNIST scaled to [0, 1], with at most `train_limit` training images (stratified)."""
    from .datasets import load_mnist

    mnist = load_mnist(allow_stand_in=allow_stand_in)
    x_train, y_train = mnist.x_train, mnist.y_train
    if train_limit is not None and train_limit < len(x_train):
        from sklearn.model_selection import train_test_split

        x_train, _, y_train, _ = train_test_split(x_train, y_train, train_size=train_limit, random_state=0,
                                                  stratify=y_train)
    scale = lambda images: (images.astype(np.float32) / 255.0)[..., np.newaxis]
    return scale(x_train), y_train, scale(mnist.x_test), mnist.y_test, mnist


def fit_mnist(params: dict, settings: dict, seed: int):
    """Train the MNIST network; return the model, its history and the data it saw."""
    from .models import mnist_cnn

    x_train, y_train, x_test, y_test, mnist = mnist_data(settings["allow_stand_in"], settings["train_limit"])
    model = mnist_cnn(dropout=params["dropout"], learning_rate=settings["learning_rate"], seed=seed)
    guard = divergence_guard(limit=1e3)
    history = model.fit(x_train, y_train, epochs=settings["epochs"], batch_size=settings["batch_size"],
                        validation_data=(x_test, y_test), shuffle=True, verbose=0, callbacks=[guard])
    return model, history, guard, (x_train, y_train, x_test, y_test, mnist)


def train_mnist(params: dict, settings: dict, seed: int) -> dict:
    """One MNIST cell: train, then report accuracies and where the data came from."""
    model, history, guard, (x_train, y_train, x_test, y_test, mnist) = fit_mnist(params, settings, seed)
    if guard.diverged:
        return {"status": "diverged", "train_accuracy": None, "test_accuracy": None, "data": mnist.source}
    return {"train_accuracy": model.evaluate(x_train, y_train, verbose=0)[1],
            "test_accuracy": model.evaluate(x_test, y_test, verbose=0)[1],
            "val_accuracy_by_epoch": [float(value) for value in history.history["val_accuracy"]],
            "train_images": int(len(x_train)), "test_images": int(len(x_test)),
            "official_split": mnist.official_split, "data": mnist.source}


def mnist_experiment(profile: Profile) -> Experiment:
    """The lecture notes' MNIST network with and without dropout, at the profile's size."""
    return Experiment(
        "mnist",
        {"dropout": list(profile.mnist_dropouts)},
        {"epochs": profile.mnist_epochs, "batch_size": 128, "learning_rate": 1e-3,
         "train_limit": profile.mnist_train_limit, "allow_stand_in": profile.allow_stand_in},
        train_mnist,
    )


EXPERIMENTS = {"digits": digits_experiment, "digits-raw": functools.partial(digits_experiment, inputs="raw"),
               "mnist": mnist_experiment}
