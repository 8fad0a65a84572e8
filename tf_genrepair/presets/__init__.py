"""Pretrained presets shipped with the package: trained models with their provenance and checked figures.

A preset is a `.keras` file in `presets/files/` produced by one of the project's named experiments
(`tools/build_presets.py`, run by `make presets`), listed in `presets/presets.json` with the command
and commit that trained it, the data it saw, its figures and the file's size and sha256. This
module is the catalogue: names, metadata and verified paths. Loading is `models.load_model("preset:<name>")`
or `<ModelClass>.from_preset(<name>)`.

Example:
    >>> [preset["name"] for preset in list_presets()]
    >>> path = preset_path("classifier_mnist")   # sha256-checked
"""

import hashlib
import json
import os

PREFIX = "preset:"
FOLDER = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(FOLDER, "presets.json")


def _manifest(folder: str = FOLDER) -> dict[str, dict]:
    path = os.path.join(folder, "presets.json")
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def list_presets(folder: str = FOLDER) -> list[dict]:
    """Every preset's metadata (name, class, experiment, command, commit, data, figures, bytes, sha256), by name.

    Example:
        >>> for preset in list_presets(): print(preset["name"], preset["description"])
    """
    return [{"name": name, **entry} for name, entry in sorted(_manifest(folder).items())]


def preset_info(name: str, folder: str = FOLDER) -> dict:
    """One preset's metadata, or a `ValueError` listing the valid names."""
    presets = _manifest(folder)
    if name not in presets:
        raise ValueError(f"Unknown preset {name!r}. Valid presets: {', '.join(sorted(presets)) or 'none installed'}.")
    return {"name": name, **presets[name]}


def sha256_of(path: str) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def preset_path(name: str, folder: str = FOLDER) -> str:
    """The preset's `.keras` file after checking its size and sha256 against the manifest.

    Raises:
        ValueError: an unknown name (listing the valid ones), a missing file, or a file whose
            size or sha256 differs from the manifest (damaged or replaced).
    """
    entry = preset_info(name, folder)
    path = os.path.join(folder, "files", entry["file"])
    if not os.path.isfile(path):
        raise ValueError(f"Preset {name!r}: its file {path} is missing; reinstall tf_genrepair or rebuild with `make presets`.")
    size, digest = os.path.getsize(path), sha256_of(path)
    if size != entry["bytes"] or digest != entry["sha256"]:
        raise ValueError(
            f"Preset {name!r}: {path} is damaged or was replaced (sha256 {digest}, {size} bytes; the manifest records "
            f"{entry['sha256']}, {entry['bytes']} bytes). Reinstall tf_genrepair or rebuild with `make presets`."
        )
    return path


def preset_name(reference: str) -> str | None:
    """`"preset:denoise_gray"` -> `"denoise_gray"`; anything else -> None."""
    return reference[len(PREFIX):] if reference.startswith(PREFIX) else None
