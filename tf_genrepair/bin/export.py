"""genrepair-export: a trained model as a TF Serving SavedModel, a TFLite file or an ONNX file.

    genrepair-export --model=workdirs/restore_mnist/model.keras --export_base=exports --name=restorer
    genrepair-export --model=workdirs/classifier_mnist/model.keras --format=tflite --output=classifier.tflite
    genrepair-export --model=workdirs/restore_mnist/model.keras --format=onnx --output=restorer.onnx
"""

from absl import flags

from tf_genrepair.bin.errors import about_flag, run_main

FLAGS = flags.FLAGS
flags.DEFINE_string("model", None, "A trained tf_genrepair model: a .keras file or preset:<name> (genrepair-restore --list_presets).")
flags.DEFINE_enum("format", "saved_model", ["saved_model", "tflite", "onnx"], "What to write.")
flags.DEFINE_string("export_base", None, "saved_model: base folder; the model goes to <export_base>/<name>/<version>/.")
flags.DEFINE_string("name", None, "saved_model: the model's name under --export_base.")
flags.DEFINE_integer("version", None, "saved_model: version number (default: one more than the largest present).", lower_bound=1)
flags.DEFINE_string("output", None, "tflite/onnx: the file to write.")
flags.DEFINE_list("image_size", None, "tflite/onnx restorers: fixed height,width (required for tflite).")
flags.mark_flags_as_required(["model"])


def main(argv: list[str]) -> None:
    del argv
    from tf_genrepair.deploy import (  # Imported after flag parsing: TF start-up is slow.
        export_for_serving,
        export_onnx,
        export_tflite,
    )
    from tf_genrepair.models import load_model

    with about_flag("model", FLAGS.model):
        model = load_model(FLAGS.model)
    if FLAGS.format == "saved_model":
        if not FLAGS.export_base or not FLAGS.name:
            raise ValueError("--format=saved_model needs --export_base and --name.")
        with about_flag("name", FLAGS.name):
            print(export_for_serving(model, FLAGS.export_base, name=FLAGS.name, version=FLAGS.version))
        return
    if not FLAGS.output:
        raise ValueError(f"--format={FLAGS.format} needs --output.")
    size = tuple(int(side) for side in FLAGS.image_size) if FLAGS.image_size else None
    writer = export_tflite if FLAGS.format == "tflite" else export_onnx
    with about_flag("output", FLAGS.output):
        print(writer(model, FLAGS.output, image_size=size))


def run() -> None:
    run_main(main)


if __name__ == "__main__":
    run()
