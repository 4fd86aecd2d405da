"""Many cells of the digits grid trained in one computation.

The digits network has 8,660 parameters, and one SGD step of 100 images costs a few
megaflops: Keras spends far longer dispatching a step than computing it. The cells of
the learning-rate x L2 grid share the architecture and the data; only the step size,
the penalty, the initial weights and the order of the images differ. So
:func:`train_digits_cells` does every cell's step in one compiled call: one
sub-graph per cell, with the same operations and shapes as the cell would have
alone, so that TensorFlow runs them side by side and each cell's result is exactly
what it would be alone, a function of its own parameters and seed, whatever cells
it is trained with.

Each cell starts from the weights :func:`labsupport.models.digits_cnn` gives its seed,
sees its images in the order ``tf.data``'s seeded shuffle gives them (the order of
:func:`labsupport.experiments.fit_digits`), and takes plain SGD steps on the mean
cross-entropy (from the logits) plus ``l2 * sum(w**2)`` over the kernels, as Keras
does. Every step's
loss is checked for every cell: a cell whose loss is non-finite or above its limit
(ten times its initial loss) is recorded as diverged and frozen from that step on,
so that it cannot send infinities or NaNs anywhere, its neighbours included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import check_int

@dataclass(frozen=True)
class CellResult:
    """One trained cell: whether it diverged, its largest step loss, its initial loss
    (penalty included, as Keras' ``evaluate`` gives it) and its final weights."""

    diverged: bool
    worst_step_loss: float
    initial_loss: float
    weights: tuple


def _initial_weights(seed, filters, hidden):
    """The starting weights :func:`labsupport.models.digits_cnn` gives `seed`: its
    seeded Glorot-uniform kernels and zero biases, drawn without building the model."""
    from .models import _initializer

    shapes = [(3, 3, 1, filters), (4 * 4 * filters, hidden), (hidden, 10)]
    weights = []
    for layer, shape in enumerate(shapes):
        kernel = _initializer(seed, layer)(shape)
        weights += [np.asarray(kernel, dtype="float32"), np.zeros(shape[-1], "float32")]
    return weights


def _orders(n: int, batch: int, epochs: int, seed: int) -> list:
    """The image indices of every step, as fit_digits' seeded tf.data pipeline yields them
    (shuffle, batch, repeat: each epoch one permutation, cut into batches)."""
    from .reproducibility import import_tensorflow

    tf = import_tensorflow()
    # grid.run_cell seeds everything with the cell's seed before it trains the cell, and
    # tf.data's shuffle order depends on the global seed as well as on its own
    tf.random.set_seed(seed)
    epochs_of_indices = (tf.data.Dataset.range(n)
                         .shuffle(n, seed=seed, reshuffle_each_iteration=True)
                         .batch(n).repeat(epochs))
    return [order[start:start + batch] for order in epochs_of_indices.as_numpy_iterator()
            for start in range(0, n, batch)]


def _logits(weights, images):
    """One cell's network up to its output layer's softmax, for `images` (batch, 8, 8, 1)."""
    import tensorflow as tf

    conv_k, conv_b, hidden_k, hidden_b, out_k, out_b = weights
    maps = tf.nn.relu(tf.nn.conv2d(images, conv_k, 1, "SAME") + conv_b)
    pooled = tf.nn.max_pool2d(maps, 2, 2, "VALID")
    flat = tf.reshape(pooled, (tf.shape(images)[0], -1))  # rows, columns, channels
    hidden = tf.nn.relu(tf.matmul(flat, hidden_k) + hidden_b)
    return tf.matmul(hidden, out_k) + out_b


def _loss(weights, images, one_hot, l2):
    """One cell's mean cross-entropy over the batch plus the L2 penalty of its kernels.

    The cross-entropy is computed from the logits, as Keras computes it for a softmax
    output layer (it keeps the logits and never clips a probability), so it is exact
    where a probability underflows and its gradient does not vanish there.
    """
    import tensorflow as tf

    data = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(
        labels=one_hot, logits=_logits(weights, images)))
    kernels = (weights[0], weights[2], weights[4])
    return data + l2 * sum(tf.reduce_sum(tf.square(k)) for k in kernels)


def train_digits_cells(x, y, cells, seeds, epochs: int, batch_size: int,
                       filters: int = 10, hidden: int = 50) -> list[CellResult]:
    """Train one digits network per cell, all in one computation.

    Parameters
    ----------
    x : array (n, 8, 8, 1)
        Images, shared by every cell.
    y : array (n,)
        Integer labels 0-9.
    cells : sequence of dict
        Each with ``learning_rate`` (positive) and ``l2`` (non-negative).
    seeds : sequence of int
        One per cell: its initial weights and its order of images.
    epochs, batch_size : int
        As in :func:`labsupport.experiments.fit_digits`.

    Returns
    -------
    list of CellResult
        In the order of `cells`.

    Raises
    ------
    ValueError
        For cells and seeds of different lengths, no cell, or a bad value.

    Examples
    --------
    >>> from labsupport.experiments import digits_validation_split
    >>> x, _, y, _ = digits_validation_split()
    >>> cells = [{"learning_rate": 0.01, "l2": 1e-4}, {"learning_rate": 100.0, "l2": 1.0}]
    >>> [r.diverged for r in train_digits_cells(x, y, cells, [1, 2], 1, 100)]
    [False, True]
    """
    from .reproducibility import import_tensorflow

    tf = import_tensorflow()
    cells, seeds = list(cells), [int(s) for s in seeds]
    if not cells or len(cells) != len(seeds):
        raise ValueError(f"cells and seeds: expected one seed per cell and at least one "
                         f"cell, got {len(cells)} cells and {len(seeds)} seeds")
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    x = np.asarray(x, dtype="float32").reshape(-1, 8, 8, 1)
    y = np.asarray(y)
    if len(y) != len(x):
        raise ValueError(f"y has {len(y)} labels for {len(x)} images in x")
    rates = np.array([cell["learning_rate"] for cell in cells], dtype="float32")
    l2 = np.array([cell["l2"] for cell in cells], dtype="float32")
    if not (np.all(rates > 0) and np.all(l2 >= 0)):
        raise ValueError(f"cells: expected positive learning rates and non-negative l2, "
                         f"got {cells!r}")

    initial = [_initial_weights(seed, filters, hidden) for seed in seeds]
    weights = [[tf.Variable(part) for part in parts] for parts in initial]
    one_hot_all = tf.one_hot(y, 10)
    images_all = tf.constant(x)
    n_cells = len(cells)

    def loss_of(cell, indices):
        return _loss(weights[cell], tf.gather(images_all, indices),
                     tf.gather(one_hot_all, indices), float(l2[cell]))

    everything, compiled_loss = tf.range(len(x)), tf.function(loss_of)
    initial_loss = np.array([float(compiled_loss(cell, everything))
                             for cell in range(n_cells)])
    limits = 10 * initial_loss
    live = [tf.Variable(True) for _ in range(n_cells)]  # False once a cell has diverged
    worst = [tf.Variable(-np.inf, dtype=tf.float32) for _ in range(n_cells)]

    @tf.function(reduce_retracing=True)
    def step(indices):
        # One sub-graph per cell, of the same shapes whatever the other cells are: a
        # cell computes exactly what it would compute alone.
        for cell in range(n_cells):
            with tf.GradientTape() as tape:
                loss = loss_of(cell, indices[cell])
            gradients = tape.gradient(loss, weights[cell])
            step_loss = tf.where(tf.math.is_finite(loss), loss, np.inf)
            worst[cell].assign(tf.where(live[cell], tf.maximum(worst[cell], step_loss),
                                        worst[cell]))
            keeps = tf.logical_and(live[cell], step_loss <= limits[cell])
            # a cell that diverges at this step takes no update from it, nor later ones
            rate = tf.where(keeps, float(rates[cell]), 0.0)
            for weight, gradient in zip(weights[cell], gradients):
                finite = tf.where(tf.math.is_finite(gradient), gradient, 0.0)
                weight.assign_sub(rate * finite)
            live[cell].assign(keeps)

    orders = [_orders(len(x), batch_size, epochs, seed) for seed in seeds]
    for batches in zip(*orders):
        step(tf.constant(np.stack(batches)))
    return [CellResult(diverged=not bool(live[i].numpy()),
                       worst_step_loss=float(worst[i].numpy()),
                       initial_loss=float(initial_loss[i]),
                       weights=tuple(w.numpy() for w in weights[i]))
            for i in range(n_cells)]


def evaluate_cell(result: CellResult, x, y) -> dict:
    """Accuracy and data loss (the exact cross-entropy, without the penalty) of one
    trained cell on `x`, `y`, from the same network as training.

    Examples
    --------
    >>> from labsupport.experiments import digits_validation_split
    >>> x, x_val, y, y_val = digits_validation_split()
    >>> trained = train_digits_cells(x, y, [{"learning_rate": 0.01, "l2": 1e-4}], [1], 2, 100)
    >>> sorted(evaluate_cell(trained[0], x_val, y_val))
    ['accuracy', 'data_loss']
    """
    import tensorflow as tf

    weights = [tf.constant(part) for part in result.weights]
    images = tf.constant(np.asarray(x, dtype="float32").reshape(-1, 8, 8, 1))
    logits = _logits(weights, images).numpy().astype("float64")
    y = np.asarray(y)
    log_normaliser = np.logaddexp.reduce(logits, axis=1)
    return {"accuracy": float((logits.argmax(axis=1) == y).mean()),
            "data_loss": float(np.mean(log_normaliser - logits[np.arange(len(y)), y]))}
