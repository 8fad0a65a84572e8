"""The benchmark scripts' helpers that the published figures rest on: pinned noise, hole PSNR, margins."""

import importlib.util
import json
import os

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tf_genrepair.models import Restorer
from tf_genrepair.networks import inpainting_unet

BENCHMARKS = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks")


def _script(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", os.path.join(BENCHMARKS, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def inpaint():
    return _script("inpaint")


def test_noisy_copy_is_pinned_per_image_and_sigma_and_not_clipped():
    from tf_genrepair.data import pinned_noise as denoise  # The benchmarks' noise (denoise_bsd, denoise_colour, tuning).

    clean = np.full((64, 64, 1), 0.5, np.float32)
    first = denoise.noisy_copy(clean, 25, 3)
    np.testing.assert_array_equal(first, denoise.noisy_copy(clean, 25, 3))
    assert not np.array_equal(first, denoise.noisy_copy(clean, 25, 4)) and not np.array_equal(first, denoise.noisy_copy(clean, 15, 3))
    assert np.std(first - clean) == pytest.approx(25 / 255, rel=0.05)
    assert first.dtype == np.float32 and (denoise.noisy_copy(np.ones_like(clean), 50, 0) > 1.0).any()  # Left unclipped.


def test_hole_psnr_counts_only_the_missing_pixels(inpaint):
    clean = np.zeros((10, 10, 1), np.float32)
    mask = np.ones((10, 10, 1), np.float32)
    mask[:5] = 0.0  # Half the image missing.

    def off_by_a_tenth_in_the_hole(damaged, hole_mask):
        return damaged + 0.1 * (1.0 - hole_mask)

    result = inpaint.score(off_by_a_tenth_in_the_hole, [clean], [mask], batched=False)
    assert result["hole_psnr"] == pytest.approx(20.0, abs=1e-4)  # MSE 0.01 on the hole.
    assert result["whole_psnr"] == pytest.approx(10 * np.log10(1 / 0.005), abs=1e-4)  # The same error over twice the pixels.
    assert result["mean_hole_fraction"] == 0.5 and list(result["hole_psnr_by_hole_fraction"]) == ["40%-100%"]


def test_margins_are_against_the_best_classical_inpainter(inpaint):
    scores = {"biharmonic": 20.0, "telea": 22.0, "navier_stokes": 21.0, inpaint.PUSH_PULL: 19.0, "ours (a)": 23.5, "ours (b)": 21.0}
    rows = [{"data": "set12", "mask": "thin", "method": method, "hole_psnr": value} for method, value in scores.items()]
    table = {row["method"]: row for row in inpaint.margins(rows)}
    assert set(table) == {"ours (a)", "ours (b)"}
    assert table["ours (a)"]["best_classical_method"] == "telea" and table["ours (a)"]["margin_db"] == pytest.approx(1.5)
    assert table["ours (b)"]["margin_db"] == pytest.approx(-1.0) and table["ours (b)"]["push_pull"] == 19.0


def test_a_finished_run_of_another_config_is_not_reused(tmp_path):
    import sys

    from tf_genrepair.configs import get_experiment

    sys.path.insert(0, BENCHMARKS)
    from harness.runs import trained_run

    config = get_experiment("classifier_cifar10_smoke")
    (tmp_path / "config.json").write_text(json.dumps(config.to_dict()))
    (tmp_path / "metrics.json").write_text(json.dumps({"train_seconds": 1.0}))
    with pytest.raises(ValueError, match=r"another config \(differs in \['model.label_smoothing'\]\)"):
        trained_run(get_experiment("classifier_cifar10_smoke", ["model.label_smoothing=0.1"]), str(tmp_path))


@pytest.mark.parametrize("name", sorted(name[:-3] for name in os.listdir(BENCHMARKS) if name.endswith(".py")))
def test_every_benchmark_script_imports_against_the_current_package(name):
    assert callable(_script(name).main)  # A stale import (a module moved by a reshape) fails here, not in a long run.


def test_the_library_uses_the_strengths_the_tuning_script_chose_on_training_images():
    import json

    from tf_genrepair.restoration import baselines

    with open(os.path.join(BENCHMARKS, "results", "classical_tuning.json")) as handle:
        tuning = json.load(handle)
    assert tuning["data"].startswith("bsd:Train400")  # Never a test set.
    assert {name: result["chosen_strength"] for name, result in tuning["denoisers"].items()} == dict(baselines.DENOISER_STRENGTHS)
    with open(os.path.join(BENCHMARKS, "results", "classical_tuning_colour.json")) as handle:
        colour = json.load(handle)
    assert colour["data"].startswith("colour:CBSD432")  # Training images, never CBSD68, Kodak24 or McMaster.
    assert {name: result["chosen_strength"] for name, result in colour["denoisers"].items()} == dict(baselines.COLOUR_DENOISER_STRENGTHS)


def test_tuning_picks_the_best_strength_and_the_smaller_on_a_tie():
    tuning = _script("classical_tuning")
    assert tuning.best_strength({0.5: 26.0, 0.7: 26.4, 0.9: 26.1}) == 0.7
    assert tuning.best_strength({0.9: 26.4, 0.7: 26.4}) == 0.7


def test_a_denoiser_strength_reaches_the_filter():
    from tf_genrepair.restoration import baselines

    rng = np.random.default_rng(0)
    noisy = np.clip(0.5 + 0.1 * rng.standard_normal((1, 32, 32, 1)), 0, 1).astype(np.float32)
    gentle, strong = (baselines.total_variation(noisy, noise_levels=0.1, strength=s) for s in (0.1, 2.0))
    assert np.std(strong) < np.std(gentle) < np.std(noisy)


def test_alternating_rounds_reverse_the_order_and_ratios_stay_within_a_round():
    import sys

    sys.path.insert(0, BENCHMARKS)
    from harness.alternating import alternating_rounds, summarise

    calls = []
    speeds = iter([100.0, 50.0, 60.0, 120.0, 90.0, 45.0])  # Round 2 runs "b" first; the machine drifts between rounds.

    def measure(name):
        calls.append(name)
        return next(speeds)

    rounds = alternating_rounds(["a", "b"], 3, measure)
    assert calls == ["a", "b", "b", "a", "a", "b"]
    summary = summarise(rounds, {"a / b": ("a", "b")})
    assert summary["ratios"]["a / b"]["values"] == pytest.approx([2.0, 2.0, 2.0])  # Each round's pair, not medians of each side.
    assert summary["images_per_s"]["b"] == {"median": 50.0, "min": 45.0, "max": 60.0, "values": [50.0, 60.0, 45.0]}
    with pytest.raises(ValueError, match="at least one round"):
        alternating_rounds(["a"], 0, measure)


def test_every_number_of_a_backed_results_table_is_in_its_results_file():
    unmatched, _ = _script("check_results").check(os.path.join(BENCHMARKS, "RESULTS.md"))
    assert unmatched == {}


def test_the_results_check_catches_a_number_no_file_holds(tmp_path):
    import json

    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "run.json").write_text(json.dumps({"rows": [{"accuracy": 0.98765, "seconds": 1254}], "3": "x"}))
    table = "| severity | accuracy | s |\n| ---: | ---: | ---: |\n| 3 | **98.77%** | {} |\n"
    backed = "## Run\n\nResults file:\n[results/run.json](results/run.json)\n\n" + table
    (tmp_path / "RESULTS.md").write_text(backed.format("1,254") + "## Older\n\n" + table.format("7"))
    checker = _script("check_results")
    assert checker.check(str(tmp_path / "RESULTS.md")) == ({}, ["Older"])
    (tmp_path / "RESULTS.md").write_text(backed.format("1,255"))
    assert checker.check(str(tmp_path / "RESULTS.md")) == ({"Run": ["1,255"]}, [])


def test_recognition_error_bars_are_mean_and_sample_deviation_over_runs():
    seeds = _script("recognition_seeds")
    runs = [{3: {"accuracy": 0.90, "recovered_mean": 0.80, "recovered_pooled": 0.70}}, {3: {"accuracy": 0.92, "recovered_mean": 0.84, "recovered_pooled": 0.70}}]
    figures = seeds.aggregate(runs)[3]
    assert figures["accuracy"]["mean"] == pytest.approx(0.91) and figures["accuracy"]["std"] == pytest.approx(0.0141421, rel=1e-4)
    assert figures["recovered_pooled"]["std"] == 0.0 and figures["recovered_mean"]["values"] == [0.80, 0.84]


def test_model_metrics_reads_a_finished_run_and_names_an_unfinished_one(tmp_path):
    collector = _script("model_metrics")
    (tmp_path / "config.json").write_text(json.dumps({"name": "restore_cifar10", "model": {"filters": 48}, "train": {"epochs": 6}}))
    with pytest.raises(FileNotFoundError, match=f"{tmp_path} holds no metrics.json"):
        collector.model_figures(str(tmp_path))
    (tmp_path / "metrics.json").write_text(json.dumps({"psnr": 26.5, "train_seconds": 900.0}))
    assert collector.model_figures(str(tmp_path)) == {"psnr": 26.5, "train_seconds": 900.0, "experiment": "restore_cifar10", "model": {"filters": 48}, "train": {"epochs": 6}}


def test_recognition_per_corruption_accuracy_is_the_mean_over_damage_seeds():
    seeds = _script("recognition_seeds")
    row = {"classifier": "clean", "method": "unet", "severity": 3, "corruption": "jpeg"}
    reports = [{"rows": [{**row, "accuracy": 0.5}, {**row, "method": "damaged", "accuracy": 0.2}]}, {"rows": [{**row, "accuracy": 0.7}]}]
    accuracy = seeds.per_corruption_accuracy(reports)["clean"]
    assert accuracy["unet"]["3"]["jpeg"] == pytest.approx(0.6) and accuracy["damaged"]["3"] == {"jpeg": 0.2}


def test_recognition_headline_carries_the_gap_to_the_augmented_classifier():
    seeds = _script("recognition_seeds")
    figures = {"accuracy": 0.8, "recovered_mean": 0.5, "recovered_pooled": 0.6}
    summary = {
        "methods": {3: {"unet": figures, "damaged": {**figures, "accuracy": 0.6}}},
        "versus_augmentation": {3: {"mean_accuracy": {"augmented + damaged": 0.75}, "per_restorer": {"unet": {"gap_points": 5.0}}}},
    }
    assert seeds.headline(summary, "unet")[3]["gap_to_augmented_points"] == 5.0
    assert "gap_to_augmented_points" not in seeds.headline(summary, "damaged")[3]
    assert seeds.augmented_headline(summary) == {3: {"accuracy": 0.75}}


def test_row_store_reuses_only_classical_rows_and_survives_a_restart(tmp_path):
    import sys

    sys.path.insert(0, BENCHMARKS)
    from harness.denoising import RowStore

    path = str(tmp_path / "rows" / "denoise.json")
    store = RowStore(path, reusable={"cbm3d"})
    store.add({"set": "CBSD68", "sigma": 25.0, "method": "cbm3d", "psnr": 30.7})
    store.add({"set": "CBSD68", "sigma": 25.0, "method": "ours", "psnr": 31.0})
    again = RowStore(path, reusable={"cbm3d"})  # A new process after an interruption.
    assert again.find(set="CBSD68", sigma=25.0, method="cbm3d")["psnr"] == 30.7
    assert again.find(set="CBSD68", sigma=15.0, method="cbm3d") is None
    assert again.find(set="CBSD68", sigma=25.0, method="ours") is None  # The model is always measured again.


def test_jpeg_round_trip_loses_colour_detail_as_4_2_0_does():
    jpeg = _script("jpeg_colour")
    rows, cols = np.indices((32, 32))
    odd = ((rows + cols) % 2)[..., np.newaxis].astype(np.float32)
    chroma = odd * np.array([0.8, 0.25, 0.3], np.float32) + (1 - odd) * np.array([0.2, 0.55, 0.3], np.float32)
    decoded = jpeg.jpeg_round_trip(chroma, 95)
    assert decoded.shape == chroma.shape and decoded.dtype == np.float32
    assert np.abs(decoded - chroma).mean() > 0.15  # Colour alternating every pixel is averaged away by 2x2 chroma.
    flat = np.full((32, 32, 3), 0.5, np.float32)
    assert np.abs(jpeg.jpeg_round_trip(flat, 95) - flat).max() < 0.01


def test_before_after_draws_clean_damaged_and_each_restorer(tmp_path):
    network = inpainting_unet(base_filters=4, levels=1)
    Restorer(network).save(tmp_path / "restorer.keras")
    output = tmp_path / "before_after.png"
    argv = ["--data=sample", "--split=test[:4]", "--num_images=3", "--corruption=gaussian_blur", f"--restorer=tiny={tmp_path / 'restorer.keras'}", f"--output={output}"]
    assert _script("before_after").main(argv) == str(output)
    picture = plt.imread(output)
    assert picture.shape[0] > 100 and picture.shape[1] > 100 and picture.std() > 0.05  # A drawn table, not a blank canvas.


def test_named_restorer_paths_and_a_malformed_entry():
    restorers = _script("harness/restorers")
    assert restorers.named_paths(["unet=a/model.keras", "tiny=b=c.keras"]) == {"unet": "a/model.keras", "tiny": "b=c.keras"}
    with pytest.raises(ValueError, match="--restorer takes name=path.*Received: 'a/model.keras'"):
        restorers.named_paths(["a/model.keras"])
    with pytest.raises(ValueError, match="names 'unet' twice"):
        restorers.named_paths(["unet=a/model.keras", "unet=b/model.keras"])
