"""The committed results files: every benchmark writes its JSON with the command, wall time and machine."""

import os
import platform
import sys
import time

from tf_genrepair.io.atomic import write_json_atomic



def default_output(name: str) -> str:
    """`benchmarks/results/<name>.json`, the committed file RESULTS.md quotes."""
    return os.path.join("benchmarks", "results", f"{name}.json")


def machine() -> dict:
    """What the numbers were measured on."""
    import tensorflow as tf

    return {"processor": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(), "tensorflow": tf.__version__}


def write_results(path: str, document: dict, *, started: float) -> dict:
    """Writes `document` atomically with the command that produced it, the seconds since `started` and the machine."""
    script = os.path.relpath(sys.argv[0]) if sys.argv and sys.argv[0] else "python"
    document = {**document, "command": " ".join(["python", script, *sys.argv[1:]]), "seconds": time.time() - started, "machine": machine()}
    write_json_atomic(path, document)
    return document
