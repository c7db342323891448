"""SERVER_VERSION_LOG_RESPONSE_ENABLED, as azmlinfsrv reads it: x-ms-server-version is sent unless the variable
is set to anything but `true` (any case); through the served app and through `python -m gateway`."""

from __future__ import annotations

import pytest
import requests
from conftest import SCORERS

from gateway.cli import main as cli
from gateway.server.middleware import SERVER_VERSION
from gateway.settings import Settings

ECHO = str(SCORERS / "echo.py")


def settings_with(monkeypatch: pytest.MonkeyPatch, value: str | None) -> Settings:
    if value is None:
        monkeypatch.delenv("SERVER_VERSION_LOG_RESPONSE_ENABLED", raising=False)
    else:
        monkeypatch.setenv("SERVER_VERSION_LOG_RESPONSE_ENABLED", value)
    parser = cli.build_parser()
    return cli.settings_from_args(parser, parser.parse_args(["--scorer", ECHO]))


@pytest.mark.parametrize("value, sent", [(None, True), ("true", True), ("TRUE", True), ("True", True),
                                         ("false", False), ("0", False), ("yes", False), ("1", False)])
async def test_the_variable_turns_the_header_off_unless_it_is_true(serve, monkeypatch, value, sent):
    settings = settings_with(monkeypatch, value)
    assert settings.server_version_header is sent
    client = await serve(lambda raw: raw, settings=settings)
    for response in (await client.post("/score", data=b"x"), await client.get("/"), await client.get("/nowhere")):
        assert response.headers.get("x-ms-server-version") == (SERVER_VERSION if sent else None)


def test_the_process_sends_the_header_by_default_and_not_when_disabled(gateway_process, monkeypatch):
    monkeypatch.delenv("SERVER_VERSION_LOG_RESPONSE_ENABLED", raising=False)
    default = gateway_process("--scorer", ECHO)
    disabled = gateway_process("--scorer", ECHO, env={"SERVER_VERSION_LOG_RESPONSE_ENABLED": "False"})
    on = requests.post(default.base + "/score", json={"Inputs": 1}, timeout=10)
    off = requests.post(disabled.base + "/score", json={"Inputs": 1}, timeout=10)
    assert on.status_code == off.status_code == 200
    assert on.headers["x-ms-server-version"] == SERVER_VERSION
    assert "x-ms-server-version" not in off.headers
    assert "x-ms-server-version" not in requests.get(disabled.base + "/", timeout=10).headers
