"""genrepair-demo: the main job on the digits shipped with the package, offline.

    genrepair-demo --output=demo_output
"""

from absl import app, flags

from tf_genrepair.bin.errors import exit_on_user_error

FLAGS = flags.FLAGS
flags.DEFINE_string("output", "demo_output", "Folder for pictures and the report.")
flags.DEFINE_integer("num_test", 1000, "Shipped test digits to evaluate on (at most 1000).", lower_bound=1, upper_bound=1000)
flags.DEFINE_integer("epochs", 3, "Classifier training epochs.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seed for training and damage.")


@exit_on_user_error
def main(argv: list[str]) -> None:
    del argv
    from tf_genrepair.demo import run_demo  # Imported after flag parsing: TF start-up is slow.

    run_demo(FLAGS.output, num_test=FLAGS.num_test, epochs=FLAGS.epochs, seed=FLAGS.seed)


def run() -> None:
    app.run(main)


if __name__ == "__main__":
    run()
