"""genrepair-evaluate: how much recognition accuracy restoration and generated data win back.

    genrepair-evaluate --experiment=recognition_mnist --workdir=runs/recognition --models_root=workdirs
    genrepair-evaluate --experiment=recognition_mnist --workdir=runs/mine --external=npz:my_damaged_digits.npz
"""

from absl import flags

from tf_genrepair.bin.errors import about_flag, run_main

FLAGS = flags.FLAGS
flags.DEFINE_string("experiment", "recognition_mnist", "Named study: recognition_mnist, recognition_demo or recognition_smoke.")
flags.DEFINE_string("workdir", None, "Report folder (report.md, report.json, PNGs).")
flags.DEFINE_string("models_root", None, "Folder with one sub-folder per trained model; missing ones are trained there (default <workdir>/models).")
flags.DEFINE_multi_string("external", [], "A damaged labelled set without clean images: npz:<path>, folder:<path> or tfds:<name> (repeatable).")
flags.mark_flags_as_required(["workdir"])


def main(argv: list[str]) -> None:
    del argv
    from tf_genrepair.configs import (
        get_study,  # Imported after flag parsing: TF start-up is slow.
    )
    from tf_genrepair.evaluation import run_study

    with about_flag("experiment", FLAGS.experiment):
        study = get_study(FLAGS.experiment)
    run_study(study, FLAGS.workdir, models_root=FLAGS.models_root, external=FLAGS.external)
    print(f"Report: {FLAGS.workdir}/report.md")


def run() -> None:
    run_main(main)


if __name__ == "__main__":
    run()
