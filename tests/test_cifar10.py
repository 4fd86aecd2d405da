"""CIFAR-10: the verified-archive reader on archives in the real on-disk format, the
stand-in, and the model builders."""

import io
import os
import pickle
import shutil
import struct
import tarfile

import numpy as np
import pytest

from labsupport import arith, datasets, models
from labsupport.datasets import cifar10 as cifar10_module
from labsupport.datasets import (CIFAR10_ARCHIVE_NAMES, ChecksumError, DatasetNotFoundError, cifar10_stand_in,
                                 digest_of, load_cifar10, read_cifar10, read_cifar10_archive)
from labsupport.show import stand_in_banner

NAMES = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]
PER_BATCH = 7  # the real batches hold 10,000 images; the format does not depend on it


class Python2Pickler(pickle._Pickler):
    """Pickles as Python 2's cPickle wrote the CIFAR-10 batches: protocol 2, str as byte strings."""

    dispatch = pickle._Pickler.dispatch.copy()

    def save_byte_string(self, obj):
        data = obj.encode("latin-1") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = save_byte_string
    dispatch[str] = save_byte_string


def python2_pickle(obj) -> bytes:
    stream = io.BytesIO()
    Python2Pickler(stream, protocol=2).dump(obj)
    # the real files name NumPy 1's module, which NumPy 2 renamed
    return stream.getvalue().replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


def planes(images):
    """Rows as the real batches store them: the 1,024 red values, then green, then blue."""
    return np.stack([np.concatenate([image[:, :, channel].ravel() for channel in range(3)])
                     for image in images]).astype(np.uint8)


def write_archive(path, batches, extra=None):
    """A tar.gz with the folder ``cifar-10-batches-py/`` holding `batches` (name -> bytes)."""
    with tarfile.open(path, "w:gz") as archive:
        for name, content in {**batches, **(extra or {})}.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


@pytest.fixture
def small_cifar(tmp_path):
    """A CIFAR-10 archive in the exact on-disk format, with 7 images per batch, and its truth."""
    rng = np.random.default_rng(0)
    batches, truth = {}, {}
    for index, name in enumerate([*(f"data_batch_{i}" for i in range(1, 6)), "test_batch"]):
        images = rng.integers(0, 256, size=(PER_BATCH, 32, 32, 3), dtype=np.uint8)
        labels = [int(label) for label in rng.integers(0, 10, size=PER_BATCH)]
        batches[name] = python2_pickle({
            b"batch_label": b"training batch %d of 5" % (index + 1) if index < 5 else b"testing batch 1 of 1",
            b"labels": labels, b"data": planes(images),
            b"filenames": [b"image_%d_%d.png" % (index, i) for i in range(PER_BATCH)],
        })
        truth[name] = (images, labels)
    batches["batches.meta"] = python2_pickle({b"num_cases_per_batch": PER_BATCH, b"label_names": NAMES,
                                              b"num_vis": 3072})
    path = write_archive(tmp_path / "cifar-10-python.tar.gz", batches,
                         extra={"readme.html": b"<html>CIFAR-10</html>"})
    return path, truth, batches


@pytest.fixture
def empty_places(data_places):
    return data_places("cifar10")


@pytest.fixture
def published(monkeypatch, small_cifar):
    """Make the small archive's digest the "published" one, as if it were the real archive."""
    monkeypatch.setattr(cifar10_module, "CIFAR10_SHA256", digest_of(small_cifar[0]))
    return small_cifar


def test_the_exact_format_is_read_correctly(small_cifar):
    path, truth, _ = small_cifar
    data = read_cifar10_archive(path, digest_of(path))
    train = [f"data_batch_{i}" for i in range(1, 6)]
    assert data.x_train.shape == (5 * PER_BATCH, 32, 32, 3) and data.x_train.dtype == np.uint8
    assert data.x_test.shape == (PER_BATCH, 32, 32, 3) and data.x_test.dtype == np.uint8
    assert data.y_train.shape == (5 * PER_BATCH,) and data.y_train.dtype == np.int64
    np.testing.assert_array_equal(data.x_train, np.concatenate([truth[name][0] for name in train]))
    assert data.y_train.tolist() == sum((truth[name][1] for name in train), [])
    np.testing.assert_array_equal(data.x_test, truth["test_batch"][0])
    assert data.y_test.tolist() == truth["test_batch"][1]
    assert data.class_names == tuple(name.decode() for name in NAMES)
    assert data.stand_in is None and "verified" in data.source


def test_the_reader_agrees_with_keras_own_batch_reader(small_cifar, tmp_path):
    pytest.importorskip("keras")
    from keras.src.datasets.cifar import load_batch  # what keras.datasets.cifar10 uses on the extracted files

    path, _, _ = small_cifar
    data = read_cifar10_archive(path, digest_of(path))
    with tarfile.open(path) as archive:
        archive.extractall(tmp_path / "out", filter="data")
    images, labels = load_batch(str(tmp_path / "out" / "cifar-10-batches-py" / "test_batch"))
    np.testing.assert_array_equal(data.x_test, images.transpose(0, 2, 3, 1))  # Keras' own transpose to NHWC
    np.testing.assert_array_equal(data.y_test, labels)


def test_a_tampered_archive_is_refused_before_anything_is_unpacked(small_cifar, monkeypatch):
    path, _, _ = small_cifar
    expected = digest_of(path)
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))
    touched = []
    monkeypatch.setattr(tarfile, "open", lambda *args, **kwargs: touched.append("tar") or pytest.fail("opened"))
    monkeypatch.setattr(datasets._BatchUnpickler, "loads",
                        classmethod(lambda cls, *args: touched.append("pickle") or pytest.fail("unpickled")))
    with pytest.raises(ChecksumError, match="Nothing in it was unpacked") as error:
        read_cifar10_archive(path, expected)
    assert expected in str(error.value) and str(path) in str(error.value)
    assert touched == []


def test_the_published_checksum_is_the_default_and_is_checked(small_cifar):
    path, _, _ = small_cifar
    with pytest.raises(ChecksumError, match=datasets.CIFAR10_SHA256.partition(":")[2]):
        read_cifar10_archive(path)


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (shutil.copy, (__file__, self.marker))


def test_a_batch_naming_anything_else_is_refused_even_in_a_matching_archive(small_cifar, tmp_path):
    # the second wall: were the checksum ever wrong, a batch still cannot run code
    path, _, batches = small_cifar
    marker = tmp_path / "payload-ran"
    evil = write_archive(tmp_path / "evil.tar.gz", {**batches, "test_batch": pickle.dumps(Payload(marker), 2)})
    with pytest.raises(pickle.UnpicklingError, match="shutil.copy"):
        read_cifar10_archive(evil, digest_of(evil))
    assert not marker.exists()


@pytest.mark.parametrize("change, fragment", [
    (lambda batches: batches.pop("data_batch_3"), "no cifar-10-batches-py/data_batch_3"),
    (lambda batches: batches.update(test_batch=python2_pickle({b"data": np.zeros((2, 100), np.uint8),
                                                               b"labels": [0, 1]})), "N x 3072"),
    (lambda batches: batches.update(test_batch=python2_pickle({b"data": np.zeros((2, 3072), np.uint8),
                                                               b"labels": [0, 10]})), "labels in 0..9"),
    (lambda batches: batches.update({"batches.meta": python2_pickle({b"num_vis": 3072})}), "label_names"),
])
def test_a_verified_archive_of_another_layout_is_refused(small_cifar, tmp_path, change, fragment):
    _, _, batches = small_cifar
    batches = dict(batches)
    change(batches)
    other = write_archive(tmp_path / "other.tar.gz", batches)
    with pytest.raises(ValueError, match=fragment):
        read_cifar10_archive(other, digest_of(other))


@pytest.mark.parametrize("name", CIFAR10_ARCHIVE_NAMES)
def test_the_archive_is_found_in_the_keras_cache_under_each_name(published, empty_places, name):
    path, truth, _ = published
    _, cache = empty_places
    shutil.copy(path, cache / name)
    data = read_cifar10()
    assert str(cache / name) in data.source
    np.testing.assert_array_equal(data.x_test, truth["test_batch"][0])


def test_the_data_folder_comes_first(published, empty_places):
    path, _, _ = published
    folder, cache = empty_places
    shutil.copy(path, folder / "cifar-10-python.tar.gz")
    (cache / "cifar-10-python.tar.gz").write_bytes(b"not the archive")
    assert str(folder) in read_cifar10().source


def test_a_damaged_archive_is_an_error_even_where_a_stand_in_is_allowed(published, empty_places):
    _, cache = empty_places
    (cache / "cifar-10-batches-py.tar.gz").write_bytes(b"truncated")
    with pytest.raises(ChecksumError, match="not the published CIFAR-10 archive"):
        load_cifar10(allow_stand_in=True)


def test_offline_without_data_the_full_profile_says_what_to_put_where(empty_places, monkeypatch):
    monkeypatch.setenv("LABSUPPORT_PROFILE", "full")
    with pytest.raises(DatasetNotFoundError) as error:
        load_cifar10()
    message = str(error.value)
    assert "LABSUPPORT_OFFLINE=1 forbids downloading" in message
    assert "cifar-10-python.tar.gz" in message and datasets.CIFAR10_SHA256 in message
    assert str(empty_places[1]) in message


def test_offline_without_data_the_ci_profile_gets_the_labelled_stand_in(empty_places, monkeypatch):
    monkeypatch.setenv("LABSUPPORT_PROFILE", "ci")
    data = load_cifar10(stand_in_sizes=(30, 20))
    assert data.stand_in.dataset == "CIFAR-10" and "forbids downloading" in data.stand_in.missing
    assert data.source.startswith("STAND-IN, not CIFAR-10")
    assert "Stand-in data: CIFAR-10 was not found" in repr(stand_in_banner(data))


@pytest.mark.parametrize("folder", datasets.CIFAR10_EXTRACTED)
def test_an_extracted_folder_alone_is_never_unpickled(empty_places, tmp_path, folder):
    _, cache = empty_places
    marker = tmp_path / "payload-ran"
    extracted = cache / folder
    extracted.mkdir(parents=True)
    for name in [*(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta"]:
        (extracted / name).write_bytes(pickle.dumps(Payload(marker), 2))
    with pytest.raises(DatasetNotFoundError, match="cannot be verified") as error:
        load_cifar10(allow_stand_in=False)
    assert str(extracted) in str(error.value)
    assert not marker.exists()


def test_an_extracted_folder_beside_its_archive_is_ignored_for_the_archive(published, empty_places, tmp_path):
    path, truth, _ = published
    _, cache = empty_places
    marker = tmp_path / "payload-ran"
    (cache / "cifar-10-batches-py-target" / "cifar-10-batches-py").mkdir(parents=True)
    (cache / "cifar-10-batches-py-target" / "cifar-10-batches-py" / "test_batch").write_bytes(
        pickle.dumps(Payload(marker), 2))
    shutil.copy(path, cache / "cifar-10-batches-py-target_archive")  # as Keras 3 leaves them
    np.testing.assert_array_equal(read_cifar10().x_test, truth["test_batch"][0])
    assert not marker.exists()


def test_a_download_is_verified_and_read_and_a_failed_one_explained(published, empty_places, monkeypatch):
    path, truth, _ = published
    _, cache = empty_places
    monkeypatch.setenv(datasets.OFFLINE_VAR, "0")

    def unreachable():
        raise OSError("no route to host")

    monkeypatch.setattr(cifar10_module, "download_cifar10", unreachable)
    with pytest.raises(DatasetNotFoundError, match="download failed .OSError: no route to host"):
        read_cifar10()

    def download():
        return shutil.copy(path, cache / "cifar-10-python.tar.gz")

    monkeypatch.setattr(cifar10_module, "download_cifar10", download)
    monkeypatch.setattr(cifar10_module, "read_cifar10_archive",
                        lambda where, expected=None, real=cifar10_module.read_cifar10_archive:
                        real(where, expected or cifar10_module.CIFAR10_SHA256))
    np.testing.assert_array_equal(read_cifar10().x_test, truth["test_batch"][0])


def layer_shapes(model):
    return [tuple(layer.output.shape[1:]) for layer in model.layers]


def test_tutorial_network_shapes_and_counts_match_the_arithmetic():
    model = models.cifar10_tutorial_cnn()
    table = arith.shape_table((32, 32, 3), [("conv", 32, 3), ("pool", 2), ("conv", 64, 3), ("pool", 2),
                                            ("conv", 64, 3), ("flatten",), ("dense", 64), ("dense", 10)])
    assert layer_shapes(model) == [shape for _, shape, _ in table]
    assert table[5][1] == (1024,) and table[4][1] == (4, 4, 64)
    assert [layer.count_params() for layer in model.layers] == [params for *_, params in table]
    assert model.count_params() == 122_570
    assert model.layers[-1].activation.__name__ == "linear"  # logits: the loss applies the softmax


def improved_params(widths, batch_norm):
    total, channels = 0, 3
    for width in widths:
        for _ in range(2):
            total += arith.conv_params(3, 3, channels, width, bias=not batch_norm) + (4 * width if batch_norm else 0)
            channels = width
    return total + arith.dense_params(4 * 4 * widths[-1], 128) + arith.dense_params(128, 10)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_improved_network_counts_and_output(batch_norm):
    widths = (8, 16, 32)
    model = models.cifar10_improved_cnn(batch_norm=batch_norm, widths=widths, seed=0)
    assert model.count_params() == improved_params(widths, batch_norm)
    assert model.compute_output_shape((None, 32, 32, 3)) == (None, 10)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert ("BatchNormalization" in kinds) == batch_norm and "Dropout" in kinds and "Sequential" in kinds
    assert models.cifar10_improved_cnn().count_params() == improved_params((32, 64, 128), True)


def test_improved_network_without_its_options_is_a_plain_stack():
    model = models.cifar10_improved_cnn(augment=False, batch_norm=False, dropout=0.0, widths=(4, 8, 8))
    kinds = {type(layer).__name__ for layer in model.layers}
    assert kinds == {"Conv2D", "ReLU", "MaxPooling2D", "Flatten", "Dense"}


def test_augmentation_changes_training_images_only():
    augment = models.cifar10_augmentation(seed=0)
    images = np.random.default_rng(0).uniform(0, 1, size=(8, 32, 32, 3)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(augment(images, training=False)), images)
    assert not np.allclose(np.asarray(augment(images, training=True)), images)


def test_the_schedule_warms_up_then_decays_along_a_cosine_to_zero():
    model = models.cifar10_improved_cnn(decay_steps=100, learning_rate=2e-3, widths=(4, 4, 4))
    schedule = model.optimizer._learning_rate  # the schedule object (learning_rate is its current value)
    for step in (0, 5, 10):  # linear from a tenth of the rate to the rate over 10% of the steps
        assert float(schedule(step)) == pytest.approx(2e-4 + (2e-3 - 2e-4) * step / 10, abs=1e-9)
    for step in (10, 32.5, 55, 100):  # then half a cosine over the other 90
        expected = 2e-3 * 0.5 * (1 + np.cos(np.pi * (step - 10) / 90))
        assert float(schedule(step)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("build", [lambda: models.cifar10_tutorial_cnn(seed=0),
                                   lambda: models.cifar10_improved_cnn(widths=(4, 8, 8), decay_steps=10, seed=0)])
def test_one_training_step_runs_and_moves_the_weights(build):
    model = build()
    rng = np.random.default_rng(0)
    images, labels = rng.uniform(0, 1, size=(16, 32, 32, 3)).astype(np.float32), rng.integers(0, 10, 16)
    before = [weight.copy() for weight in model.get_weights()]
    loss, accuracy = model.train_on_batch(images, labels)
    assert np.isfinite(loss) and 0 <= accuracy <= 1
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert model.predict(images, verbose=0).shape == (16, 10)


def test_seeded_builders_repeat_their_weights():
    for build in (models.cifar10_tutorial_cnn, lambda seed: models.cifar10_improved_cnn(widths=(4, 8, 8), seed=seed)):
        first, second = build(seed=5).get_weights(), build(seed=5).get_weights()
        assert all(np.array_equal(a, b) for a, b in zip(first, second))


@pytest.mark.parametrize("call, fragment", [
    (lambda: models.cifar10_tutorial_cnn(learning_rate=0), "learning_rate=0"),
    (lambda: models.cifar10_improved_cnn(dropout=1.0), "dropout=1.0"),
    (lambda: models.cifar10_improved_cnn(decay_steps=0), "decay_steps=0"),
    (lambda: models.cifar10_improved_cnn(widths=(8, 16)), "widths=.8, 16."),
])
def test_cifar10_builders_refuse_bad_arguments(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()


def test_the_split_is_stratified_disjoint_and_leaves_the_test_set_alone(empty_places):
    from labsupport.experiments import cifar10_split

    split = cifar10_split(True, 600, 100, (800, 200))
    assert (len(split.x_train), len(split.x_val), len(split.x_test)) == (500, 100, 200)
    assert np.bincount(split.y_val).tolist() == [10] * 10 and np.bincount(split.y_train).tolist() == [50] * 10
    assert split.x_train.dtype == np.float32 and 0 <= split.x_train.min() and split.x_train.max() <= 1
    seen = {image.tobytes() for image in split.x_train}
    assert not any(image.tobytes() in seen for image in split.x_val)
    np.testing.assert_array_equal(split.x_test, split.data.x_test / np.float32(255))
    with pytest.raises(ValueError, match="validation_size=600"):
        cifar10_split(True, 600, 600, (800, 200))


def test_the_grid_runs_from_the_command_line_resumes_and_tests_once(empty_places, tmp_path, capsys,
                                                                   monkeypatch):
    from labsupport.__main__ import main as cli
    from labsupport.experiments import cifar10_split
    from labsupport.grid import GridResults
    from labsupport.profiles import PROFILES

    monkeypatch.setenv("LABSUPPORT_PROFILE", "ci")
    out = tmp_path / "cifar10.json"
    assert cli(["grid", "cifar10", "--profile", "ci", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "2 of 2 cells done" in printed and "selected on val_accuracy" in printed
    assert "its test accuracy" in printed
    assert cli(["grid", "cifar10", "--profile", "ci", "--out", str(out), "--no-progress"]) == 0
    results = GridResults.load(out)
    assert [run["cells_to_train"] for run in results.runs] == [2, 0]
    ci = PROFILES["ci"]
    split = cifar10_split(True, ci.cifar10_train_limit, ci.cifar10_validation_size,
                          tuple(ci.cifar10_stand_in_sizes))
    for record in results.records():
        metrics = record["metrics"]
        assert "test_accuracy" not in metrics  # cells are compared on validation only
        assert metrics["stand_in"] and metrics["data"].startswith("STAND-IN")
        assert (metrics["train_images"], metrics["val_images"]) == (960, 240)
        predictions = np.array(metrics["val_predictions"])
        assert metrics["val_accuracy"] == pytest.approx((predictions == split.y_val).mean())
        # Keras' validation data was the validation split, never the test set
        assert metrics["val_accuracy_by_epoch"][-1] == pytest.approx(metrics["val_accuracy"], abs=1e-6)
        assert len(metrics["accuracy_by_epoch"]) == ci.cifar10_epochs
        assert metrics["cpu_seconds"] > 0 and metrics["train_seconds"] > 0
        assert metrics["parameters"] == improved_params(ci.cifar10_widths, record["params"]["batch_norm"])
    tested = results.test  # the selected cell, refitted on all 1,200 training images, tested once
    assert tested["params"] == results.best("val_accuracy")["params"]
    assert tested["metrics"]["train_images"] == 1_200 and tested["metrics"]["test_images"] == 400
    assert 0 <= tested["metrics"]["test_accuracy"] <= 1


def test_the_tutorial_experiment_is_one_cell_of_the_tutorial_network(empty_places):
    from labsupport.experiments import EXPERIMENTS
    from labsupport.profiles import PROFILES

    experiment = EXPERIMENTS["cifar10-tutorial"](PROFILES["full"])
    assert experiment.grid == {"model": ["tutorial"]} and experiment.settings["epochs"] == 10
    assert experiment.selection_metric == "val_accuracy" and not experiment.settings["allow_stand_in"]


def test_augmentation_crops_by_whole_pixels_with_a_zero_border():
    import keras

    translate = models.cifar10_augmentation(seed=3).get_layer("translate")
    assert translate.interpolation == "nearest" and translate.fill_mode == "constant"
    image = np.random.default_rng(1).uniform(0.1, 1, size=(1, 32, 32, 3)).astype(np.float32)
    shifts = set()
    for _ in range(12):
        moved = np.asarray(translate(image, training=True))[0]
        found = None
        for dy in range(-4, 5):
            for dx in range(-4, 5):  # the image shifted by (dy, dx), zeros where nothing came in
                expected = np.zeros_like(image[0])
                rows, cols = slice(max(dy, 0), 32 + min(dy, 0)), slice(max(dx, 0), 32 + min(dx, 0))
                expected[rows, cols] = image[0, max(-dy, 0):32 - max(dy, 0), max(-dx, 0):32 - max(dx, 0)]
                if np.array_equal(moved, expected):
                    found = (dy, dx)
        assert found is not None  # a whole-pixel shift of at most 4, nothing interpolated
        shifts.add(found)
    assert len(shifts) > 1
    assert keras.layers.RandomTranslation(0.1, 0.1).interpolation == "bilinear"  # Keras' default blurs


def test_augmentation_keeps_images_in_the_unit_range_and_changes_all_five_ways():
    augment = models.cifar10_augmentation(seed=0)
    assert [layer.name for layer in augment.layers] == ["flip", "translate", "brightness", "contrast",
                                                        "saturation"]
    images = np.random.default_rng(2).uniform(0, 1, size=(16, 32, 32, 3)).astype(np.float32)
    out = np.asarray(augment(images, training=True))
    assert 0 <= out.min() and out.max() <= 1
    for layer in augment.layers[2:]:  # brightness, contrast and saturation each change an image
        changed = np.asarray(layer(images, training=True))
        assert not np.allclose(changed, images) and 0 <= changed.min() and changed.max() <= 1


def test_batch_norm_momentum_is_passed_on_and_checked():
    model = models.cifar10_improved_cnn(widths=(4, 4, 4), bn_momentum=0.99)
    momenta = {layer.momentum for layer in model.layers if type(layer).__name__ == "BatchNormalization"}
    assert momenta == {0.99}
    with pytest.raises(ValueError, match="bn_momentum=1.0"):
        models.cifar10_improved_cnn(bn_momentum=1.0)


def test_the_learning_rate_is_an_axis_of_the_cifar10_grid():
    from labsupport.experiments import CIFAR10_VERSION, cifar10_experiment
    from labsupport.profiles import PROFILES

    for name in ("book", "full"):
        experiment = cifar10_experiment(PROFILES[name])
        assert experiment.grid["learning_rate"] == [1e-3, 3e-3]
        assert set(experiment.grid) == {"augment", "batch_norm", "learning_rate"}
    assert CIFAR10_VERSION == 2


def test_batch_norm_lag_counts_steps_and_a_slow_momentum_lags_further(empty_places):
    from labsupport.experiments import batch_norm_lag

    settings = {"epochs": 1, "batch_size": 64, "train_limit": 300, "validation_size": 100,
                "stand_in_sizes": [300, 100], "allow_stand_in": True,
                "options": {"model": "improved", "widths": [2, 2, 2], "learning_rate": 1e-3}}
    slow = batch_norm_lag(settings, 0.99, 3e-3, seed=0)
    fast = batch_norm_lag(settings, 0.5, 3e-3, seed=0)
    assert slow["steps"] == fast["steps"] == 4  # 200 training images in batches of 64
    assert slow["start_weight"] == pytest.approx(0.99**4) and fast["start_weight"] == pytest.approx(0.5**4)
    assert slow["mean_gap"] > fast["mean_gap"] >= 0
    assert len(slow["variance_ratio"]) == 2
    for found in (slow, fast):
        assert 0 <= found["val_accuracy"] <= 1 and 0 <= found["val_accuracy_recalibrated"] <= 1
