"""genrepair-train: train a named experiment.

    genrepair-train --experiment=classifier_mnist --workdir=runs/classifier [--override train.epochs=3]
"""

from absl import flags

from tf_genrepair.bin.errors import run_main

FLAGS = flags.FLAGS
flags.DEFINE_string("experiment", None, "Named experiment, e.g. classifier_mnist or classifier_mnist_smoke.")
flags.DEFINE_string("workdir", None, "Output folder; rerunning the same command resumes there.")
flags.DEFINE_multi_string("override", [], "section.field=value, e.g. train.epochs=3 (repeatable).")
flags.DEFINE_string("strategy", None, "default, mirrored or multi_worker (overrides train.strategy).")
flags.mark_flags_as_required(["experiment", "workdir"])


def main(argv: list[str]) -> None:
    del argv
    from tf_genrepair.configs import (
        get_experiment,  # Imported after flag parsing: TF start-up is slow.
    )
    from tf_genrepair.training import train_and_evaluate
    from tf_genrepair.training.distribute import STRATEGIES

    overrides = list(FLAGS.override)
    if FLAGS.strategy is not None:
        if FLAGS.strategy not in STRATEGIES:
            raise ValueError(f"Unknown strategy {FLAGS.strategy!r}. Valid strategies: {', '.join(STRATEGIES)}")
        overrides.append(f"train.strategy={FLAGS.strategy}")
    train_and_evaluate(get_experiment(FLAGS.experiment, overrides), FLAGS.workdir)


def run() -> None:
    run_main(main)


if __name__ == "__main__":
    run()
