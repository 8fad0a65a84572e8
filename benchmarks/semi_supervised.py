"""Semi-supervised MNIST: test accuracy from 100 (600, 1,000) labels, over labelled subsets drawn with seeds 0, 1, 2.

For every label count and seed, each `--experiment` (e.g. `ssgan_mnist`, `ssvae_m1m2_mnist`) is trained
(or, when its work dir holds a finished run, reused) with `data.num_labels` and `train.seed` set,
on its training split (`train[:55000]` for the MNIST experiments) and validated on held-out
training digits; then scored once on the 10,000 test digits (binarized once, seed 0, for
models trained on binarized digits).
Beside it, in the same run and on the same labelled digits (`balanced_label_indices`, same seed):
the baselines trained on those labels alone — the digit CNN, and for `ssgan` experiments the same
discriminator network (layers, noise, weight-norm initialisation) as a plain classifier — and the
fully supervised reference classifier (`--reference`, all labels) for scale. With
`--supervised_generator` (e.g. the cVAE), the digit CNN also trains on those labelled digits plus
1,000 samples per class of that generator, which was trained on **all** 55,000 labels: the old
few-label row, kept and marked for what it is. Generative quality of each model's samples
(label agreement when it samples by class, FID on the reference classifier's features against
`test[:5000]`) is reported too.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/semi_supervised.py --experiment=ssgan_mnist \\
        --labels=100 --seeds=0,1,2 --reference=workdirs/classifier_mnist/model.keras

Prints a table and writes `benchmarks/results/semi_supervised.json`.
"""

import argparse
import json
import os
import pathlib
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tf_genrepair.configs import get_experiment  # noqa: E402
from tf_genrepair.data import binarize_once, load_arrays  # noqa: E402
from tf_genrepair.evaluation.generated_data import balanced_subset, class_sampler, train_few_label_classifier  # noqa: E402
from tf_genrepair.metrics import extract_features, generator_quality  # noqa: E402
from tf_genrepair.models import Classifier, SemiSupervisedGAN, load_model  # noqa: E402
from tf_genrepair.training import train_and_evaluate  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402


def accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of `images` the model's `predict_labels` gets right."""
    return float(np.mean(model.predict_labels(images) == labels))


def discriminator_on_labels_only(config, images: np.ndarray, labels: np.ndarray, *, steps: int, seed: int) -> Classifier:
    """The experiment's discriminator network as a plain classifier, trained on the labelled digits alone.

    Same layers, noise and data-dependent initialisation as in the semi-supervised run, Adam with its
    learning rate and beta_1 (cosine-annealed), batches of its labelled batch size.
    """
    keras.utils.set_random_seed(seed)
    discriminator = SemiSupervisedGAN.from_experiment(config).discriminator
    classifier = Classifier(network=keras.Model(discriminator.input, discriminator.outputs[0]))
    learning_rate = keras.optimizers.schedules.CosineDecay(config.train.learning_rate, steps)
    classifier.compile(optimizer=keras.optimizers.Adam(learning_rate, beta_1=config.train.beta_1))
    batches = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int64))).repeat().shuffle(len(images), seed=seed)
    classifier.fit(batches.batch(config.data.labelled_batch_size), steps_per_epoch=steps, epochs=1, verbose=0)
    return classifier


def mean_and_spread(values: list[float]) -> dict:
    """Mean, sample standard deviation (0 for one value), minimum and maximum."""
    return {
        "mean": float(np.mean(values)),
        "std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
        "min": float(min(values)),
        "max": float(max(values)),
        "runs": len(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", action="append", required=True, help="A semi-supervised experiment; repeatable.")
    parser.add_argument("--labels", default="100", help="Comma-separated label counts.")
    parser.add_argument("--seeds", default="0,1,2", help="Comma-separated seeds of the labelled subsets (and the training).")
    parser.add_argument("--override", action="append", default=[], help="Extra overrides for every experiment, e.g. train.epochs=30.")
    parser.add_argument("--reference", required=True, help="The fully supervised reference classifier (classifier_mnist).")
    parser.add_argument("--workdir_root", default="workdirs/semi_supervised")
    parser.add_argument("--supervised_generator", help="A class-conditional generator trained on all labels (cvae_mnist), for the old row.")
    parser.add_argument("--baseline_steps", type=int, default=600, help="Batches of 64 for the labels-only digit CNN.")
    parser.add_argument("--discriminator_steps", type=int, default=2000, help="Batches for the labels-only discriminator network.")
    parser.add_argument("--output", default=default_output("semi_supervised"))
    arguments = parser.parse_args()
    started = time.time()
    counts = [int(value) for value in arguments.labels.split(",")]
    seeds = [int(value) for value in arguments.seeds.split(",")]
    sources = {(config.data.name, config.data.train_split) for config in (get_experiment(name) for name in arguments.experiment)}
    if len(sources) != 1:
        raise ValueError(f"The experiments must draw their labels from one data set and split, for one baseline. Received: {sorted(sources)}")
    (data_name, train_split), = sources
    train_images, train_labels = load_arrays(data_name, split=train_split)  # The labels-only baseline's subset comes from here too.
    test_images, test_labels = load_arrays("mnist", split="test")
    reference = load_model(arguments.reference)
    test_features = extract_features(reference.feature_extractor(), test_images[:5000])
    supervised_samples, supervised_quality = None, None
    if arguments.supervised_generator:
        generator = load_model(arguments.supervised_generator)
        sample_labels = np.repeat(np.arange(10), 1000)
        supervised_samples = (np.clip(class_sampler(generator, seed=0)(sample_labels), 0.0, 1.0), sample_labels)
        supervised_quality = generator_quality(generator, reference, test_features, num_samples=5000, seed=1)  # As the runs' below.
    runs = []
    for count in counts:
        for seed in seeds:
            images, labels = balanced_subset(train_images, train_labels, count, seed=seed)
            baseline = train_few_label_classifier(images, labels, steps=arguments.baseline_steps, seed=seed)
            runs.append({"method": "digit CNN, labels only", "labels": count, "seed": seed, "test_accuracy": accuracy(baseline, test_images, test_labels)})
            if supervised_samples is not None:
                helped = train_few_label_classifier(images, labels, generated=supervised_samples, steps=arguments.baseline_steps, seed=seed)
                method = f"digit CNN + samples of {os.path.basename(os.path.dirname(arguments.supervised_generator))} (trained on ALL labels)"
                runs.append({"method": method, "labels": count, "seed": seed, "test_accuracy": accuracy(helped, test_images, test_labels)})
            for experiment in arguments.experiment:
                overrides = [f"data.num_labels={count}", f"train.seed={seed}", *arguments.override]
                config = get_experiment(experiment, overrides)
                if config.kind == "ssgan":
                    network = discriminator_on_labels_only(config, images, labels, steps=arguments.discriminator_steps, seed=seed)
                    runs.append({"method": f"{experiment} discriminator, labels only", "labels": count, "seed": seed, "test_accuracy": accuracy(network, test_images, test_labels)})
                workdir = os.path.join(arguments.workdir_root, f"{experiment}_{count}labels_seed{seed}")
                earlier = os.path.join(workdir, "metrics.json")  # A finished run, reused: its training time is kept.
                earlier_seconds = json.loads(pathlib.Path(earlier).read_text())["train_seconds"] if os.path.exists(earlier) else 0.0
                metrics = train_and_evaluate(config, workdir)
                model = load_model(os.path.join(workdir, "model.keras"))
                scored = binarize_once(test_images, seed=0) if config.data.binarize else test_images  # As it was trained to see.
                runs.append({
                    "method": experiment, "labels": count, "seed": seed, "overrides": overrides, "workdir": workdir,
                    "train_seconds": earlier_seconds + metrics["train_seconds"], "validation_accuracy": metrics.get("accuracy"),
                    "test_accuracy": accuracy(model, scored, test_labels),
                    "samples": generator_quality(model, reference, test_features, num_samples=5000, seed=1),
                })
                print(f"{experiment}, {count} labels, seed {seed}: test accuracy {runs[-1]['test_accuracy']:.4f}", flush=True)
    summary = {}
    for run in runs:
        summary.setdefault(f"{run['method']} / {run['labels']} labels", []).append(run["test_accuracy"])
    document = {
        "benchmark": "semi_supervised",
        "reference_test_accuracy": accuracy(reference, test_images, test_labels),
        "supervised_generator": arguments.supervised_generator,
        "supervised_generator_samples": supervised_quality,
        "summary": {key: mean_and_spread(values) for key, values in summary.items()},
        "runs": runs,
    }
    write_results(arguments.output, document, started=started)
    print(f"\nfully supervised reference classifier: {document['reference_test_accuracy']:.4f}")
    for key, stats in document["summary"].items():
        print(f"{key}: {stats['mean']:.4f} +- {stats['std']:.4f} ({stats['min']:.4f} to {stats['max']:.4f}, {stats['runs']} runs)")


if __name__ == "__main__":
    main()
