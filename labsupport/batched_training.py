"""Many cells of the digits grid trained in one computation.

The digits network has 8,660 parameters, and one SGD step of 100 images costs a few
megaflops: Keras spends far longer dispatching a step than computing it. The cells of
the learning-rate x L2 grid share the architecture and the data; only the step size,
the penalty, the initial weights and the order of the images differ. So
:func:`train_digits_cells` stacks the cells' weights along a leading cell axis and
takes every cell's step with one set of operations: the convolution is a batched
matrix product of each image's 3 x 3 neighbourhoods (cut out once, before training)
with each cell's kernel, the dense layers are batched matrix products, and nothing
ever adds one cell's numbers to another's.

A cell's result is a function of its own parameters and seed, whatever cells it is
trained with, and exactly so, not only to float32 rounding: every sum a cell needs is
a batched matrix product or a reduction within the cell's own contiguous slot, whose
order of addition TensorFlow does not change with the slot or the number of cells.
Three things needed care (the tests catch each):

* A bias's gradient, a sum over the batch, is a reduction that TensorFlow vectorises
  across neighbouring slots, and a cell's sum then depended on its slot. So each bias
  is the last row of its layer's kernel, against a column of ones in the layer's
  input, and its gradient is part of the kernel's matrix product.
* A batched matrix product of a single cell splits its long sums between threads,
  where a batch of two or more gives each cell one thread. So a cell trained alone is
  trained beside a copy of itself, whose result is dropped.
* TensorFlow computes exp and log in packets of numbers and the last few numbers of a
  tensor one at a time, in the last bit differently; the last cell of a batch of an
  odd size had some of those. So the softmax gets blank rows and columns up to a
  multiple of 16 in every cell (:func:`_cross_entropies`).

Each cell starts from the weights :func:`labsupport.models.digits_cnn` gives its seed,
sees its images in the order :func:`image_orders` gives its seed (the order in which
:func:`labsupport.experiments.fit_digits` feeds them to Keras), and takes plain SGD
steps on the mean cross-entropy (from the logits) plus ``l2 * sum(w**2)`` over the
kernels, as Keras does; only the order of additions differs from Keras'. The network
is Keras' with ReLU and max pooling swapped, which changes no number and no gradient,
since the largest of rectified values is the rectified largest, and leaves a quarter
as many values to rectify. Every step's loss is checked for every cell: a cell whose
loss is non-finite or above its limit (ten times its initial loss) is recorded as
diverged and frozen from that step on, so that it cannot send infinities or NaNs
anywhere, its neighbours included.
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


def image_orders(n: int, batch_size: int, epochs: int, seed: int) -> list:
    """The image indices of every training step of a cell with this seed: each epoch a
    permutation of the `n` images from ``numpy.random.default_rng(seed)``, cut into
    batches, the last of them smaller when `batch_size` does not divide `n`.

    Examples
    --------
    >>> [batch.tolist() for batch in image_orders(5, 2, 1, seed=0)]
    [[2, 4], [3, 0], [1]]
    """
    generator = np.random.default_rng(seed)
    return [order[start:start + batch_size]
            for order in (generator.permutation(n) for _ in range(epochs))
            for start in range(0, n, batch_size)]


def _with_ones(inputs):
    """`inputs` with a column of ones appended: the input of a bias."""
    import tensorflow as tf

    return tf.concat([inputs, tf.ones_like(inputs[..., :1])], axis=-1)


def _neighbourhoods(x):
    """Every pixel's 3 x 3 neighbourhood, zero-padded as "same" padding pads it, in the
    order of the kernel's rows and columns, and a 1 for the bias: (n, 8, 8, 1) images to
    (n, 64, 10)."""
    import tensorflow as tf

    step = [1, 1, 1, 1]  # the strides and the rates
    patches = tf.image.extract_patches(x, [1, 3, 3, 1], step, step, "SAME")
    return _with_ones(tf.reshape(patches, (len(x), 64, 9)))


def _affine(inputs, kernel, bias):
    """``inputs @ kernel + bias`` for every cell (leading axis), for `inputs` that end
    in a column of ones: the bias is the kernel's last row, so that its gradient, a sum
    over the batch, is a matrix product within the cell's slot like the kernel's."""
    import tensorflow as tf

    return tf.matmul(inputs, tf.concat([kernel, bias[:, None, :]], axis=1))


def _logits(weights, neighbourhoods):
    """Every cell's network up to its output layer's softmax: `weights` stacked along a
    leading cell axis, `neighbourhoods` (cells, batch, 64, 10) from
    :func:`_neighbourhoods`."""
    import tensorflow as tf

    conv_k, conv_b, hidden_k, hidden_b, out_k, out_b = weights
    cells, batch = neighbourhoods.shape[:2]
    filters = conv_k.shape[-1]
    kernels = tf.reshape(conv_k, (cells, 9, filters))
    maps = _affine(tf.reshape(neighbourhoods, (cells, batch * 64, 10)), kernels, conv_b)
    # ReLU after the pooling: the same numbers and gradients as before it
    maps = tf.reshape(maps, (cells * batch, 8, 8, filters))
    pooled = tf.nn.relu(tf.nn.max_pool2d(maps, 2, 2, "VALID"))
    flat = tf.reshape(pooled, (cells, batch, 16 * filters))  # rows, columns, channels
    hidden = tf.nn.relu(_affine(_with_ones(flat), hidden_k, hidden_b))
    return _affine(_with_ones(hidden), out_k, out_b)


def _cross_entropies(logits, one_hot):
    """The cross-entropy of every image of every cell, from (cells, batch, classes)
    logits and one-hot labels.

    TensorFlow computes exp and log in packets of 8 or 16 numbers, and the last few of
    a tensor one at a time, which can differ in the last bit: so that no cell's numbers
    are ever those last few, whatever its slot, every cell gets a multiple of 16 rows
    and 16 columns. The blank columns have a logit of -1e30 (a probability of exactly
    0), the blank rows no label (a cross-entropy of exactly 0), and the blank rows are
    dropped before anything is summed.
    """
    import tensorflow as tf

    batch, classes = one_hot.shape[-2:]
    columns = [[0, 0], [0, 0], [0, -classes % 16]]
    rows = [[0, 0], [0, -batch % 16], [0, 0]]
    logits = tf.pad(tf.pad(logits, columns, constant_values=-1e30), rows)
    labels = tf.pad(tf.pad(one_hot, columns), rows)
    return tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)[:, :batch]


def _losses(weights, neighbourhoods, one_hot, l2):
    """Every cell's mean cross-entropy over its batch plus its kernels' L2 penalty.

    The cross-entropy is computed from the logits, as Keras computes it for a softmax
    output layer (it keeps the logits and never clips a probability), so it is exact
    where a probability underflows and its gradient does not vanish there.
    """
    import tensorflow as tf

    data = tf.reduce_mean(_cross_entropies(_logits(weights, neighbourhoods), one_hot),
                          axis=-1)
    kernels = (weights[0], weights[2], weights[4])
    penalty = sum(tf.reduce_sum(tf.square(tf.reshape(k, (k.shape[0], -1))), axis=1)
                  for k in kernels)
    return data + l2 * penalty


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

    # a single cell is trained beside a copy of itself (see the module's docstring)
    slots = [*range(len(cells)), 0] if len(cells) == 1 else list(range(len(cells)))
    initial = [_initial_weights(seeds[slot], filters, hidden) for slot in slots]
    weights = [tf.Variable(np.stack(parts)) for parts in zip(*initial)]
    rates, l2 = tf.constant(rates[slots]), tf.constant(l2[slots])
    neighbourhoods, one_hot = _neighbourhoods(tf.constant(x)), tf.one_hot(y, 10)

    @tf.function
    def losses_of(indices):  # indices: (slots, batch) image numbers for every cell
        return _losses(weights, tf.gather(neighbourhoods, indices),
                       tf.gather(one_hot, indices), l2)

    initial_loss = losses_of(np.tile(np.arange(len(x)), (len(slots), 1))).numpy()
    limits = tf.constant(10 * initial_loss)
    live = tf.Variable(np.ones(len(slots), bool))  # False once a cell has diverged
    worst = tf.Variable(np.full(len(slots), -np.inf, "float32"))

    @tf.function
    def step(indices):
        with tf.GradientTape() as tape:
            losses = losses_of(indices)
            total = tf.reduce_sum(losses)  # its gradient is each cell's loss's own
        gradients = tape.gradient(total, weights)
        step_loss = tf.where(tf.math.is_finite(losses), losses, np.inf)
        worst.assign(tf.where(live, tf.maximum(worst, step_loss), worst))
        keeps = tf.logical_and(live, step_loss <= limits)
        # a cell that diverges at this step takes no update from it, nor later ones
        rate = tf.where(keeps, rates, 0.0)
        for weight, gradient in zip(weights, gradients):
            finite = tf.where(tf.math.is_finite(gradient), gradient, 0.0)
            weight.assign_sub(tf.reshape(rate, (-1,) + (1,) * (weight.shape.rank - 1))
                              * finite)
        live.assign(keeps)

    orders = [image_orders(len(x), batch_size, epochs, seeds[slot]) for slot in slots]
    for batches in zip(*orders):
        step(np.stack(batches))
    return [CellResult(diverged=not bool(live[i].numpy()),
                       worst_step_loss=float(worst[i].numpy()),
                       initial_loss=float(initial_loss[i]),
                       weights=tuple(w[i].numpy() for w in weights))
            for i in range(len(cells))]


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

    weights = [tf.constant(part[None]) for part in result.weights]
    images = tf.constant(np.asarray(x, dtype="float32").reshape(-1, 8, 8, 1))
    logits = _logits(weights, _neighbourhoods(images)[None])[0]
    logits = logits.numpy().astype("float64")
    y = np.asarray(y)
    log_normaliser = np.logaddexp.reduce(logits, axis=1)
    return {"accuracy": float((logits.argmax(axis=1) == y).mean()),
            "data_loss": float(np.mean(log_normaliser - logits[np.arange(len(y)), y]))}
