"""Time 2-D cross-correlation four ways and print the ratios issue targets are judged by.

    .venv/bin/python benchmarks/conv.py            # 256 and 1024 pixels, 3x3 and 7x7
    .venv/bin/python benchmarks/conv.py --sizes 256 --kernels 3

The plain loop runs once (it takes minutes at 1024x1024 with 7x7); the others
report the best of several runs. Every result is checked against SciPy first.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import scipy.signal

import labsupport
from labsupport import conv


def best_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 1024])
    parser.add_argument("--kernels", type=int, nargs="+", default=[3, 7])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    tf = labsupport.import_tensorflow()
    print(f"{platform.processor() or platform.machine()}, {platform.python_version()}, "
          f"numpy {np.__version__}, scipy {scipy.__version__}, tensorflow {tf.__version__}")
    header = f"{'image':>9} {'kernel':>6} {'loop s':>9} {'vectorised s':>13} {'scipy s':>9} {'tf s':>9} " \
             f"{'loop/vec':>9} {'vec/scipy':>10}"
    print(header)
    rng = np.random.default_rng(0)
    for size in args.sizes:
        image = rng.normal(size=(size, size))
        for k in args.kernels:
            kernel = rng.normal(size=(k, k))
            reference = scipy.signal.correlate2d(image, kernel, mode="valid")
            image_tf = tf.constant(image[None, :, :, None].astype(np.float32))
            kernel_tf = tf.constant(kernel[:, :, None, None].astype(np.float32))
            checks = {
                "vectorised": conv.correlate2d(image, kernel),
                "tf": tf.nn.conv2d(image_tf, kernel_tf, 1, "VALID").numpy()[0, :, :, 0],
            }
            for name, result in checks.items():
                assert np.allclose(result, reference, atol=1e-3), name
            loop = best_time(lambda: conv.correlate2d_loop(image, kernel), repeats=1)
            vectorised = best_time(lambda: conv.correlate2d(image, kernel), args.repeats)
            scipy_time = best_time(lambda: scipy.signal.correlate2d(image, kernel, mode="valid"), args.repeats)
            tf_time = best_time(lambda: tf.nn.conv2d(image_tf, kernel_tf, 1, "VALID").numpy(), args.repeats)
            print(f"{size:>4}x{size:<4} {k:>3}x{k:<2} {loop:9.3f} {vectorised:13.5f} {scipy_time:9.5f} "
                  f"{tf_time:9.5f} {loop / vectorised:8.0f}x {vectorised / scipy_time:9.2f}x", flush=True)
    print("targets: loop/vec >= 100x at 256x256 with 3x3; vec/scipy <= 2x (lower is faster)")


if __name__ == "__main__":
    main()
