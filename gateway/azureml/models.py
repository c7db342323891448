"""Where registered models live: `model_path` (the gateway's own) and `Model.get_model_path` (azureml-core's).

`model_path` reads AZUREML_MODEL_DIR only and returns a version's folder. `Model.get_model_path` behaves as
azureml-core's does in a scoring container: a version folder holding one file or folder gives that entry (so
`joblib.load(Model.get_model_path("sklearn_model"))` works), and the model is looked for under
AZUREML_MODEL_DIR, then in `./azureml-models/<name>/<version>/` (under AML_APP_ROOT, else the working
directory), then as `./<name>`. `azureml.core.model` and `azureml.exceptions` import this module when
azureml-core is not installed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

__all__ = (
    "model_path", "get_model_path", "Model", "AzureMLException", "WebserviceException", "ModelNotFoundException",
)


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


class AzureMLException(Exception):
    """azureml-core's base exception: the text is also `.message`."""

    def __init__(self, exception_message: str = "", **kwargs: Any) -> None:
        super().__init__(exception_message)
        self.message = exception_message


class WebserviceException(AzureMLException):
    """azureml-core's error for a bad call to the model API (`version should be an int`)."""


class ModelNotFoundException(AzureMLException, LookupError):
    """No such model (a LookupError too)."""


class _VersionNotFound(ModelNotFoundException, WebserviceException):
    """azureml-core raises WebserviceException when a version was asked for: both `except`s catch this."""


def _entry(folder: Path) -> str:
    """A version folder's one file or folder, as azureml-core returns it; the folder itself when it holds several."""
    entries = [child for child in folder.iterdir() if not child.name.startswith(".")]
    return str(entries[0] if len(entries) == 1 else folder)


def _in_versions(folder: Path, version: int | None) -> str | None:
    """`<folder>/<version>/` (the highest when None) as `_entry`; None when it is not there."""
    if not folder.is_dir():
        return None
    if version is None:
        versions = _versions(folder)
        return _entry(versions[-1]) if versions else None
    chosen = folder / str(version)
    return _entry(chosen) if chosen.is_dir() else None


def _in_model_dir(root: Path, name: str, version: int | None) -> str | None:
    folder = root / name
    found = _in_versions(folder, version)
    if found is None and folder.exists() and not (folder.is_dir() and _versions(folder)):
        return str(folder)  # a file or an unversioned folder named after the model
    if found is None and root.parent.name == name and root.name.isdigit() and version in (None, int(root.name)):
        return _entry(root)  # a single-model deployment: AZUREML_MODEL_DIR is .../<name>/<version>
    return found


def get_model_path(model_name: str | None = None, version: int | None = None, _workspace: Any = None) -> str:
    """The path of a registered model's file or folder, as azureml-core's `Model.get_model_path` finds it locally.

    `version=None` is the highest version. Looked for, in order: `$AZUREML_MODEL_DIR/<name>/<version>/`
    (or `$AZUREML_MODEL_DIR/<name>` without versions, or AZUREML_MODEL_DIR itself when it is
    `.../<name>/<version>`), `azureml-models/<name>/<version>/` under AML_APP_ROOT (else the working
    directory), then `./<name>`. A version folder holding one entry gives that entry. Models are never
    downloaded: `_workspace` is ignored. Raises ModelNotFoundException (a LookupError) naming where it looked.
    """
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise WebserviceException("version should be an int")
    if not model_name:
        raise WebserviceException("model_name is None")
    looked: list[str] = []
    root = os.environ.get("AZUREML_MODEL_DIR")
    if root:
        found = _in_model_dir(Path(root), model_name, version)
        if found is not None:
            return found
        looked.append(f"AZUREML_MODEL_DIR={root}")
    cache = Path(os.environ.get("AML_APP_ROOT") or os.getcwd()) / "azureml-models"
    found = _in_versions(cache / model_name, version)
    if found is not None:
        return found
    looked.append(str(cache / model_name / ("<latest version>" if version is None else str(version))))
    if os.path.exists(model_name):  # azureml-core's last resort, whatever the version
        return os.path.abspath(model_name)
    looked.append(os.path.abspath(model_name))
    which = "" if version is None else f" version {version}"
    hint = "" if root else " (AZUREML_MODEL_DIR is not set: start the gateway with --model-dir)"
    error = _VersionNotFound if version is not None else ModelNotFoundException
    raise error(f"model '{model_name}'{which} not found; looked in: {', '.join(looked)}{hint}")


class Model:
    """azureml-core's `Model`, as far as a scoring script uses it: `Model.get_model_path(name, version=None)`."""

    get_model_path = staticmethod(get_model_path)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise WebserviceException(
            "Model(workspace, ...) needs azureml-core (pip install azureml-core); "
            "without it only Model.get_model_path(name, version) is available"
        )
