"""genrepair-demo: the main job on the digits shipped with the package, offline.

    genrepair-demo --output=demo_output
"""

from absl import flags

from tf_genrepair.bin.errors import run_main

FLAGS = flags.FLAGS
flags.DEFINE_string("output", "demo_output", "Folder for pictures, the report and the trained models (reused on a rerun).")
flags.DEFINE_enum("study", "recognition_demo", ["recognition_demo", "recognition_smoke"], "The study to run; recognition_smoke takes seconds.")


def main(argv: list[str]) -> None:
    del argv
    from tf_genrepair.evaluation.demo import (
        run_demo,  # Imported after flag parsing: TF start-up is slow.
    )

    run_demo(FLAGS.output, study=FLAGS.study)


def run() -> None:
    run_main(main)


if __name__ == "__main__":
    run()
