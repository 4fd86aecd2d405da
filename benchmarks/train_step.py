"""How close each network's training step comes to what this machine can do.

For every network the book trains, the training step's throughput (images per second,
measured with Keras' fit on random data of the network's input shape) and the
arithmetic it achieves (GFLOP/s: images per second times the training FLOPs per image,
counted from the layers by labsupport.flops), against the machine's practical peak,
measured in the same run as the best of several large float32 matrix products. The
last column is the fraction of that peak: 1.0 would mean the step does nothing but
arithmetic at the speed of a large matrix product.

    .venv/bin/python benchmarks/train_step.py
    .venv/bin/python benchmarks/train_step.py --steps 40 --only mnist

The row "digits-x49" is the digits grid's way of training: 49 cells of the digits
network in one computation (labsupport.batched_training); its images per second count
every cell's images.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from labsupport import flops, models
from labsupport.reproducibility import import_tensorflow

NETWORKS = {
    "digits": (lambda: models.digits_cnn(0.1, 1e-4, seed=0), (8, 8, 1), 100),
    "lenet5": (lambda: models.lenet5(c3="table", seed=0), (28, 28, 1), 64),
    "mnist": (lambda: models.mnist_cnn(seed=0), (28, 28, 1), 128),
    "mnist-3x3": (lambda: models.mnist_cnn(kernel_size=3, seed=0), (28, 28, 1), 128),
    "cifar10-tutorial": (lambda: models.cifar10_tutorial_cnn(seed=0), (32, 32, 3), 64),
    "cifar10-improved": (lambda: models.cifar10_improved_cnn(seed=0), (32, 32, 3), 64),
}


def peak_gflops(size: int = 2048, repeats: int = 5) -> float:
    """The best GFLOP/s of `repeats` float32 size x size matrix products in TensorFlow."""
    tf = import_tensorflow()
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    (a @ b).numpy()  # warm up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        (a @ b).numpy()
        best = min(best, time.perf_counter() - start)
    return flops.gflops_per_second(flops.matmul_flops(size), best)


def images_per_second(model, shape, batch_size: int, steps: int) -> float:
    """Training images per second of `model.fit`, after one warm-up epoch."""
    rng = np.random.default_rng(0)
    count = batch_size * steps
    x = rng.random((count, *shape), dtype=np.float32)
    y = rng.integers(0, 10, count)
    if model.output_shape[-1] == 10 and "sparse" not in str(model.loss):
        y = np.eye(10, dtype=np.float32)[y]  # the digits network takes one-hot labels
    model.fit(x[:batch_size * 2], y[:batch_size * 2], batch_size=batch_size, epochs=1,
              verbose=0)
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    return count / (time.perf_counter() - start)


def batched_digits_images_per_second(cells: int, steps: int) -> float:
    """Training images per second of `cells` digits networks trained together by
    labsupport.batched_training: after a warm-up, the time of 10 epochs of `steps` steps
    more, so that compiling and cutting out the neighbourhoods are not counted."""
    from labsupport.batched_training import train_digits_cells

    rng = np.random.default_rng(0)
    x = rng.random((100 * steps, 8, 8, 1), dtype=np.float32)
    y = rng.integers(0, 10, len(x))
    grid = [{"learning_rate": 0.01, "l2": 1e-4}] * cells
    seconds = {}
    for epochs in (1, 1, 11):  # the first is the warm-up
        start = time.perf_counter()
        train_digits_cells(x, y, grid, list(range(cells)), epochs, 100)
        seconds[epochs] = time.perf_counter() - start
    return 10 * cells * len(x) / (seconds[11] - seconds[1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="training steps timed")
    parser.add_argument("--only", choices=sorted([*NETWORKS, "digits-x49"]), action="append",
                        help="time only this network (repeatable)")
    args = parser.parse_args(argv)
    import_tensorflow()
    import keras

    peak = peak_gflops()
    print(f"backend {keras.backend.backend()}; practical peak (2048^2 float32 matmul): "
          f"{peak:.1f} GFLOP/s")
    print(f"{'network':18} {'batch':>5} {'MFLOP/image':>12} {'images/s':>10} "
          f"{'GFLOP/s':>8} {'of peak':>8}")
    for name in args.only or [*NETWORKS, "digits-x49"]:
        build, shape, batch_size = NETWORKS[name.removesuffix("-x49")]
        model = build()
        per_image = flops.training_flops(model)
        if name.endswith("-x49"):
            rate = batched_digits_images_per_second(49, args.steps)
        else:
            rate = images_per_second(model, shape, batch_size, args.steps)
        achieved = rate * per_image / 1e9
        print(f"{name:18} {batch_size:>5} {per_image / 1e6:>12.2f} {rate:>10.0f} "
              f"{achieved:>8.2f} {achieved / peak:>8.1%}", flush=True)


if __name__ == "__main__":
    main()
