"""One restorer for every corruption: PSNR of damaged and restored MNIST test digits, and a before/after sheet.

For each registered corruption at severities 3 and 5, the first `--num_images` MNIST test digits
are damaged with a fixed seed and restored by a `restore_mnist` model; PSNR (peak 1, per image,
averaged) of the damaged and of the restored images against the clean ones.

    GENREPAIR_DATA_DIR=../shared/data python benchmarks/restore_mnist.py --model=workdirs/restore_mnist/model.keras

Prints a JSON document and a table; writes docs/images/restore_mnist.png.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import tf_genrepair.models  # noqa: E402,F401  (registers the models for loading)
from tf_genrepair.corruptions import CLASSIC_CORRUPTIONS as CORRUPTIONS  # noqa: E402
from tf_genrepair.corruptions import get_corruption
from tf_genrepair.data import load_dataset  # noqa: E402
from tf_genrepair.io.plots import save_image_table  # noqa: E402
from tf_genrepair.metrics import psnr  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.results import default_output, write_results  # noqa: E402
from harness.restorers import restore_as_is  # noqa: E402

SHOWN = 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--num_images", type=int, default=2000)
    parser.add_argument("--output", default=default_output("restore_mnist"))
    parser.add_argument("--picture", default="docs/images/restore_mnist.png")
    arguments = parser.parse_args()
    started = time.time()
    digits = np.stack([image for image, _ in load_dataset("mnist", split=f"test[:{arguments.num_images}]").as_numpy_iterator()])
    restorer = keras.saving.load_model(arguments.model)
    rows, sheet = [], {"clean": digits[:SHOWN]}
    progress = keras.utils.Progbar(2 * len(CORRUPTIONS))
    for severity in (3, 5):
        for index, name in enumerate(CORRUPTIONS):
            damaged, mask = (part.numpy() for part in get_corruption(name)(digits, severity=severity, seed=[severity, index]))
            restored = restore_as_is(restorer)(damaged, mask, batch_size=500)
            rows.append({
                "corruption": name,
                "severity": severity,
                "damaged_psnr": float(np.mean(psnr(digits, damaged))),
                "restored_psnr": float(np.mean(psnr(digits, restored))),
            })
            if severity == 3:
                sheet[f"{name}: damaged"] = damaged[:SHOWN]
                sheet[f"{name}: restored"] = restored[:SHOWN]
            progress.add(1)
    save_image_table(sheet, arguments.picture, column_labels=[f"test #{i}" for i in range(SHOWN)], title="restore_mnist, severity 3")
    write_results(arguments.output, {"model": arguments.model, "num_images": len(digits), "rows": rows}, started=started)
    print(json.dumps(rows, indent=2))
    print("\n| corruption | severity | damaged PSNR dB | restored PSNR dB |\n| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['corruption']} | {row['severity']} | {row['damaged_psnr']:.2f} | {row['restored_psnr']:.2f} |")


if __name__ == "__main__":
    main()
