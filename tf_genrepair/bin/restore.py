"""genrepair-restore: restore image files with a trained restorer (.keras file or exported SavedModel).

    genrepair-restore --model=exports/restorer/1 --input=photo.png --mask=holes.png --output=restored.png
    genrepair-restore --model=workdirs/restore_mnist/model.keras --input=digits/ --corruption=gaussian_noise --output=restored/
    genrepair-restore --model=preset:denoise_gray --input=noisy.png --noise_level=0.1 --output=denoised.png
    genrepair-restore --list_presets
"""

import os

from absl import flags

from tf_genrepair.bin.errors import about_flag, run_main

FLAGS = flags.FLAGS
flags.DEFINE_string("model", None, "Restorer: a .keras file, preset:<name> (see --list_presets) or a SavedModel folder from genrepair-export.")
flags.DEFINE_string("input", None, "An image file (PNG/JPEG/BMP) or a folder of them.")
flags.DEFINE_string("output", None, "The restored image file, or a folder when --input is a folder.")
flags.DEFINE_string("mask", None, "Mask image of the input's size; white marks missing pixels (single-image input only).")
flags.DEFINE_string("corruption", None, "Damage the input with this registered corruption first (to try a restorer).")
flags.DEFINE_integer("severity", 3, "Severity of --corruption.", lower_bound=1, upper_bound=5)
flags.DEFINE_integer("seed", 0, "Seed of --corruption.")
flags.DEFINE_float("noise_level", None, "Noise standard deviation in [0, 1] units, for noise-level restorers.")
flags.DEFINE_integer("tile_size", 512, "Images larger than this on a side are restored tile by tile.", lower_bound=32)
flags.DEFINE_string(
    "size_ladder", "default", "Shape bucketing: 'default' (pad each image smaller than a tile up to the next of a few sizes "
    "and crop back), 'off', or comma-separated sides (e.g. 64,128,256,512)."
)
flags.DEFINE_integer("max_pixels", 64_000_000, "Refuse larger images (decompression bombs).", lower_bound=1)
flags.DEFINE_bool("overwrite", False, "Replace existing output files.")
flags.DEFINE_bool("list_presets", False, "List the shipped pretrained models (for --model=preset:<name>) and exit.")
flags.register_multi_flags_validator(
    ["model", "input", "output", "list_presets"],
    lambda values: values["list_presets"] or all(values[name] for name in ("model", "input", "output")),
    message="--model, --input and --output are required (or --list_presets).",
)


def _print_presets() -> None:
    from tf_genrepair.presets import list_presets

    for preset in list_presets():
        figures = "; ".join(f"{label} {value}" for label, value in preset["figures"].items())
        print(f"preset:{preset['name']}  [{preset['class']}, {preset['bytes'] / 1e6:.1f} MB]  {preset['description']}\n    {figures}")


def main(argv: list[str]) -> None:
    del argv
    if FLAGS.list_presets:
        _print_presets()
        return
    import keras  # Imported after flag parsing: TF start-up is slow.

    from tf_genrepair.deploy.file_tools import list_images, load_restorer, restore_file
    from tf_genrepair.io import make_folder
    from tf_genrepair.models.restorer_inputs import parse_size_ladder

    with about_flag("size_ladder", FLAGS.size_ladder):
        size_ladder = parse_size_ladder(FLAGS.size_ladder)

    options = dict(
        corruption=FLAGS.corruption, severity=FLAGS.severity, seed=FLAGS.seed, noise_levels=FLAGS.noise_level,
        tile_size=FLAGS.tile_size, overwrite=FLAGS.overwrite, max_pixels=FLAGS.max_pixels,
        size_ladder=size_ladder,
    )
    if FLAGS.corruption:
        from tf_genrepair.corruptions import get_corruption

        get_corruption(FLAGS.corruption)  # An unknown name fails before the model loads.
    with about_flag("model", FLAGS.model):
        restorer = load_restorer(FLAGS.model)
    if not os.path.isdir(FLAGS.input):
        print(restore_file(restorer, FLAGS.input, FLAGS.output, mask_path=FLAGS.mask, **options))
        return
    if FLAGS.mask:
        raise ValueError("--mask applies to a single input image, not a folder.")
    names = list_images(FLAGS.input)
    make_folder(FLAGS.output)
    progress = keras.utils.Progbar(len(names), unit_name="image")
    for name in names:
        restore_file(restorer, os.path.join(FLAGS.input, name), os.path.join(FLAGS.output, name), **options)
        progress.add(1)
    print(f"{len(names)} images restored into {FLAGS.output}")


def run() -> None:
    run_main(main)


if __name__ == "__main__":
    run()
