"""azmlinfsrv's configuration file: a JSON object whose keys are the environment variables' names.

The file is `--config-file` / AZUREML_CONFIG_FILE, else the first non-empty `config.json` in AML_APP_ROOT (the
working directory unless set) or beside the entry script. It is the lowest layer: a flag beats the
environment, which beats the file, which beats the default (`options.read`). Its AML_APP_ROOT,
AZUREML_SOURCE_DIRECTORY and AZUREML_MODEL_DIR are exported when the environment has none, for the loader
and the scripts.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from gateway.server.workers import WORKER_ENV
from gateway.settings import parse_scorer_option

__all__ = ("CONFIG_NAME", "EXPORTED", "ConfigFile", "ConfigFileError", "entry_script", "locate", "load", "read_config")

log = logging.getLogger("gateway.cli")

#: the file looked for in AML_APP_ROOT and beside the entry script
CONFIG_NAME = "config.json"
#: keys no option reads but the loader and the scripts do, from the environment
EXPORTED = ("AML_APP_ROOT", "AZUREML_SOURCE_DIRECTORY", "AZUREML_MODEL_DIR")


class ConfigFileError(ValueError):
    """The file cannot be used: missing, unreadable, not JSON, not an object, or a value of no usable type."""


@dataclass(frozen=True)
class ConfigFile:
    """A file's values as an environment variable would hold them (numbers and booleans written as text)."""

    path: str | None = None
    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def unread(self, known: Iterable[str]) -> list[str]:
        """The file's keys that are neither in `known` nor exported."""
        names = set(known) | set(EXPORTED)
        return sorted(key for key in self.values if key not in names)

    def export(self) -> None:
        """Its AML_APP_ROOT, AZUREML_SOURCE_DIRECTORY and AZUREML_MODEL_DIR, where the environment has none."""
        for name in EXPORTED:
            if name in self.values and not os.environ.get(name):
                os.environ[name] = self.values[name]


def _usable(path: str) -> bool:
    return os.path.isfile(path) and os.path.getsize(path) > 0


def locate(given: str | None, entry_script: str | None) -> str | None:
    """The file to read: `given` (the flag's or AZUREML_CONFIG_FILE's), else a non-empty config.json in
    AML_APP_ROOT (the working directory unless set), else beside `entry_script`; None when there is none."""
    if given:
        return os.path.realpath(given)
    roots = [os.environ.get("AML_APP_ROOT") or os.getcwd()]
    if entry_script:
        roots.append(os.path.dirname(os.path.abspath(entry_script)))
    for root in roots:
        candidate = os.path.join(root, CONFIG_NAME)
        if _usable(candidate):
            return os.path.realpath(candidate)
    return None


def _text(key: str, value: Any, path: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ",".join(value)  # CORS origins and API keys, as a list
    raise ConfigFileError(
        f"config file {path}: {key} is {json.dumps(value)}; give a string, a number, true/false or a list of strings"
    )


def load(path: str | None) -> ConfigFile:
    """The file's values (None: no file, no values); ConfigFileError when it cannot be used."""
    if path is None:
        return ConfigFile()
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except OSError as exc:
        raise ConfigFileError(f"config file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"config file {path} is not UTF-8 text") from None
    if not text.strip():
        return ConfigFile(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ConfigFileError(f"config file {path} is not valid JSON: {exc.msg} ({where})") from None
    if not isinstance(document, dict):
        kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
        raise ConfigFileError(
            f"config file {path} must hold a JSON object of variable names and values, "
            f"not {kinds.get(type(document), 'a number')}"
        )
    return ConfigFile(path, {key: _text(key, value, path) for key, value in document.items() if value is not None})


def entry_script(scorers: Sequence[str]) -> str | None:
    """The first script among the `--scorer` texts given: a config.json may lie beside it."""
    for text in scorers:
        try:
            target = parse_scorer_option(text)
        except ValueError:
            continue  # reported with the other options
        if target.is_file:
            return target.location[0]
    return None


def read_config(given: str | None, scorers: Sequence[str] | None, known: Iterable[str]) -> ConfigFile:
    """The file `given` (else AZUREML_CONFIG_FILE) names, else the config.json found (`locate`) beside the first
    script of `scorers` (else AZUREML_ENTRY_SCRIPT's), read and exported; its keys not in `known` are warned
    about, once (not again by the processes of `--workers`)."""
    given = given or os.environ.get("AZUREML_CONFIG_FILE") or None
    scripts = scorers or [text for text in (os.environ.get("AZUREML_ENTRY_SCRIPT"),) if text]
    config = load(locate(given, entry_script(scripts)))
    unread = config.unread(known)
    if unread and not os.environ.get(WORKER_ENV):
        log.warning("config file %s: unknown keys, ignored: %s", config.path, ", ".join(unread))
    config.export()
    return config
