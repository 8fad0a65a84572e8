"""genrepair-generate: a grid of samples from a trained GAN or VAE (.keras file or exported SavedModel).

    genrepair-generate --model=workdirs/cgan_mnist/model.keras --num=64 --label=3 --output=threes.png
"""

from absl import flags

from tf_genrepair.bin.errors import about_flag, run_main

FLAGS = flags.FLAGS
flags.DEFINE_string("model", None, "A GAN or VAE: .keras file, preset:<name> (genrepair-restore --list_presets) or a SavedModel folder from genrepair-export.")
flags.DEFINE_integer("num", 64, "Number of samples.", lower_bound=1)
flags.DEFINE_integer("label", None, "Class to sample (conditional models); default cycles through the classes, one class per column.", lower_bound=0)
flags.DEFINE_integer("seed", 0, "Seed of the latent draw.")
flags.DEFINE_string("output", None, "The grid PNG to write.")
flags.DEFINE_bool("overwrite", False, "Replace an existing output file.")
flags.mark_flags_as_required(["model", "output"])


def main(argv: list[str]) -> None:
    del argv
    from tf_genrepair.deploy import (
        generate_grid,  # Imported after flag parsing: TF start-up is slow.
    )

    with about_flag("model", FLAGS.model):
        print(generate_grid(FLAGS.model, FLAGS.output, num=FLAGS.num, label=FLAGS.label, seed=FLAGS.seed, overwrite=FLAGS.overwrite))


def run() -> None:
    run_main(main)


if __name__ == "__main__":
    run()
