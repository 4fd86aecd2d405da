"""Build the sparse convolution matrix of a large image, and find where the FFT beats direct convolution.

    .venv/bin/python benchmarks/toeplitz.py
    .venv/bin/python benchmarks/toeplitz.py --side 512 --image 256 --kernels 3 5 9 15 21 31 41

Prints the build time and the matrix's memory against what its non-zeros need
(one value plus one column index each), then a table of direct and FFT times.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from labsupport import conv, toeplitz


def best_time(function, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=512, help="input side for the matrix build")
    parser.add_argument("--image", type=int, default=256, help="image side for the FFT comparison")
    parser.add_argument("--kernels", type=int, nargs="+", default=[3, 5, 7, 9, 11, 15, 21, 31, 41, 61])
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(3, 3))
    seconds = best_time(lambda: toeplitz.conv_matrix(kernel, (args.side, args.side)), repeats=5)
    matrix = toeplitz.conv_matrix(kernel, (args.side, args.side))
    image = rng.normal(size=(args.side, args.side))
    assert np.allclose((matrix @ image.ravel()).reshape(args.side - 2, -1), conv.correlate2d(image, kernel))
    needed = matrix.nnz * (matrix.data.itemsize + matrix.indices.itemsize)
    used = toeplitz.conv_matrix_bytes(matrix)
    print(f"conv_matrix {args.side}x{args.side}, 3x3: {seconds:.3f} s, shape {matrix.shape}, {matrix.nnz:,} non-zeros")
    print(f"  memory {used / 1e6:.1f} MB; non-zeros need {needed / 1e6:.1f} MB; ratio {used / needed:.2f} (target <= 2)")

    image = rng.normal(size=(args.image, args.image))
    print(f"\nfull convolution of a {args.image}x{args.image} image")
    print(f"{'kernel':>7} {'direct s':>10} {'FFT s':>10} {'direct/FFT':>11}")
    crossover = None
    for k in args.kernels:
        kern = rng.normal(size=(k, k))
        direct = best_time(lambda: conv.convolve2d(image, kern, padding="full"))
        fft = best_time(lambda: toeplitz.fft_convolve2d(image, kern))
        if crossover is None and fft < direct:
            crossover = k
        print(f"{k:>4}x{k:<2} {direct:10.4f} {fft:10.4f} {direct / fft:10.1f}x", flush=True)
    print(f"FFT first faster at k = {crossover}" if crossover else "FFT never faster in this range")


if __name__ == "__main__":
    main()
