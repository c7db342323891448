"""The serve options' table (`gateway.cli.options`): every row reaches the parser, the `--help` epilog and
`Settings`; a variable sets its field and a flag beats it; and `main` hands each command to its own parser."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SCORERS

from gateway.cli import main as cli
from gateway.cli.options import ADDS, OPTIONS, REPLACES, Option, epilog, read
from gateway.settings import ScorerTarget, Settings

ECHO = str(SCORERS / "echo.py")
RAW = str(SCORERS / "raw.py")

#: Settings fields no option fills, and why.
NO_OPTION: dict[str, str] = {}
#: Options that fill another option's field rather than their own.
FILLS_ANOTHER = {"api_keys_file": "api_keys"}  # the file's keys are accepted beside the others
#: Fields whose command-line default is not Settings' own.
OWN_DEFAULT = {"scorers": "required", "max_concurrency": "max(4, CPUs) on the command line, 4 in Settings"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No variable of the table is set, and whatever the command line exports is undone after the test."""
    for option in OPTIONS:
        for env in option.variables:
            monkeypatch.delenv(env.name, raising=False)
    monkeypatch.setenv("AZUREML_MODEL_DIR", "")
    monkeypatch.delenv("AZUREML_MODEL_DIR")


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, tuple[str, Any]]:
    """For every variable and every flag: a text to give, and the value its field then holds."""
    (tmp_path / "env").mkdir()
    (tmp_path / "flag").mkdir()
    (tmp_path / "env.keys").write_text("from-env-file\n")
    (tmp_path / "flag.keys").write_text("# a comment\nfrom-flag-file\n")
    (tmp_path / "env.json").write_text("{}")
    (tmp_path / "flag.json").write_text("{}")
    return {
        "AZUREML_ENTRY_SCRIPT": (ECHO, (ScorerTarget("default", ECHO),)),
        "--scorer": (f"raw={RAW}", (ScorerTarget("raw", RAW),)),
        "--entry_script": (ECHO, (ScorerTarget("default", ECHO),)),  # azmlinfsrv's spelling
        "AZUREML_CONFIG_FILE": (str(tmp_path / "env.json"), str(tmp_path / "env.json")),
        "--config-file": (str(tmp_path / "flag.json"), str(tmp_path / "flag.json")),
        "--config_file": (str(tmp_path / "flag.json"), str(tmp_path / "flag.json")),  # azmlinfsrv's spelling
        "GATEWAY_HOST": ("0.0.0.0", "0.0.0.0"),
        "--host": ("::1", "::1"),
        "GATEWAY_PORT": ("6001", 6001),
        "--port": ("6002", 6002),
        "GATEWAY_MODEL_DIR": (str(tmp_path / "env"), str(tmp_path / "env")),
        "--model-dir": (str(tmp_path / "flag"), str(tmp_path / "flag")),
        "--model_dir": (str(tmp_path / "flag"), str(tmp_path / "flag")),
        "GATEWAY_WORKERS": ("3", 3),
        "--workers": ("2", 2),
        "WORKER_COUNT": ("4", 4),
        "--worker_count": ("5", 5),
        "GATEWAY_SCORING_TIMEOUT": ("12.5", 12.5),
        "SCORING_TIMEOUT_MS": ("300", 0.3),
        "--scoring-timeout": ("7", 7.0),
        "GATEWAY_INLINE_BUDGET": ("0.5", 0.5),
        "--inline-budget": ("0", 0.0),
        "GATEWAY_INIT_TIMEOUT": ("7", 7.0),
        "--init-timeout": ("8.5", 8.5),
        "GATEWAY_DRAIN_TIMEOUT": ("9", 9.0),
        "--drain-timeout": ("1", 1.0),
        "GATEWAY_REQUEST_READ_TIMEOUT": ("12", 12.0),
        "--request-read-timeout": ("4", 4.0),
        "GATEWAY_MAX_BODY_SIZE": ("1000", 1000),
        "--max-body-size": ("2000", 2000),
        "GATEWAY_MAX_CONCURRENCY": ("6", 6),
        "--max-concurrency": ("7", 7),
        "GATEWAY_MAX_QUEUE": ("5", 5),
        "--max-queue": ("0", 0),
        "GATEWAY_OVERLOAD_STATUS": ("503", 503),
        "--overload-status": ("429", 429),
        "GATEWAY_CORS_ORIGINS": ("https://a.example, https://b.example", ("https://a.example", "https://b.example")),
        "AML_CORS_ORIGINS": ("https://c.example", ("https://c.example",)),
        "--cors-origins": ("*", ("*",)),
        "--access_control_allow_origins": ("https://d.example", ("https://d.example",)),
        "GATEWAY_API_KEYS": ("k1, k2", ("k1", "k2")),
        "--api-key": ("k3", ("k3",)),
        "GATEWAY_API_KEYS_FILE": (str(tmp_path / "env.keys"), ("from-env-file",)),
        "--api-keys-file": (str(tmp_path / "flag.keys"), ("from-flag-file",)),
        "GATEWAY_LOG_FORMAT": ("json", "json"),
        "--log-format": ("text", "text"),
        "GATEWAY_LOG_LEVEL": ("DEBUG", "DEBUG"),
        "--log-level": ("WARNING", "WARNING"),
        "AZUREML_LOG_LEVEL": ("ERROR", "ERROR"),
        "GATEWAY_CAPTURE": (str(tmp_path / "env-capture"), str(tmp_path / "env-capture")),
        "--capture": (str(tmp_path / "flag-capture"), str(tmp_path / "flag-capture")),
        "GATEWAY_CAPTURE_SAMPLE": ("0.25", 0.25),
        "--capture-sample": ("0.5", 0.5),
        "GATEWAY_CAPTURE_MAX_BYTES": ("100", 100),
        "--capture-max-bytes": ("200", 200),
        "--appinsights_instrumentation_key": ("a-key", "a-key"),
        "--reuse-port": ("", True),
        "GATEWAY_TEXT_VALUES": ("true", True),
        "--text-values": ("", True),
        "SERVER_VERSION_LOG_RESPONSE_ENABLED": ("False", False),
        "AZUREML_DEBUG_PORT": ("5678", 5678),
        "SERVICE_NAME": ("Churn", "Churn"),
        "SERVICE_VERSION": ("3.2", "3.2"),
        "SERVICE_PATH_PREFIX": ("ml", "ml"),
    }


def _id(option: Option) -> str:
    return option.name


WITH_FLAGS = [o for o in OPTIONS if o.flags]
WITH_VARIABLES = [(o, env.name) for o in OPTIONS for env in o.variables]


def _settings(*argv: str) -> Settings:
    parser = cli.build_parser()
    return cli.settings_from_args(parser, parser.parse_args(argv))


def _field(option: Option) -> str:
    return FILLS_ANOTHER.get(option.name, option.name)


def _argv(option: Option, flag: str | None = None, text: str = "") -> list[str]:
    """The command line that gives `flag` (if any), plus a scorer unless the option is the scorer's."""
    given = [] if flag is None else [flag] if option.switch else [flag, text]
    return given if option.repeat == REPLACES and option.variables else ["--scorer", ECHO, *given]


def test_every_flag_and_variable_has_a_sample(samples):
    named = {flag for o in OPTIONS for flag in o.flags} | {env.name for o in OPTIONS for env in o.variables}
    assert named == set(samples)


def test_the_rows_and_the_settings_fields_match():
    fields = {field.name for field in dataclasses.fields(Settings)}
    rows = [option.name for option in OPTIONS]
    assert len(rows) == len(set(rows)), "an option is declared twice"
    assert {o.name for o in OPTIONS if o.setting} <= fields
    assert {o.name for o in OPTIONS if not o.setting} == set(FILLS_ANOTHER)
    assert set(FILLS_ANOTHER.values()) <= fields
    assert fields - {o.name for o in OPTIONS if o.setting} == set(NO_OPTION)


@pytest.mark.parametrize("option", WITH_FLAGS, ids=_id)
def test_every_flag_is_accepted_and_fills_its_field(option: Option, samples):
    for flag in option.flags:
        text, expected = samples[flag]
        args = cli.build_parser().parse_args(_argv(option, flag, text))
        assert getattr(args, option.name) is not None
        assert getattr(_settings(*_argv(option, flag, text)), _field(option)) == expected


def test_every_variable_and_visible_flag_is_in_the_help():
    text = cli.build_parser().format_help()
    assert epilog() in text
    for option in OPTIONS:
        for env in option.variables:
            assert env.name in epilog(), f"{env.name} ({option.name}) is missing from --help"
        if option.help != "==SUPPRESS==":
            for flag in option.flags:
                assert flag in text


@pytest.mark.parametrize("option, name", WITH_VARIABLES, ids=[f"{o.name}:{n}" for o, n in WITH_VARIABLES])
def test_a_variable_sets_its_field(option: Option, name: str, samples, monkeypatch):
    text, expected = samples[name]
    monkeypatch.setenv(name, text)
    assert getattr(_settings(*_argv(option)), _field(option)) == expected


@pytest.mark.parametrize("option", [o for o in WITH_FLAGS if o.variables], ids=_id)
def test_a_flag_beats_the_environment(option: Option, samples, monkeypatch):
    name = option.variables[0].name
    monkeypatch.setenv(name, samples[name][0])
    text, expected = samples[option.flags[0]]
    if option.repeat == ADDS:  # a key in the environment stays accepted beside the flags' own
        expected = samples[name][1] + expected
    assert getattr(_settings(*_argv(option, option.flags[0], text)), _field(option)) == expected


def test_defaults_are_the_settings_defaults():
    served, plain = _settings("--scorer", ECHO), Settings()
    for option in OPTIONS:
        if option.setting and option.name not in OWN_DEFAULT:
            assert getattr(served, option.name) == getattr(plain, option.name), option.name


def test_an_earlier_variable_wins_unless_it_is_empty_or_zero(monkeypatch):
    monkeypatch.setenv("GATEWAY_SCORING_TIMEOUT", "2")
    monkeypatch.setenv("SCORING_TIMEOUT_MS", "300")
    assert _settings("--scorer", ECHO).scoring_timeout == 2.0
    monkeypatch.setenv("GATEWAY_SCORING_TIMEOUT", "0")
    assert _settings("--scorer", ECHO).scoring_timeout == 0.3
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", "https://own.example")
    monkeypatch.setenv("AML_CORS_ORIGINS", "https://aml.example")
    assert _settings("--scorer", ECHO).cors_origins == ("https://own.example",)


def test_a_malformed_number_stops_startup_even_under_its_flag(monkeypatch):
    monkeypatch.setenv("GATEWAY_PORT", "abc")
    with pytest.raises(SystemExit) as exited:
        _settings("--scorer", ECHO, "--port", "6003")
    assert exited.value.code == "gateway: error: environment variable GATEWAY_PORT='abc' is not a number"


def test_without_a_namespace_only_the_environment_options_are_read(monkeypatch):
    monkeypatch.setenv("SERVICE_NAME", "Churn")
    monkeypatch.setenv("GATEWAY_PORT", "abc")  # a serve option: not read for a subcommand
    values = read(cli.build_parser())
    assert set(values) == {o.name for o in OPTIONS if not o.flags}
    assert values["service_name"] == "Churn"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """`main`'s serving replaced by a recorder (and logging left as pytest set it)."""
    calls: list[Settings] = []
    monkeypatch.setattr(cli, "serve", lambda settings: calls.append(settings) or 0)
    monkeypatch.setattr(cli, "configure_logging", lambda level, log_format: None)
    return calls


@pytest.mark.parametrize("argv", [["--scorer", ECHO], ["serve", "--scorer", ECHO], ["--host", "check", "--scorer", ECHO]])
def test_serving_is_the_default_command(argv: list[str], served):
    assert cli.main(argv) == 0
    assert [s.scorers for s in served] == [(ScorerTarget("default", ECHO),)]


def test_several_workers_are_supervised_with_the_command_line_as_given(served, monkeypatch):
    supervised: list[list[str]] = []
    monkeypatch.delenv("GATEWAY_WORKER", raising=False)
    monkeypatch.setattr(cli, "supervise", lambda argv, settings: supervised.append(argv) or 0)
    assert cli.main(["serve", "--scorer", ECHO, "--workers", "2"]) == 0
    assert supervised == [["serve", "--scorer", ECHO, "--workers", "2"]] and served == []


def test_subcommands_reach_their_own_parsers(served, capsys, monkeypatch):
    monkeypatch.setenv("GATEWAY_PORT", "abc")  # serve options are not read by a subcommand
    assert cli.main(["swagger", "--scorer", ECHO, "--version", "3.1"]) == 0
    assert json.loads(capsys.readouterr().out)["openapi"] == "3.1.0"
    assert cli.main(["check", "--scorer", ECHO, "--export-schema"]) == 0
    assert json.loads(capsys.readouterr().out)["type"] == "object"
    assert served == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["check", "--scorer", ECHO, "--export-schema", "--bogus"], "python -m gateway check: error: unrecognized arguments: --bogus"),
        (["check"], "python -m gateway check: error: one of the arguments --scorer --url is required"),
        (["swagger", "--scorer", ECHO, "--bogus"], "python -m gateway swagger: error: unrecognized arguments: --bogus"),
        (["powerquery", "--scorer", ECHO], "python -m gateway powerquery: error: the following arguments are required: --url"),
        (["serve", "--bogus"], "python -m gateway: error: unrecognized arguments: --bogus"),
        (["--bogus"], "python -m gateway: error: unrecognized arguments: --bogus"),
        ([], "python -m gateway: error: give --scorer TARGET (or set AZUREML_ENTRY_SCRIPT)"),
    ],
)
def test_usage_errors_exit_2_under_the_command_s_name(argv: list[str], message: str, served, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err.splitlines()
    assert err.startswith("usage: " + message.partition(": error")[0] + " ")
    assert served == []
