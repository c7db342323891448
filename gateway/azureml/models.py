"""`model_path`: where a registered model lives under AZUREML_MODEL_DIR, standing in for `Model.get_model_path`."""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ("model_path",)


def _versions(folder: Path) -> list[Path]:
    found = [child for child in folder.iterdir() if child.is_dir() and re.fullmatch(r"\d+", child.name)]
    return sorted(found, key=lambda child: int(child.name))


def model_path(name: str | None = None, version: int | str | None = None) -> str:
    """The path of a model under AZUREML_MODEL_DIR.

    Several models are laid out as `$AZUREML_MODEL_DIR/<name>/<version>/...`: `model_path("sklearn", 2)` is
    that version's folder and `model_path("sklearn")` the highest version. With a single model (no such
    layout), `model_path()` is AZUREML_MODEL_DIR itself, and a file or folder `name` directly inside it is
    returned as is.
    """
    root = os.environ.get("AZUREML_MODEL_DIR")
    if not root:
        raise LookupError("AZUREML_MODEL_DIR is not set: start the gateway with --model-dir")
    base = Path(root)
    if name is None:
        return str(base)
    folder = base / name
    if not folder.exists():
        available = ", ".join(sorted(p.name for p in base.iterdir())) if base.is_dir() else "nothing"
        raise LookupError(f"no model '{name}' in {base} (it holds: {available})")
    versions = _versions(folder) if folder.is_dir() else []
    if version is None:
        return str(versions[-1] if versions else folder)
    chosen = folder / str(version)
    if not chosen.is_dir():
        listed = ", ".join(v.name for v in versions) or "none"
        raise LookupError(f"model '{name}' has no version {version} in {folder} (versions: {listed})")
    return str(chosen)
