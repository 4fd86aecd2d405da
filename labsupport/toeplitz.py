"""Convolution as a matrix: Toeplitz, doubly block Toeplitz, circulant, im2col.

A correlation or convolution is linear in its input, so it *is* a matrix. These
functions build that matrix (or, for im2col, the matrix of input patches) and
the tests hold every product equal to :mod:`labsupport.conv`. Libraries never
build the big matrix; the chapter measures why.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse

from .conv import (PADDING_MODES, _built_size, _padded_window, _read_extent, check_boundary, output_shape,
                   resolve_padding)
from .validation import (ITEM, ArgumentTypeError, check_array, check_choice, check_int, check_loops,
                         check_memory, check_pair, check_shape)

# scipy.sparse indexes with int64: an input of more pixels than this has no matrix
_MAX_PIXELS = 2**62


def toeplitz_1d(w, n: int, mode: str = "full") -> np.ndarray:
    """The matrix ``T`` with ``T @ x == convolve1d(x, w, mode)`` for every ``x`` of length `n`.

    Entry ``T[i, j]`` is ``w[i - j + offset]``: constant along every diagonal, which
    is what makes a matrix Toeplitz. ``"full"`` gives ``(n + m - 1) x n``; ``"valid"``
    and ``"same"`` keep a band of its rows.

    Parameters
    ----------
    w : array_like, 1-D, length m
    n : int
        Length of the input.
    mode : {"full", "valid", "same"}

    Raises
    ------
    ValueError
        For an unknown mode, ``n < 1``, or ``m > n`` in ``"valid"``.

    Examples
    --------
    >>> toeplitz_1d([1, 2], 3).astype(int).tolist()
    [[1, 0, 0], [2, 1, 0], [0, 2, 1], [0, 0, 2]]
    """
    w = check_array("w", w, ndim=1)
    n = check_int("n", n, minimum=1)
    check_choice("mode", mode, PADDING_MODES)
    m = w.size
    if mode == "valid" and m > n:
        raise ValueError(f"w has length {m} but the input only {n}: expected len(w) <= n in 'valid' mode")
    # index grids, lags, masks and the matrix itself, each (n + m - 1) x n
    check_memory(6 * ITEM * (n + m - 1) * n, "toeplitz_1d", w=w, n=n, mode=mode)
    i, j = np.indices((n + m - 1, n))
    lag = i - j
    full = np.where((lag >= 0) & (lag < m), w[np.clip(lag, 0, m - 1)], 0.0)
    if mode == "full":
        return full
    if mode == "valid":
        return full[m - 1 : n]
    start = (m - 1) // 2  # NumPy's centring of "same"
    return full[start : start + n]


def circulant_1d(w, n: int) -> np.ndarray:
    """The ``n x n`` circulant matrix of circular convolution with `w` (zero-filled to length `n`).

    ``C @ x`` equals ``ifft(fft(x) * fft(w, n))``: each row is the previous one
    rotated by one place, and the DFT diagonalises it.

    Examples
    --------
    >>> circulant_1d([1, 2], 3).astype(int).tolist()
    [[1, 0, 2], [2, 1, 0], [0, 2, 1]]
    """
    w = check_array("w", w, ndim=1)
    n = check_int("n", n, minimum=1)
    if w.size > n:
        raise ValueError(f"w has length {w.size}: expected at most n={n} taps for an n-point circular convolution")
    check_memory(4 * ITEM * n * n, "circulant_1d", w=w, n=n)
    column = np.zeros(n)
    column[: w.size] = w
    i, j = np.indices((n, n))
    return column[(i - j) % n]


def _output_geometry(kernel_shape, input_shape, padding, stride, dilation, names=("input_shape", "k")):
    pads, k_eff = resolve_padding(padding, input_shape, kernel_shape, stride, dilation, names=names)
    stride = check_pair("stride", stride, 1)
    dilation = check_pair("dilation", dilation, 1)
    out = output_shape(input_shape, k_eff, pads, stride)
    extent = tuple(_read_extent(o, ke, s) for o, ke, s in zip(out, k_eff, stride))
    # a stride applied to one output only, or a dilation of a one-tap kernel, never moves anything:
    # clipping them to the extent changes no index and keeps the index arithmetic inside int64
    stride = tuple(min(s, e) for s, e in zip(stride, extent))
    dilation = tuple(min(d, e) for d, e in zip(dilation, extent))
    if max(extent) >= _MAX_PIXELS:
        raise ValueError(f"padding={padding!r}, stride={stride!r} and dilation={dilation!r} make the windows span "
                         f"{max(extent)} positions along one axis: expected fewer than 2**62, what int64 indices "
                         "can address")
    return pads, stride, dilation, out, extent


def conv_matrix(k, input_shape, padding="valid", stride=1, dilation=1, sparse=True, boundary="fill"):
    """The matrix ``M`` of a 2-D cross-correlation with kernel `k`.

    ``(M @ x.ravel()).reshape(out_shape) == correlate2d(x, k, padding, stride, dilation, boundary)``
    for every image ``x`` of `input_shape`. Row ``r`` holds the kernel laid out where
    output ``r`` reads the image: a *doubly block Toeplitz* matrix (block circulant
    with circulant blocks when ``boundary="wrap"``).

    Parameters
    ----------
    k : array_like, shape (kh, kw)
    input_shape : (int, int)
    padding, stride, dilation, boundary
        As for :func:`labsupport.conv.correlate2d`.
    sparse : bool, default True
        Return a ``scipy.sparse`` CSR matrix (only the non-zeros are stored), or a
        dense ndarray.

    Returns
    -------
    scipy.sparse.csr_matrix or ndarray, shape (out_h * out_w, rows * cols)

    Raises
    ------
    ValueError
        As :func:`labsupport.conv.correlate2d` does for the same arguments.

    Examples
    --------
    >>> conv_matrix([[1, 2], [3, 4]], (3, 3), sparse=False).astype(int)[0].tolist()
    [1, 2, 0, 3, 4, 0, 0, 0, 0]
    """
    k = check_array("k", k, ndim=2)
    rows, cols = check_shape("input_shape", input_shape, 2)
    check_boundary(boundary)
    if not isinstance(sparse, (bool, np.bool_)):
        raise ArgumentTypeError(f"sparse={sparse!r}: expected True or False")
    if rows * cols > _MAX_PIXELS:
        raise ValueError(f"input_shape={input_shape!r}: expected at most 2**62 pixels, what sparse indices can address")
    pads, (sh, sw), (dh, dw), (out_h, out_w), _ = _output_geometry(k.shape, (rows, cols), padding, stride, dilation)
    kh, kw = k.shape
    # ten int64/float arrays of one entry per (output, tap), and the dense matrix if asked for
    taps = out_h * out_w * kh * kw
    check_memory(ITEM * (10 * taps + (0 if sparse else out_h * out_w * rows * cols)), "conv_matrix", k=k,
                 input_shape=input_shape, padding=padding, stride=stride, dilation=dilation, sparse=sparse)
    # every (output row, output col, kernel row, kernel col) at once
    i, j, m, n = np.meshgrid(np.arange(out_h), np.arange(out_w), np.arange(kh), np.arange(kw), indexing="ij")
    r = i * sh + m * dh - pads[0][0]
    c = j * sw + n * dw - pads[1][0]
    if boundary == "wrap":
        r, c = r % rows, c % cols
        inside = np.ones(r.shape, dtype=bool)
    else:
        inside = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)  # taps on padding read zeros: no entry
    values = np.broadcast_to(k, r.shape)[inside]
    in_index = (r * cols + c)[inside]
    shape = (out_h * out_w, rows * cols)
    if boundary == "fill":
        # entries come out row by row with increasing columns: CSR directly, no sort
        per_row = inside.reshape(out_h * out_w, kh * kw).sum(axis=1)
        indptr = np.concatenate([[0], np.cumsum(per_row)])
        matrix = scipy.sparse.csr_matrix((values, in_index, indptr), shape=shape)
    else:
        out_index = (i * out_w + j)[inside]
        matrix = scipy.sparse.coo_matrix((values, (out_index, in_index)), shape=shape).tocsr()
        matrix.sum_duplicates()  # wrap can fold two taps onto one pixel
    matrix.eliminate_zeros()
    return matrix if sparse else matrix.toarray()


def conv_matrix_bytes(matrix) -> int:
    """Bytes a sparse CSR matrix occupies: values, column indices and row pointers.

    Examples
    --------
    >>> conv_matrix_bytes(conv_matrix(np.ones((2, 2)), (3, 3)))  # 16 values, 16 indices, 5 row pointers
    212
    """
    if not scipy.sparse.issparse(matrix) or matrix.format != "csr":
        raise ArgumentTypeError(f"matrix={type(matrix).__name__}: expected a scipy.sparse CSR matrix, "
                                "as conv_matrix returns")
    return matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes


def conv_transpose(y, k, input_shape, padding="valid", stride=1, dilation=1) -> np.ndarray:
    """The transposed convolution: ``M.T @ y`` for the ``M`` of ``conv_matrix(k, input_shape, ...)``.

    It maps an output-shaped array back to the input's shape. It is the gradient
    of ``sum(y * correlate2d(x, k, ...))`` with respect to ``x``, and what
    ``keras.layers.Conv2DTranspose`` computes.

    Examples
    --------
    >>> conv_transpose([[1.0]], [[1, 2], [3, 4]], (2, 2)).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    y = check_array("y", y, ndim=2)
    k = check_array("k", k, ndim=2)
    input_shape = check_shape("input_shape", input_shape, 2)
    _, _, _, out, _ = _output_geometry(k.shape, input_shape, padding, stride, dilation)
    if y.shape != out:
        raise ValueError(f"y has shape {y.shape}: expected {out}, the output shape of the forward correlation of "
                         f"k (shape {k.shape}) over input_shape={input_shape} with padding={padding!r}, "
                         f"stride={stride!r}, dilation={dilation!r}")
    matrix = conv_matrix(k, input_shape, padding, stride, dilation)
    return (matrix.T @ y.ravel()).reshape(input_shape)


def im2col(x, kernel_shape, padding="valid", stride=1, dilation=1) -> np.ndarray:
    """Every input patch as a row, so that correlation becomes one matrix product.

    For a 2-D image, ``im2col(x, k.shape) @ k.ravel()`` is ``correlate2d(x, k).ravel()``.
    For an NHWC batch and an HWIO kernel ``w``, ``im2col(x, w.shape[:2]) @
    w.reshape(-1, w.shape[3])`` is ``conv2d(x, w)`` with the batch and positions
    flattened into rows: the GEMM that libraries hand to BLAS.

    Parameters
    ----------
    x : array_like, shape (h, w) or (batch, h, w, channels)
    kernel_shape : (int, int)

    Returns
    -------
    ndarray, shape (out_h * out_w, kh * kw) or (batch * out_h * out_w, kh * kw * channels)

    Examples
    --------
    >>> im2col(np.arange(9.0).reshape(3, 3), (2, 2))[0].tolist()
    [0.0, 1.0, 3.0, 4.0]
    """
    x = check_array("x", x, ndim=(2, 4))
    if x.ndim == 2:
        return im2col(x[None, :, :, None], kernel_shape, padding, stride, dilation)
    kh, kw = check_shape("kernel_shape", kernel_shape, 2)
    pads, (sh, sw), (dh, dw), (out_h, out_w), extent = _output_geometry((kh, kw), x.shape[1:3], padding, stride,
                                                                        dilation, names=("x", "kernel_shape"))
    batch, channels = x.shape[0], x.shape[3]
    plane = _built_size(x.shape[1:3], pads, extent)
    check_memory(ITEM * (batch * plane * channels + batch * out_h * out_w * kh * kw * channels),
                 "im2col", x=x, kernel_shape=kernel_shape, padding=padding, stride=stride, dilation=dilation)
    xp = _padded_window(x, pads, extent, axes=(1, 2))
    rows = (np.arange(out_h) * sh)[:, None] + (np.arange(kh) * dh)[None, :]  # (out_h, kh)
    cols = (np.arange(out_w) * sw)[:, None] + (np.arange(kw) * dw)[None, :]  # (out_w, kw)
    patches = xp[:, rows[:, None, :, None], cols[None, :, None, :], :]  # (batch, out_h, out_w, kh, kw, channels)
    return patches.reshape(x.shape[0] * out_h * out_w, kh * kw * x.shape[3])


def fft_convolve2d(x, k) -> np.ndarray:
    """Full 2-D convolution through the FFT: zero-pad both to the full size, multiply spectra.

    Padding to ``x.shape + k.shape - 1`` makes the circular convolution the FFT
    computes equal to the ordinary one (no wrap-around).

    Examples
    --------
    >>> np.round(fft_convolve2d([[1, 2]], [[1, 1]]), 10).tolist()
    [[1.0, 3.0, 2.0]]
    """
    x = check_array("x", x, ndim=2)
    k = check_array("k", k, ndim=2)
    shape = (x.shape[0] + k.shape[0] - 1, x.shape[1] + k.shape[1] - 1)
    # three spectra of complex128 and the real result
    check_memory((3 * 16 * (shape[1] // 2 + 1) + ITEM * shape[1]) * shape[0], "fft_convolve2d", x=x, k=k)
    return np.fft.irfft2(np.fft.rfft2(x, shape) * np.fft.rfft2(k, shape), shape)


def circular_convolve1d(x, w) -> np.ndarray:
    """Circular convolution ``y[i] = sum_m x[(i - m) mod n] w[m]`` by the definition.

    Examples
    --------
    >>> circular_convolve1d([1, 2, 3], [0, 1]).tolist()
    [3.0, 1.0, 2.0]
    """
    x = check_array("x", x, ndim=1)
    w = check_array("w", w, ndim=1)
    n = x.size
    if w.size > n:
        raise ValueError(f"w has length {w.size}: expected at most len(x)={n}")
    check_loops(n * w.size, "circular_convolve1d", x=x, w=w)
    return np.array([sum(x[(i - m) % n] * w[m] for m in range(w.size)) for i in range(n)])


def conv_matrix_size(input_shape, kernel_shape, padding="same", stride=1, dilation=1) -> dict:
    """How big the matrix of a multi-channel convolution layer would be.

    Parameters
    ----------
    input_shape : (h, w, c_in)
    kernel_shape : (kh, kw, c_in, c_out)
        HWIO, as Keras stores it.

    Returns
    -------
    dict
        ``rows`` (outputs), ``cols`` (inputs), ``dense_entries`` (rows x cols),
        ``nonzeros`` (for a kernel without zero weights) and ``kernel_weights``.

    Examples
    --------
    >>> conv_matrix_size((4, 4, 1), (3, 3, 1, 1), padding="valid")["nonzeros"]
    36
    """
    h, w, c_in = check_shape("input_shape", input_shape, 3)
    kh, kw, k_in, c_out = check_shape("kernel_shape", kernel_shape, 4)
    if k_in != c_in:
        raise ValueError(f"kernel_shape has {k_in} input channels but input_shape has {c_in}: expected them to match")
    pads, stride, dilation, (out_h, out_w), _ = _output_geometry((kh, kw), (h, w), padding, stride, dilation,
                                                                 names=("input_shape", "kernel_shape"))
    # one input channel to one output channel; every (in, out) pair repeats its pattern. A kernel
    # without zero weights has one entry per (output, tap) that lands inside the image, and rows
    # and columns count separately: the matrix is never built.
    inside = (_taps_inside(n, k, out, s, d, before, request)
              for n, k, out, s, d, (before, _), request in zip(
                  (h, w), (kh, kw), (out_h, out_w), stride, dilation, pads, ("rows", "columns")))
    rows, cols = out_h * out_w * c_out, h * w * c_in
    return {
        "rows": rows,
        "cols": cols,
        "dense_entries": rows * cols,
        "nonzeros": math.prod(inside) * c_in * c_out,
        "kernel_weights": kh * kw * c_in * c_out,
    }


def _taps_inside(n, k, out, s, d, before, axis) -> int:
    """Pairs (output i < out, tap m < k) whose input position ``i*s + m*d - before`` is in ``[0, n)``.

    For each value of the shorter of the two indices, the other one runs over
    an interval: count its length, without enumerating the pairs.
    """
    (a_count, a_step), (b_count, b_step) = sorted([(out, s), (k, d)])
    check_memory(4 * ITEM * a_count, "conv_matrix_size", **{f"{axis} to count": a_count})
    offset = np.arange(a_count, dtype=object if before + n + a_count * a_step >= 2**62 else np.int64) * a_step
    low, high = before - offset, before + n - offset  # b * b_step must lie in [low, high)
    first = np.maximum(-(-low // b_step), 0)
    stop = np.minimum(-(-high // b_step), b_count)
    return int(np.maximum(stop - first, 0).sum())


def latex_matrix(codes, names) -> str:
    r"""A LaTeX ``bmatrix`` of a matrix built from a coded kernel, with symbols for the codes.

    Build a matrix from a kernel whose entries are the codes 1, 2, ...; this writes
    code ``c`` as ``names[c - 1]`` and 0 as 0.

    Examples
    --------
    >>> print(latex_matrix(toeplitz_1d([1, 2], 2), ["a_0", "a_1"]))
    \begin{bmatrix} a_0 & 0 \\ a_1 & a_0 \\ 0 & a_1 \end{bmatrix}
    """
    codes = check_array("codes", codes.toarray() if scipy.sparse.issparse(codes) else codes, ndim=2)
    if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) for name in names):
        raise ArgumentTypeError(f"names={names!r}: expected a list of strings, one per code")
    if not np.all((codes == np.round(codes)) & (codes >= 0) & (codes <= len(names))):
        raise ValueError(f"codes has entries {np.unique(codes)[:8].tolist()} and names {len(names)} entries: "
                         f"expected integer codes 0..{len(names)}, one name per non-zero code")
    check_memory(64 * codes.size, "latex_matrix", codes=codes)
    rows = [" & ".join(names[int(code) - 1] if code else "0" for code in row) for row in codes]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"
