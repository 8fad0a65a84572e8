"""The dependency rule: a layer imports only layers below it (docs/architecture.md)."""

import ast
import os

import tf_genrepair

PACKAGE = os.path.dirname(tf_genrepair.__file__)
# Bottom to top; a module may import its own layer's package and any layer of a lower rank.
LAYERS = {
    "io": 0,
    "configs": 1,
    "corruptions": 1,
    "data": 2,
    "presets": 2,
    "networks": 3,
    "losses": 3,
    "likelihoods": 3,
    "metrics": 3,
    "models": 4,
    "restoration": 5,
    "training": 5,
    "evaluation": 6,
    "deploy": 6,
    "bin": 7,
}


def _layer(module: str) -> str:
    """`tf_genrepair.models.gan` -> `models`."""
    return module.split(".")[1]


def _imports(path: str) -> set[str]:
    """Every `tf_genrepair.*` module a file imports (top level or inside functions)."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("tf_genrepair.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tf_genrepair"):
            found |= {f"{node.module}.{alias.name}" if node.module == "tf_genrepair" else node.module for alias in node.names}
    return found


def _package_files() -> dict[str, str]:
    files = {}
    for folder, _, names in os.walk(PACKAGE):
        for name in names:
            if name.endswith(".py") and name != "__init__.py" or (name == "__init__.py" and folder != PACKAGE):
                relative = os.path.relpath(os.path.join(folder, name), os.path.dirname(PACKAGE))
                files[relative[: -len(".py")].replace(os.sep, ".").removesuffix(".__init__")] = os.path.join(folder, name)
    return files


def violations(files: dict[str, str]) -> list[str]:
    """`importer -> imported` pairs where a module imports a layer of the same or a higher rank than its own (other than itself)."""
    found = []
    for module, path in files.items():
        own = _layer(module)
        for imported in _imports(path):
            other = _layer(imported)
            if other != own and LAYERS[other] >= LAYERS[own]:
                found.append(f"{module} -> {imported}")
    return found


def test_every_module_belongs_to_a_layer():
    assert {_layer(module) for module in _package_files()} <= set(LAYERS)


def test_no_layer_imports_its_own_rank_or_above():
    assert violations(_package_files()) == []


def test_the_check_catches_an_upward_import(tmp_path):
    upward = tmp_path / "gan.py"
    upward.write_text("from tf_genrepair.training.train import train_and_evaluate\n")
    sideways = tmp_path / "noise.py"
    sideways.write_text("import tf_genrepair.configs.schema\n")
    found = violations({"tf_genrepair.models.gan": str(upward), "tf_genrepair.corruptions.noise": str(sideways)})
    assert found == ["tf_genrepair.models.gan -> tf_genrepair.training.train", "tf_genrepair.corruptions.noise -> tf_genrepair.configs.schema"]
