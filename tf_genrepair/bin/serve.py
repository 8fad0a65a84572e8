"""genrepair-serve: a local restoration web page and HTTP API (docs/serve.md).

    genrepair-serve --model=preset:denoise_gray --model=preset:restore_mnist --port=8080
    genrepair-serve --model=mine=workdirs/inpaint_bsd/model.keras --host=0.0.0.0   # explicitly exposed
"""

import os

from absl import flags

from tf_genrepair.bin.errors import about_flag, run_main

FLAGS = flags.FLAGS
flags.DEFINE_multi_string("model", None, "A restorer: preset:<name>, a .keras file or a SavedModel folder; name=... to name it. Repeatable.")
flags.DEFINE_string("host", "127.0.0.1", "Address to listen on (127.0.0.1: this machine only; 0.0.0.0 exposes it).")
flags.DEFINE_integer("port", 8080, "Port to listen on.", lower_bound=0, upper_bound=65535)
flags.DEFINE_integer("max_pixels", 16_000_000, "Refuse larger images before decoding them.", lower_bound=1)
flags.DEFINE_integer("max_body_mb", 32, "Refuse larger request bodies (413).", lower_bound=1)
flags.DEFINE_integer("tile_size", 512, "Images larger than this on a side are restored tile by tile.", lower_bound=32)
flags.DEFINE_string(
    "size_ladder", "default", "Shape bucketing: 'default' (pad each image up to the next of a few sizes, so memory kept "
    "per shape stays bounded), 'off', or comma-separated sides (e.g. 64,128,256,512)."
)
flags.DEFINE_boolean(
    "warm_up", True, "Before serving, run each model once on every shape the size ladder allows (a few seconds), so memory "
    "stays flat from the first request; ignored with --size_ladder=off."
)
flags.DEFINE_integer(
    "malloc_arenas", 2, "Cap on glibc's malloc arenas (as MALLOC_ARENA_MAX; 0: glibc's default of 8 per core): fewer arenas keep "
    "the server's memory flat under requests of every size.", lower_bound=0
)
flags.DEFINE_integer("threads", 8, "Requests handled at once (restores of one model still run one at a time).", lower_bound=1)
flags.mark_flags_as_required(["model"])


def _named(reference: str) -> tuple[str, str]:
    """`preset:x` -> (x, preset:x); `name=path` -> (name, path); `path` -> (file or folder name, path)."""
    if "=" in reference:
        name, path = reference.split("=", 1)
        return name, path
    if reference.startswith("preset:"):
        return reference.split(":", 1)[1], reference
    return os.path.splitext(os.path.basename(os.path.normpath(reference)))[0], reference


def main(argv: list[str]) -> None:
    del argv
    from tf_genrepair.io.memory import limit_malloc_arenas

    if FLAGS.malloc_arenas:
        limit_malloc_arenas(FLAGS.malloc_arenas)  # Before TensorFlow and the request threads start.
    import waitress

    from tf_genrepair.deploy.file_tools import load_restorer
    from tf_genrepair.deploy.web_server import create_app
    from tf_genrepair.presets import preset_info, preset_name

    restorers, metadata = {}, {}
    for reference in FLAGS.model:
        name, path = _named(reference)
        if name in restorers:
            raise ValueError(f"--model names {name!r} twice; name them apart with name=path.")
        with about_flag("model", reference):
            restorers[name] = load_restorer(path)
        if preset_name(path):
            metadata[name] = preset_info(preset_name(path))
    from tf_genrepair.models.restorer_inputs import parse_size_ladder

    with about_flag("size_ladder", FLAGS.size_ladder):
        ladder = parse_size_ladder(FLAGS.size_ladder)
    warm = FLAGS.warm_up and ladder is not None  # Without a ladder there is no fixed set of shapes to warm.
    if warm:
        print(f"Warming up {', '.join(restorers)} on every shape of the size ladder ...", flush=True)
    app = create_app(
        restorers, metadata=metadata, max_pixels=FLAGS.max_pixels, max_body_bytes=FLAGS.max_body_mb * 2**20, tile_size=FLAGS.tile_size,
        size_ladder=ladder, warm=warm,
    )
    print(f"Serving {', '.join(restorers)} on http://{FLAGS.host}:{FLAGS.port}/ (Ctrl-C stops)", flush=True)
    waitress.serve(app, host=FLAGS.host, port=FLAGS.port, threads=FLAGS.threads, max_request_body_size=FLAGS.max_body_mb * 2**20 + 2**20)


def run() -> None:
    run_main(main)


if __name__ == "__main__":
    run()
