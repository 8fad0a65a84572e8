"""genrepair-evaluate: how much recognition accuracy restoration and generated data win back.

    genrepair-evaluate --experiment=recognition_mnist --workdir=runs/recognition --models_root=workdirs
    genrepair-evaluate --experiment=recognition_mnist --workdir=runs/mine --external=npz:my_damaged_digits.npz
    genrepair-evaluate --experiment=recognition_cifar10 --workdir=runs/cifar_half --models_root=workdirs --test_split='test[:5000]'
"""

from absl import flags

from tf_genrepair.bin.errors import about_flag, run_main

FLAGS = flags.FLAGS
flags.DEFINE_string("experiment", "recognition_mnist", "Named study: recognition_mnist, recognition_cifar10, recognition_demo or a *_smoke variant.")
flags.DEFINE_string("workdir", None, "Report folder (report.md, report.json, PNGs).")
flags.DEFINE_string("models_root", None, "Folder with one sub-folder per trained model; missing ones are trained there (default <workdir>/models).")
flags.DEFINE_string("test_split", None, "Score on this split instead of the study's (e.g. 'test[:5000]': a quicker run).")
flags.DEFINE_multi_string("external", [], "A damaged labelled set without clean images: npz:<path>, folder:<path> or tfds:<name> (repeatable).")
flags.mark_flags_as_required(["workdir"])


def main(argv: list[str]) -> None:
    del argv
    import dataclasses

    from tf_genrepair.configs import (
        get_study,  # Imported after flag parsing: TF start-up is slow.
    )
    from tf_genrepair.evaluation import run_study

    with about_flag("experiment", FLAGS.experiment):
        study = get_study(FLAGS.experiment)
    if FLAGS.test_split:
        study = dataclasses.replace(study, test_split=FLAGS.test_split)
    run_study(study, FLAGS.workdir, models_root=FLAGS.models_root, external=FLAGS.external)
    print(f"Report: {FLAGS.workdir}/report.md")


def run() -> None:
    run_main(main)


if __name__ == "__main__":
    run()
