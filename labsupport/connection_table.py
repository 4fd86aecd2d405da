"""LeNet-5's C3: a convolution in which each output map sees only some input maps.

LeCun et al. (1998, Table I) connect C3's 16 maps to S2's 6 maps sparsely: maps
0-5 each see 3 neighbouring input maps, 6-11 see 4 neighbouring ones, 12-14 see
4 non-neighbouring ones, and 15 sees all 6. That is 60 connections of a 5x5
kernel, 1,500 weights plus 16 biases = 1,516 parameters, against 2,416 for a
fully connected C3. Their reasons: fewer parameters, and different maps forced
to extract different features because they see different inputs.
"""

from __future__ import annotations

import numpy as np

from .reproducibility import import_tensorflow

# input maps of each C3 output map (LeCun et al. 1998, Table I)
LECUN_C3_INPUTS = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (3, 4, 5),
    (4, 5, 0),
    (5, 0, 1),
    (0, 1, 2, 3),
    (1, 2, 3, 4),
    (2, 3, 4, 5),
    (3, 4, 5, 0),
    (4, 5, 0, 1),
    (5, 0, 1, 2),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


def lecun_c3_table() -> np.ndarray:
    """LeNet-5's C3 connection table: ``table[i, o]`` when output `o` sees input `i`.

    Returns
    -------
    ndarray of bool, shape (6, 16)

    Examples
    --------
    >>> table = lecun_c3_table()
    >>> table.shape, int(table.sum())
    ((6, 16), 60)
    """
    table = np.zeros((6, len(LECUN_C3_INPUTS)), dtype=bool)
    for output, inputs in enumerate(LECUN_C3_INPUTS):
        table[list(inputs), output] = True
    return table


def connection_table_layer(
    table,
    kernel_size: int,
    activation=None,
    seed: int | None = None,
    name: str | None = None,
):
    """A Keras layer: a valid, stride-1 convolution with only the weights `table` has.

    Its trainable weights are one ``kernel_size x kernel_size`` kernel per
    connection and one bias per output map, so ``count_params()`` counts
    exactly those. The forward pass scatters them into a full HWIO kernel
    (zeros elsewhere) and convolves, so the layer equals a ``Conv2D`` whose
    kernel is zero outside the table.

    Parameters
    ----------
    table : array_like of bool, shape (in_channels, out_channels)
    kernel_size : int
    activation : str or None
    seed : int, optional
        Seeds the Glorot-uniform initial kernel (drawn for the full kernel,
        then restricted to the table).
    name : str, optional

    Raises
    ------
    ValueError
        If `table` is not 2-D boolean, or leaves an output map with no input.

    Examples
    --------
    >>> import keras
    >>> layer = connection_table_layer(lecun_c3_table(), 5)
    >>> model = keras.Sequential([keras.Input((14, 14, 6)), layer])
    >>> model.count_params(), model.output_shape
    (1516, (None, 10, 10, 16))
    """
    table = np.asarray(table)
    if table.ndim != 2 or table.dtype != bool:
        raise ValueError(
            f"table has shape {table.shape} and dtype {table.dtype}: "
            "expected a 2-D boolean (in_channels, out_channels) array"
        )
    if not table.any(axis=0).all():
        empty = np.flatnonzero(~table.any(axis=0)).tolist()
        raise ValueError(
            f"table: output maps {empty} have no input: expected at least one each"
        )
    import_tensorflow()
    import keras
    from keras import ops

    inputs, outputs = np.nonzero(table)
    # scatter[n, i, o] = 1 for the n-th connection (i, o): the full kernel is
    # kernel (kh, kw, n) contracted with it
    scatter = np.zeros((len(inputs), *table.shape), dtype="float32")
    scatter[np.arange(len(inputs)), inputs, outputs] = 1.0

    class ConnectionTableConv2D(keras.layers.Layer):
        def build(self, input_shape):
            if input_shape[-1] != table.shape[0]:
                raise ValueError(
                    f"{self.name}: the input has {input_shape[-1]} channels: expected "
                    f"{table.shape[0]}, the table's rows"
                )
            full_shape = (kernel_size, kernel_size, *table.shape)
            full = keras.initializers.GlorotUniform(seed=seed)(full_shape)
            self.kernel = self.add_weight(
                shape=(kernel_size, kernel_size, len(inputs)),
                initializer="zeros",
                name="kernel",
            )
            self.kernel.assign(ops.convert_to_numpy(full)[:, :, inputs, outputs])
            self.bias = self.add_weight(
                shape=(table.shape[1],), initializer="zeros", name="bias"
            )
            self.scatter = ops.convert_to_tensor(scatter)

        def full_kernel(self):
            """The HWIO kernel this layer convolves with: zero outside the table."""
            return ops.einsum("hwn,nio->hwio", self.kernel, self.scatter)

        def call(self, x):
            z = ops.conv(x, self.full_kernel(), strides=1, padding="valid") + self.bias
            return keras.activations.get(activation)(z)

        def compute_output_shape(self, input_shape):
            batch, h, w, _ = input_shape
            return (batch, h - kernel_size + 1, w - kernel_size + 1, table.shape[1])

    return ConnectionTableConv2D(name=name)


__all__ = ["LECUN_C3_INPUTS", "connection_table_layer", "lecun_c3_table"]
