"""Conformance with the reference server (azureml-inference-server-http 1.5.1 + inference-schema 1.8).

Every case recorded against the reference (`cases.json`, copied from the reference's
conformance_cases.json, with the entry scripts it ran under `scripts/`) is replayed here: the scorer is
built from the case's script exactly as `python -m gateway --scorer scripts/<dir>/score.py` builds it
(the command line's own parser, settings and loader, with the case's environment and arguments), served
in process, and sent the exact request. Then either

* the gateway reproduces the reference: same status, same body (parsed JSON with strict types, or the
  exact text), same deterministic headers; or
* README 'Where it differs from Azure ML's server' (or another SPEC section) says we answer better: the case is in `DEVIATIONS` with its reason
  and `EXPECTED` holds the exact answer we give instead.

`x-ms-server-version` is `gateway/<version>` on every response where the reference sent
`azmlinfsrv/1.5.1` (`SERVER_VERSION_DEVIATION`).

Counts (pandas 3.1 / numpy 2.4, and the same on pandas 2.2 / numpy 1.26): 173 cases; 49 reproduce the
reference and 124 deviate as the SPEC says (`DEVIATIONS`, each with its reason); none fails. The pandas_types
cases deviate since timedelta columns are converted strictly too (they used to send the whole table through
inference-schema's lenient conversion).

scripts/amlresponse imports `flask` at the top (always there under Azure ML, whose server is Flask); where
flask is not installed the suite gives the script a stand-in module, which the recorded modes never use.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import types
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd
import pytest
from aiohttp.test_utils import TestClient
from multidict import CIMultiDictProxy
from openapi_spec_validator import (
    OpenAPIV2SpecValidator,
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
)

from gateway import Scorer, __version__, create_app
from gateway.cli.main import build_parser, load_scorers, settings_from_args
from gateway.core.dtypes import DATETIME_UNIT, STRING_DTYPE
from gateway.documents.openapi import ERROR_RESPONSE
from gateway.scoring.check import check_payload

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
REFERENCE_DOCUMENTS = HERE.parent / "reference"
CASES: list[dict[str, Any]] = json.loads((HERE / "cases.json").read_text())
BY_NAME: dict[str, dict[str, Any]] = {case["name"]: case for case in CASES}

UUID4 = "<uuid4>"
EXEC_MS = "<float with 3 decimals>"
SERVER_VERSION_DEVIATION = "x-ms-server-version is gateway/<version> (the reference: azmlinfsrv/1.5.1)"
#: headers whose presence matters: where the reference did not send one, we must not either
TRACKED = ("x-request-id", "x-ms-request-id", "x-ms-client-request-id", "TraceId", "x-ms-run-fn-exec-ms",
           "x-ms-run-function-failed", "Vary", "Access-Control-Allow-Origin")
#: the reference's command-line flags, as `python -m gateway` spells them (README 'Serving your own scorer')
CLI_FLAGS = {"--model_dir": "--model-dir"}
#: the variables the command line reads; unset for every case unless the case sets them
ENVIRONMENT = ("AZUREML_MODEL_DIR", "AZUREML_ENTRY_SCRIPT", "SCORING_TIMEOUT_MS", "AML_CORS_ORIGINS", "AML_APP_ROOT",
               "AZUREML_SOURCE_DIRECTORY", "SERVICE_NAME", "SERVICE_VERSION", "SERVICE_PATH_PREFIX")
#: this stack's names for the dtypes the gateway gives text and datetime columns (`str`/`object`, `us`/`ns`)
TEXT = str(STRING_DTYPE)
DATETIME = f"datetime64[{DATETIME_UNIT}]"
PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3


def script_dir(case: Mapping[str, Any]) -> Path:
    """`scripts/<dir>` of the case's entry script."""
    found = re.search(r"scripts/(\w+)/score\.py", case["script"])
    assert found, case["script"]
    return SCRIPTS / found.group(1)


# ----------------------------------------------------------------------------------------------------
# What we answer where we deliberately differ
# ----------------------------------------------------------------------------------------------------

S10_400 = "README 'Where it differs from Azure ML's server' schema validation failure → 400 with path-qualified errors (the reference: 500, detail only in logs)"
S10_STRICT = "README 'Where it differs from Azure ML's server', 'Declaring a contract' strict conversion"
S10_RESULTS = "README 'Where it differs from Azure ML's server', 'Declaring a contract' ndarray/DataFrame/numpy/Decimal/bytes/set results are serialized (the reference: 500)"
S10_NAN = "README 'Where it differs from Azure ML's server' NaN/Infinity in results are written as null, so the body is strict JSON"
S4_ERRORS = "README 'Declaring a contract' error body: the same message plus `errors[]` with each problem's JSON path"
S8_500 = ("README 'Running in production' a scorer exception is a 500 `run() failed (<Exception>); see logs for request id <id>` "
          "(the reference: a generic 'An unexpected error occurred in scoring script')")
S2_HEALTH = "README 'HTTP surface' `GET /` answers `Healthy` as text/plain (the reference: Flask's default text/html)"
S2_IDS = "README 'HTTP surface' every response carries the request-id headers, unrouted ones too (the reference: none on Werkzeug 404/405)"
S5_DOC = ("README 'HTTP surface' generated document: same template, paths, operation ids and schemas where clients read them; "
          "no securityDefinitions without keys, `required` at the top level, ErrorResponse with `errors[]`, "
          "info.description without 'the Azure Machine Learning service', schemes https and http")
S5_VALID = ("README 'HTTP surface' every generated document validates: the `required: []` inference-schema wrote for an empty dict "
            "sample (invalid OpenAPI) is dropped")
S7_RAW = "README 'Moving from Azure ML' @rawhttp: run() receives the gateway's AMLRequest (the same API; the reference passed Flask's LocalProxy)"
S4_DTYPES = ("README 'Declaring a contract' text columns arrive in pandas' default string dtype and datetimes as datetime64 at the gateway's unit "
             "(pandas 3: 'str' and datetime64[us]; the reference cast to the sample's 'object'/datetime64[ns])")

DEVIATIONS: dict[str, str] = {
    # automl
    "automl: swagger v2": S5_DOC + "; the example's datetime is ISO without milliseconds",
    "automl: swagger v3.1": S5_DOC + "; the example's datetime is ISO without milliseconds",
    "automl: automl GlobalParameters wrong type int": S8_500,
    "automl: automl echo datetime formats": S10_400 + "; README 'Declaring a contract' datetimes are ISO-8601 only and null only in nullable "
    "columns (the reference parsed '05/06/2021 10:00' month-first and turned null into NaT)",
    "automl: automl datetime with Z (tz-aware into naive)": "README 'Declaring a contract' datetime columns accept ISO-8601 strings with a zone: "
    "200, the column arrives as UTC-aware datetime64 (the reference: 500)",
    "automl: automl datetime epoch int": S10_400 + "; README 'Declaring a contract' epoch numbers only when the contract names a unit "
    "(the reference read 1620284889000 as nanoseconds, silently)",
    "automl: automl datetime garbage": S10_400,
    "automl: automl bool from string 'false'": S10_STRICT + ": bool columns take true/false only → 400 "
    "(the reference: 'false' → True, silently)",
    "automl: automl bool null": S10_STRICT + ": null only in nullable columns → 400 (the reference: null → True)",
    "automl: automl int null": S10_400 + "; README 'Declaring a contract' null only in nullable columns",
    "automl: automl float null": S10_STRICT + ": the sample declares no nullable column, so null → 400 "
    "(the reference: NaN)",
    "automl: automl string column null": S10_STRICT + ": the sample declares no nullable column, so null → 400 "
    "(the reference: NaN)",
    "automl: automl extra column": "README 'Declaring a contract' an unknown column is dropped and counted: 200 with the declared columns "
    "(the reference: 500 on the column count)",
    "automl: automl reordered columns": S10_STRICT + ": columns reordered to the declared order "
    "(the reference kept the request's order)",
    "automl: automl data as columns-dict": S4_DTYPES,
    "automl: automl data empty list": "README 'Declaring a contract' `[]` is a records table of zero rows: run() gets an empty DataFrame with the "
    "declared columns (the reference: 500, a frame without columns fails its column count)",
    "automl: automl data (lowercase Inputs)": "README 'Declaring a contract' a key that matches a parameter only without case is a 400 that says "
    "`did you mean 'Inputs'?`",
    # raising
    "raising: decorated run returns/raises: ndarray": S10_RESULTS,
    "raising: decorated run returns/raises: dataframe": S10_RESULTS + " (records)",
    "raising: decorated run returns/raises: nan": S10_NAN,
    "raising: decorated run after errors still healthy": S2_HEALTH,
    # amlresponse
    "amlresponse: AMLResponse mode=ok": "README 'Moving from Azure ML' AMLResponse headers are sent as given: `X-Custom: a, b` is one "
    "line (the reference split it on commas into two lines and sent Content-Type twice)",
    # rawhttp
    "rawhttp: rawhttp POST json": S7_RAW,
    "rawhttp: rawhttp POST text": S7_RAW,
    "rawhttp: rawhttp GET": S7_RAW,
    "rawhttp: rawhttp OPTIONS": S7_RAW,
    # request_headers
    "req_headers: request_headers swagger v2": S5_DOC + "; no `request_headers` placeholder; " + S5_VALID,
    # timeout
    "timeout: timeout exceeded (SCORING_TIMEOUT_MS=1000)": "README 'Running in production', 'Where it differs from Azure ML's server' a scoring timeout is a 504 "
    "`scoring timed out after 1000 ms` (the reference: 500 `Scoring timeout after 1000 ms`)",
    # user swagger
    "user_swagger: generated swagger for v3.1 (no swagger3.1.json)": S5_DOC,
    # defaults
    "defaults: defaults decorated param with default omitted -> default None deserialized": "README 'Declaring a contract' a missing optional "
    "parameter gets its Python default, unconverted: 200 with threshold null (the reference deserialized None: 500)",
    "defaults: defaults undecorated extra param from body": "README 'Declaring a contract' a float parameter converts the integer 1 to 1.0 "
    "(the reference passed the int through)",
    # CORS and SERVICE_*
    "powerbi: CORS preflight allowed origin": "README 'Running in production' preflight answered by the gateway's CORS layer: "
    "Access-Control-Allow-Methods names the requested method, headers are echoed, an empty body without "
    "Content-Type, Access-Control-Max-Age 600 (the reference: 'GET, POST', text/html)",
    "powerbi: CORS GET swagger allowed origin": S5_DOC,
    "powerbi: swagger with SERVICE_NAME/VERSION/PATH_PREFIX": S5_DOC,
    "powerbi: prefixed path not routed": "README 'HTTP surface' SERVICE_PATH_PREFIX applied: the routes are served under the "
    "prefix the document advertises too, so the empty body gets the score route's 400 (the reference: 404)",
    # model dir
    "undecorated: undecorated env (model_dir)": "README 'Serving your own scorer' --model-dir is resolved to an absolute path "
    "(the reference exported '../powerbi' verbatim)",
    "undecorated: --model_dir overrides AZUREML_MODEL_DIR": "README 'Serving your own scorer' --model-dir must exist: the gateway refuses to start "
    "with a usage error for /cli/model (the reference only warned); an existing --model-dir overrides the variable",
    # swagger versions
    "swagger3_only: swagger3-only script: GET /swagger.json (default v2)": "README 'HTTP surface' every dialect is generated and valid: "
    "the default Swagger 2.0 document is served (the reference: 404, only its outermost decorator's versions)",
    "swagger3_only: swagger3-only script: v3": S5_DOC + "; values-orient cells are `{}` (the reference typed every "
    "cell as the last sample cell's type, int64, although the first column is text)",
    "output_only: output-only decorated: swagger v2": S5_DOC + "; ServiceInput names the `data` parameter run() "
    "reads (the reference: a bare object)",
    "powerbi: swagger v2": S5_DOC,
    "powerbi: swagger v3": S5_DOC,
    "powerbi: swagger v3.1": S5_DOC,
    "powerbi: swagger default (no version)": S5_DOC,
    "powerbi: swagger version=2.0": S5_DOC,
    "powerbi: swagger version=3.0": S5_DOC,
    "powerbi: swagger empty version param": "README 'HTTP surface' the 404 lists every accepted `version` value (2, 2.0, 3, 3.0, 3.1)",
    "powerbi: swagger version=4": "README 'HTTP surface' the 404 lists every accepted `version` value (2, 2.0, 3, 3.0, 3.1)",
    "powerbi: swagger version=abc": "README 'HTTP surface' the 404 lists every accepted `version` value (2, 2.0, 3, 3.0, 3.1)",
    # envelope
    "powerbi: GET /score ignores JSON body": S4_ERRORS + "; README 'Declaring a contract' every missing parameter is reported, not only the first",
    "powerbi: HEAD /": S2_HEALTH,
    "powerbi: JSON null body": S4_ERRORS + "; the message names what came instead",
    "powerbi: health GET /": S2_HEALTH,
    "powerbi: POST / (health is GET only)": S2_IDS + "; the 405 names the method, path and allowed methods",
    "powerbi: POST /swagger.json": S2_IDS + "; the 405 names the method, path and allowed methods",
    "powerbi: score missing GlobalParameters": S4_ERRORS,
    "powerbi: score lowercase inputs": "README 'Declaring a contract' case-insensitive match → 400 `did you mean 'Inputs'?`",
    "powerbi: score lowercase globalparameters": "README 'Declaring a contract' case-insensitive match → 400 `did you mean 'GlobalParameters'?`",
    "powerbi: score input1 strings numeric": S10_STRICT + ": float arrays take numbers only → 400 per element "
    "(the reference: numeric strings coerced)",
    "powerbi: score input1 null": S10_STRICT + ": null only where declared nullable → 400 (the reference: NaN, "
    "then NaN written into the JSON answer)",
    "powerbi: score input2 renamed column": S10_STRICT + ": column names checked → 400 missing column 'name' "
    "(the reference: any name accepted with the right column count)",
    "powerbi: score input2 age non-numeric": S10_400,
    "powerbi: score malformed JSON": S4_ERRORS + "; README 'Declaring a contract' the message is orjson's, with the position",
    "powerbi: score empty body": S4_ERRORS,
    "powerbi: score JSON string body": S4_ERRORS + "; the message names what came instead",
    "powerbi: score no content-type": "README 'Declaring a contract' 415; the message adds what was sent",
    "powerbi: score text/plain": "README 'Declaring a contract' 415; the message adds what was sent",
    "powerbi: score non-utf8 body": "README 'Declaring a contract' invalid UTF-8 → 400 naming the byte (the reference: 500 internal error)",
    "powerbi: OPTIONS /score (no CORS)": "README 'HTTP surface', 'Running in production' OPTIONS is a CORS preflight when origins are configured; without "
    "them it is a 405 with `Allow: GET,POST` (the reference: 200 with an empty text/html body)",
    "powerbi: score trailing slash": S2_IDS + "; the 404 names the path",
    "powerbi: x-ms-client-request-id too long": "README 'HTTP surface' an id header longer than 100 characters is ignored and replaced "
    "(the reference: 431)",
    "powerbi: x-request-id too long on GET /": "README 'HTTP surface' an x-request-id longer than 100 characters is replaced by a new "
    "uuid4 (the reference: 431, which also failed its health probe)",
    "powerbi: 404 with headers": S2_IDS + "; the 404 names the path",
    # numpy
    "echo_numpy: numpy swagger v2": S5_DOC + "; the example is the sample's first rows with real booleans and an "
    "ISO datetime (the reference: 'True'/'False' strings and a format its own parser refuses)",
    "echo_numpy: numpy flat instead of 2-D": S10_400,
    "echo_numpy: numpy empty list": "README 'Declaring a contract' arrays: `[]` is zero rows of the declared shape: 200 with a (0, 3) array "
    "(the reference: 500)",
    "echo_numpy: numpy ragged": S10_400,
    "echo_numpy: numpy non-numeric string": S10_400,
    "echo_numpy: numpy null -> NaN": S10_STRICT + ": the sample's elements are not nullable → 400 "
    "(the reference: NaN, written as the non-JSON token NaN)",
    "echo_numpy: numpy bool -> float": S10_STRICT + ": float arrays take numbers, not booleans → 400 "
    "(the reference: 1.0/0.0)",
    "echo_numpy: numpy scalar instead of list": S10_400,
    "echo_numpy: numpy null param": S10_400,
    "echo_numpy: numpy int64 floats truncated": S10_STRICT + ": int arrays take integers only → 400 "
    "(the reference: 1.9 → 1, -2.7 → -2)",
    "echo_numpy: numpy int64 null": S10_400,
    "echo_numpy: numpy datetime64[D]": S10_STRICT + ": ISO strings are parsed without truncation to the sample's unit "
    "(datetime64 at the gateway's unit; the reference silently dropped '23:59:59')",
    # pandas orients
    "pandas_orients: pandas orients swagger v2 (404 expected?)": S5_DOC + "; split: `required` [columns, data] "
    "with the column names as enum and untyped cells; values: untyped cells (the reference typed every cell as "
    "the last sample cell's int64)",
    "pandas_orients: pandas records reordered keys": S10_STRICT + ": columns in the declared order",
    "pandas_orients: pandas records renamed column accepted": S10_STRICT + ": names checked → 400 missing column",
    "pandas_orients: pandas split missing columns key": S10_400,
    "pandas_orients: pandas values ok (names lost)": "README 'Declaring a contract' values form declared: the declared names and dtypes are "
    "applied (the reference: columns 0, 1 of object)",
    "pandas_orients: pandas values wrong width": S10_400,
    "pandas_orients: pandas table without schema": S10_400 + " (the table orient keeps inference-schema's own "
    "conversion; its failure names the parameter)",
    # pandas types
    "pandas_types: pandas types swagger v2": S5_DOC + "; " + S5_VALID + "; column `f` is number/double and "
    "nullable (its sample holds a NaN) instead of the reference's `object` from the last sample row; example "
    "datetimes without the `.000` the reference wrote",
    "pandas_types: pandas types ok": "README 'Declaring a contract' string columns are pandas' text dtype (`str` on pandas 3), not the "
    "sample's `object`",
    "pandas_types: pandas types td pandas string": "README 'Declaring a contract' string columns are pandas' text dtype (`str` on pandas "
    "3), not the sample's `object`",
    "pandas_types: pandas types nulls (f,s,ts,td)": S10_STRICT + ": null only in nullable columns; `f` is (its "
    "sample holds a NaN), `s`, `ts` and `td` are not → 400 at each (the reference: None/NaT silently)",
    "pandas_types: pandas types null in int col": S10_STRICT + ": null in a non-nullable int column → 400 at "
    "df[0].i (the reference: 500)",
    "pandas_types: pandas types null in bool col -> True": S10_STRICT + ": null in a non-nullable bool column → 400 "
    "at df[0].b (the reference: True, silently)",
    "pandas_types: pandas types int from '12' string": S10_STRICT + ": int columns take JSON integers only → 400 at "
    "df[0].i (the reference: '12' → 12)",
    "pandas_types: pandas types string col from number": S10_STRICT + ": string columns take strings only → 400 at "
    "df[0].s (the reference: 12.5 → '12.5')",
    "pandas_types: pandas types ts with offset": "README 'Declaring a contract' datetime columns accept ISO-8601 strings with a zone: 200 with "
    "the same instant (the reference: 500)",
    "pandas_types: pandas types td garbage": S10_400 + " at df[0].td: timedelta columns take duration strings "
    "(ISO-8601 `P1DT2H` or pandas' `1 days 02:00:00`) only",
    # standard python types
    "echo_std: std swagger v2": S5_DOC + "; `required` lists the typed members the gateway enforces "
    "(plain members are passed through, as the reference did)",
    "echo_std: std nested conversion": "README 'Declaring a contract' a float parameter converts the integer 2 to 2.0 (the reference: int 2)",
    "echo_std: std nested arr wrong shape": S10_400 + "; README 'Declaring a contract', 'HTTP surface' the required members of Inputs are enforced as "
    "published, every problem listed",
    "echo_std: std Inputs not a dict": S10_400,
    "echo_std: std int param from bool": "README 'Declaring a contract' values are type-checked: true is not an integer → 400; Inputs' "
    "required members enforced as published (the reference accepted `{}` and passed True)",
    "echo_std: std float param from int (kept int)": "README 'Declaring a contract', 'HTTP surface' Inputs' required members are enforced as published → 400 "
    "(the reference accepted `{}`)",
    "echo_std: std datetime param": "README 'Declaring a contract', 'HTTP surface' Inputs' required members are enforced as published → 400 "
    "(the reference accepted `{}`)",
    "echo_std: std datetime param garbage": S10_400,
    "echo_std: std date param (bug)": "README 'Declaring a contract', 'HTTP surface' Inputs' required members are enforced as published → 400; the date "
    "itself is accepted (inference-schema can never convert a date: the reference answered 500 for any)",
    "echo_std: std bool param from string": S10_400,
    "echo_std: std optional falsy skips validation": "README 'Declaring a contract' values are type-checked whatever their truthiness → 400 for "
    "'' (int), [] (float) and 0 (bool), and Inputs' required members (the reference skipped falsy values)",
    # undecorated
    "undecorated: swagger v2 undecorated": S5_DOC + "; ServiceOutput has no example (nothing declares one; "
    "the reference: `{}`)",
    "undecorated: swagger v3 undecorated": S5_DOC + "; ServiceOutput has no example (nothing declares one; "
    "the reference: `{}`)",
    "undecorated: undecorated non-utf8 body": S4_ERRORS,
    "undecorated: undecorated returns ndarray": S10_RESULTS,
    "undecorated: undecorated returns DataFrame": S10_RESULTS + " (records)",
    "undecorated: undecorated returns set": S10_RESULTS + " (a set as an array)",
    "undecorated: undecorated returns Decimal": S10_RESULTS + " (a Decimal as a JSON number)",
    "undecorated: undecorated returns NaN/inf": S10_NAN,
    "undecorated: undecorated returns bytes": S10_RESULTS + " (bytes as base64)",
    "undecorated: undecorated run raises": S8_500,
    "undecorated: OPTIONS undecorated": "README 'HTTP surface', 'Running in production' OPTIONS is a CORS preflight when origins are configured; without them "
    "it is a 405 with `Allow: GET,POST` (the reference: 200 with an empty text/html body)",
}


@dataclass(frozen=True)
class Reply:
    """What came back: the status, the headers and the exact body bytes."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Served:
    """One case's gateway: the client, the scorers and the script's directory (the server's cwd)."""

    client: TestClient
    scorers: list[Scorer]
    directory: Path


Check = Callable[[Reply, Served], None]


@dataclass(frozen=True)
class Answer:
    """What the gateway answers instead of the reference: status, headers (None = absent) and the body,
    as JSON (`body`, a callable of the reply for bodies naming the request id), exact text (`raw`) or
    `check`s of their own."""

    status: int
    headers: Mapping[str, str | None]
    body: Any = None
    raw: str | None = None
    checks: Sequence[Check] = ()


@dataclass(frozen=True)
class Refused:
    """The gateway refuses to start: exit code and a fragment of the one-line message."""

    code: int
    message: str


def case_ids(name: str) -> dict[str, str | None]:
    """The request-id headers the reference's rules give for the case's request (README 'HTTP surface'), over-long ids replaced."""
    sent = {k.lower(): v for k, v in BY_NAME[name]["headers"].items()}

    def usable(key: str) -> str:
        value = sent.get(key, "")
        return value if len(value) <= 100 else ""

    request_id = usable("x-request-id") or UUID4
    legacy, client = usable("x-ms-request-id"), usable("x-ms-client-request-id")
    if legacy:
        client = client or legacy
    else:
        legacy = client or request_id
    return {"x-request-id": request_id, "x-ms-request-id": legacy, "x-ms-client-request-id": client or None,
            "TraceId": sent.get("traceid")}


def json_headers(name: str, *, failed: bool = False, exec_ms: bool = False) -> dict[str, str | None]:
    return {"Content-Type": "application/json", "x-ms-run-function-failed": str(failed),
            "x-ms-run-fn-exec-ms": EXEC_MS if exec_ms else None, **case_ids(name)}


def scored(name: str, body: Any, status: int = 200) -> Answer:
    """run() ran and its value was serialized."""
    return Answer(status, json_headers(name, exec_ms=True), body)


def rejected(name: str, status: int, body: Any) -> Answer:
    """Refused before run() was called."""
    return Answer(status, json_headers(name), body)


def problems(*pairs: tuple[str, str]) -> dict[str, Any]:
    """The gateway's 400 body for contract problems: the first one (and how many more) as the message."""
    message = f"{pairs[0][0]}: {pairs[0][1]}"
    if len(pairs) > 1:
        message += f" (and {len(pairs) - 1} more error{'s' if len(pairs) > 2 else ''})"
    return {"message": message, "errors": [{"path": path, "error": error} for path, error in pairs]}


def contract_error(name: str, *pairs: tuple[str, str]) -> Answer:
    return rejected(name, 400, problems(*pairs))


def envelope_error(name: str, message: str, path: str = "$") -> Answer:
    return rejected(name, 400, {"message": message, "errors": [{"path": path, "error": message}]})


def run_failed(name: str, exception: str) -> Answer:
    """A 500 naming the exception type and the request id (README 'Running in production')."""

    def body(reply: Reply) -> Any:
        request_id = reply.headers["x-request-id"]
        return {"message": f"run() failed ({exception}); see logs for request id {request_id}"}

    return Answer(500, json_headers(name, failed=True), body)


def health(name: str) -> Answer:
    """`Healthy` as text/plain, without x-ms-run-function-failed (as the reference), empty for HEAD."""
    headers = {"Content-Type": "text/plain; charset=utf-8", "x-ms-run-function-failed": None, **case_ids(name)}
    return Answer(200, headers, raw="" if BY_NAME[name]["method"] == "HEAD" else "Healthy")


def not_routed(name: str, status: int, message: str, allow: str | None = None) -> Answer:
    headers: dict[str, str | None] = {**json_headers(name), "Allow": allow}
    return Answer(status, headers, {"message": message})


def reference_body(name: str) -> Any:
    return BY_NAME[name]["expected_body_or_note"]


def replaced(value: Any, **changes: Any) -> Any:
    """A copy of a JSON object with some members replaced."""
    return {**value, **changes}


def on_this_pandas(value: Any) -> Any:
    """The reference's dtype names as this stack spells them (Appendix A: pandas < 3 says `object` for text and
    defaults datetimes and timedeltas to `ns`)."""
    if PANDAS_3:
        return value
    names = {"str": "object", "datetime64[us]": "datetime64[ns]", "timedelta64[us]": "timedelta64[ns]"}
    if isinstance(value, dict):
        return {k: ({c: names.get(t, t) for c, t in v.items()} if k == "dtypes" and isinstance(v, dict)
                    else on_this_pandas(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [on_this_pandas(v) for v in value]
    return value


# automl: what run() echoes for the one row most cases send (its columns keep the sample's dtypes)
AUTOML_DTYPES = {"age": "int64", "income": "float64", "is_member": "bool", "city": "object",
                 "signup_date": "datetime64[ns]"}
AUTOML_ROW = {"age": 30, "income": 1000.5, "is_member": False, "city": "Paris",
              "signup_date": "2021-05-06T07:08:09.000"}


def automl_echo(rows: list[dict[str, Any]], dtypes: Mapping[str, str] = AUTOML_DTYPES) -> dict[str, Any]:
    return {"Results": {
        "data_type": "DataFrame", "dtypes": dict(dtypes), "columns": list(AUTOML_DTYPES), "shape": [len(rows), 5],
        "rows": rows, "global_parameters": {"method": "echo"}, "global_parameters_type": "dict",
    }}


# ---- swagger documents -------------------------------------------------------------------------------

VALIDATORS = {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator}
DELETE = object()
AS_REFERENCE = object()
IMPROVEMENT_KEYS = ("x-nullable", "nullable", "example", "minItems", "maxItems", "description")


def _normalized(schema: Any) -> Any:
    """A schema without what the gateway adds on top of the reference's (nullability in each dialect's way,
    fixed array sizes, descriptions); examples are compared on their own."""
    if isinstance(schema, dict):
        out = {k: ({name: _normalized(member) for name, member in v.items()} if k == "properties" else _normalized(v))
               for k, v in schema.items() if k not in IMPROVEMENT_KEYS}
        if isinstance(out.get("type"), list):
            out["type"] = next(t for t in out["type"] if t != "null")
        return out
    if isinstance(schema, list):
        return [_normalized(v) for v in schema]
    return schema


def _patched(value: Any, patches: Mapping[tuple[str | int, ...], Any]) -> Any:
    value = json.loads(json.dumps(value))
    for path, new in patches.items():
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        if new is DELETE:
            del parent[path[-1]]
        else:
            parent[path[-1]] = new
    return value


def _schemas(document: Mapping[str, Any]) -> Mapping[str, Any]:
    return document["definitions"] if "definitions" in document else document["components"]["schemas"]


@dataclass(frozen=True)
class Document:
    """A generated swagger document, compared with the reference's where clients read it (README 'HTTP surface')."""

    dialect: str
    required: Sequence[str] = ()
    input_patches: Mapping[tuple[str | int, ...], Any] = field(default_factory=dict)
    output_patches: Mapping[tuple[str | int, ...], Any] = field(default_factory=dict)
    example_patches: Mapping[tuple[str | int, ...], Any] = field(default_factory=dict)
    reference: str | None = None  # the case whose document to compare with (default: the same case)
    output_example: Any = AS_REFERENCE  # ServiceOutput's example (None: no example)

    def check(self, name: str, reply: Reply, served: Served) -> None:
        ours = reply.json()
        reference = _reference_document(self.reference or name)
        VALIDATORS[self.dialect](ours).validate()
        if self.dialect == "2.0":
            assert ours["swagger"] == "2.0" and ours["schemes"] == ["https", "http"]
        else:
            assert ours["openapi"] == ("3.0.3" if self.dialect == "3.0" else "3.1.0")
        title = reference["info"]["title"]
        assert ours["info"] == {"title": title, "description": f"API specification for {title}",
                                "version": reference["info"]["version"]}
        assert "securityDefinitions" not in ours and "security" not in ours
        assert "securitySchemes" not in ours.get("components", {})
        # the MLflow clients' path (a scorer of one table) is the gateway's own, beside the reference's
        assert [path for path in ours["paths"] if not path.endswith("/invocations")] == list(reference["paths"])
        for path, operations in reference["paths"].items():
            expected = {m: op["operationId"] for m, op in operations.items()}
            if "post" in operations:  # the score path: GET is served too, so it is documented (the reference's is not)
                expected["get"] = "RunMLServiceWithQuery"
                assert ours["paths"][path]["get"]["responses"]["200"] == ours["paths"][path]["post"]["responses"]["200"]
            assert {m: op["operationId"] for m, op in ours["paths"][path].items()} == expected
        schemas, reference_schemas = _schemas(ours), _schemas(reference)
        assert set(schemas) == set(reference_schemas) == {"ServiceInput", "ServiceOutput", "ErrorResponse"}
        assert schemas["ErrorResponse"] == ERROR_RESPONSE
        service_input = dict(schemas["ServiceInput"])
        assert service_input.pop("required", []) == list(self.required)
        expected_input = dict(reference_schemas["ServiceInput"])
        if "request_headers" in expected_input.get("properties", {}):
            expected_input["properties"] = {
                k: v for k, v in expected_input["properties"].items() if k != "request_headers"}
        assert _normalized(service_input) == _patched(_normalized(expected_input), self.input_patches)
        assert _normalized(schemas["ServiceOutput"]) == _patched(
            _normalized(reference_schemas["ServiceOutput"]), self.output_patches)
        example = schemas["ServiceInput"].get("example")
        reference_example = {k: v for k, v in (reference_schemas["ServiceInput"].get("example") or {}).items()
                             if k != "request_headers"}
        assert _same_json(example, _patched(reference_example, self.example_patches)), example
        output_example = (reference_schemas["ServiceOutput"].get("example") if self.output_example is AS_REFERENCE
                          else self.output_example)
        assert _same_json(schemas["ServiceOutput"].get("example"), output_example)
        scorer = served.scorers[0]
        if scorer.contract is not None:
            verdict = check_payload(scorer, json.dumps(example).encode())
            assert verdict.valid, f"the published example is refused: {verdict.problems}"


def _reference_document(name: str) -> dict[str, Any]:
    expected = reference_body(name)
    if isinstance(expected, str):
        saved = expected.split("saved as ")[1]
        return json.loads((REFERENCE_DOCUMENTS / saved).read_text())
    return expected


def document(name: str, spec: Document) -> Answer:
    return Answer(200, {"Content-Type": "application/json", "x-ms-run-function-failed": "False", **case_ids(name)},
                  checks=[lambda reply, served: spec.check(name, reply, served)])


POWERBI_REQUIRED = ("Inputs", "GlobalParameters")

# ---- the answers, case by case ------------------------------------------------------------------------

ISO_HINT = "expected an ISO-8601 date-time string (like 2024-03-21T10:00:00)"
STD_MISSING = tuple(
    (f"Inputs.{m}", f"required key '{m}' is missing") for m in ("arr", "df", "f", "wrapped_inner", "lst"))
NOT_NULLABLE = "null is not allowed (the array's elements are not nullable)"
PANDAS_TYPES_OK = on_this_pandas(reference_body("pandas_types: pandas types ok"))


def _cors_preflight(reply: Reply, served: Served) -> None:
    assert reply.headers.getall("Access-Control-Allow-Methods") == ["POST"]
    assert reply.headers["Access-Control-Allow-Headers"].lower() == "content-type"
    assert reply.headers["Access-Control-Max-Age"] == "600"
    assert "Content-Type" not in reply.headers


def _named_refusal(path: str, naming: str) -> Check:
    """A 400 at `path` whose error names `naming` (pandas' own wording differs between versions)."""

    def check(reply: Reply, served: Served) -> None:
        body = reply.json()
        assert [e["path"] for e in body["errors"]] == [path] and naming in body["errors"][0]["error"]
        assert body["message"] == f"{path}: {body['errors'][0]['error']}"

    return check


def _ts_with_offset(reply: Reply, served: Served) -> None:
    body = reply.json()
    assert body["columns"] == ["i", "f", "b", "s", "ts", "td"]
    assert body["dtypes"]["ts"].startswith("datetime64[")
    assert pd.Timestamp(body["rows"][0][4]) == pd.Timestamp("2021-01-02T03:04:05+01:00")
    ok_row = PANDAS_TYPES_OK["rows"][0]
    assert body["rows"][0][:4] == ok_row[:4] and body["rows"][0][5] == ok_row[5]


def _strict_refusal(path: str) -> Check:
    """A 400 naming exactly this cell (the SPEC's strict conversion; the message is the gateway's to choose)."""

    def check(reply: Reply, served: Served) -> None:
        assert [e["path"] for e in reply.json()["errors"]] == [path]

    return check


EXPECTED: dict[str, Answer | Refused] = {}


def _expect(name: str, answer: Answer | Refused) -> None:
    assert name in BY_NAME, name
    EXPECTED[name] = answer


for _name in ("automl: swagger v2", "automl: swagger v3.1"):
    _expect(_name, document(_name, Document(
        "2.0" if _name.endswith("v2") else "3.1", required=["Inputs"],
        example_patches={("Inputs", "data", 0, "signup_date"): "2020-01-02T03:04:05"})))
_expect("automl: automl GlobalParameters wrong type int", contract_error(
    "automl: automl GlobalParameters wrong type int", ("GlobalParameters", "expected an object, got 5")))
_expect("automl: automl echo datetime formats", contract_error(
    "automl: automl echo datetime formats",
    ("Inputs.data[1].signup_date", f'{ISO_HINT}, got "05/06/2021 10:00"')))
_expect("automl: automl datetime with Z (tz-aware into naive)", scored(
    "automl: automl datetime with Z (tz-aware into naive)",
    automl_echo([replaced(AUTOML_ROW, signup_date="2021-05-06T07:08:09.000Z")],
                replaced(AUTOML_DTYPES, signup_date="datetime64[ns, UTC]"))))
_expect("automl: automl datetime epoch int", contract_error(
    "automl: automl datetime epoch int",
    ("Inputs.data[0].signup_date", "expected an ISO-8601 date-time string, got 1620284889000")))
_expect("automl: automl datetime garbage", contract_error(
    "automl: automl datetime garbage", ("Inputs.data[0].signup_date", f'{ISO_HINT}, got "yesterday-ish"')))
_expect("automl: automl bool from string 'false'", contract_error(
    "automl: automl bool from string 'false'", ("Inputs.data[0].is_member", 'expected a boolean, got "false"')))
for _name, _column in (("automl: automl bool null", "is_member"), ("automl: automl int null", "age")):
    _expect(_name, contract_error(
        _name, (f"Inputs.data[0].{_column}", f"null is not allowed (column '{_column}' is not nullable)")))
for _name, _column in (("automl: automl float null", "income"), ("automl: automl string column null", "city")):
    _expect(_name, scored(_name, automl_echo([replaced(AUTOML_ROW, **{_column: None})])))
for _name in ("automl: automl extra column", "automl: automl reordered columns", "automl: automl data as columns-dict"):
    _expect(_name, scored(_name, automl_echo([AUTOML_ROW])))
_expect("automl: automl data empty list", scored("automl: automl data empty list", automl_echo([])))
_expect("automl: automl data (lowercase Inputs)", contract_error(
    "automl: automl data (lowercase Inputs)",
    ("inputs", "'inputs' is not a parameter; keys are case-sensitive: did you mean 'Inputs'?")))

_expect("raising: decorated run returns/raises: ndarray", scored(
    "raising: decorated run returns/raises: ndarray", [1, 2]))
_expect("raising: decorated run returns/raises: dataframe", scored(
    "raising: decorated run returns/raises: dataframe", [{"a": 1}, {"a": 2}]))
_expect("raising: decorated run returns/raises: nan", scored("raising: decorated run returns/raises: nan",
                                                             {"result": None}))
_expect("raising: decorated run after errors still healthy", health(
    "raising: decorated run after errors still healthy"))

_expect("amlresponse: AMLResponse mode=ok", Answer(
    201, {**json_headers("amlresponse: AMLResponse mode=ok", exec_ms=True), "X-Custom": "a, b"}, {"hello": "world"}))

for _name in ("rawhttp: rawhttp POST json", "rawhttp: rawhttp POST text", "rawhttp: rawhttp GET",
              "rawhttp: rawhttp OPTIONS"):
    _expect(_name, scored(_name, replaced(reference_body(_name), type="AMLRequest")))

_expect("req_headers: request_headers swagger v2", document("req_headers: request_headers swagger v2", Document(
    "2.0", required=["data"], output_patches={("properties", "headers", "required"): DELETE})))
_expect("timeout: timeout exceeded (SCORING_TIMEOUT_MS=1000)", Answer(
    504, json_headers("timeout: timeout exceeded (SCORING_TIMEOUT_MS=1000)", failed=True),
    {"message": "scoring timed out after 1000 ms"}))
_expect("user_swagger: generated swagger for v3.1 (no swagger3.1.json)", document(
    "user_swagger: generated swagger for v3.1 (no swagger3.1.json)", Document("3.1", required=["data"])))
_expect("defaults: defaults decorated param with default omitted -> default None deserialized", scored(
    "defaults: defaults decorated param with default omitted -> default None deserialized",
    {"data": {"a": 1}, "threshold": None, "undecorated_extra": "dflt"}))
_expect("defaults: defaults undecorated extra param from body", scored(
    "defaults: defaults undecorated extra param from body",
    {"data": {"a": 1}, "threshold": 1.0, "undecorated_extra": {"anything": [1]}}))

_expect("powerbi: CORS preflight allowed origin", Answer(
    200, {"x-ms-run-function-failed": "False", "Access-Control-Allow-Origin": "https://allowed.example",
          "Vary": "Origin", **case_ids("powerbi: CORS preflight allowed origin")},
    raw="", checks=[_cors_preflight]))
_expect("powerbi: CORS GET swagger allowed origin", Answer(
    200, {"Content-Type": "application/json", "x-ms-run-function-failed": "False",
          "Access-Control-Allow-Origin": "https://allowed.example", "Vary": "Origin",
          **case_ids("powerbi: CORS GET swagger allowed origin")},
    checks=[lambda reply, served: Document("2.0", required=POWERBI_REQUIRED).check(
        "powerbi: CORS GET swagger allowed origin", reply, served)]))
_expect("powerbi: swagger with SERVICE_NAME/VERSION/PATH_PREFIX", document(
    "powerbi: swagger with SERVICE_NAME/VERSION/PATH_PREFIX", Document("3.0", required=POWERBI_REQUIRED)))
_MISSING_BOTH = (("Inputs", "A value is not provided for the 'Inputs' parameter."),
                 ("GlobalParameters", "A value is not provided for the 'GlobalParameters' parameter."))
_expect("powerbi: prefixed path not routed", contract_error("powerbi: prefixed path not routed", *_MISSING_BOTH))
_expect("powerbi: GET /score ignores JSON body", contract_error(
    "powerbi: GET /score ignores JSON body", *_MISSING_BOTH))

_expect("swagger3_only: swagger3-only script: GET /swagger.json (default v2)", document(
    "swagger3_only: swagger3-only script: GET /swagger.json (default v2)",
    Document("2.0", required=["data"], reference="swagger3_only: swagger3-only script: v3",
             input_patches={("properties", "data", "items", "items"): {}})))
_expect("swagger3_only: swagger3-only script: v3", document(
    "swagger3_only: swagger3-only script: v3",
    Document("3.0", required=["data"], input_patches={("properties", "data", "items", "items"): {}})))
_expect("output_only: output-only decorated: swagger v2", document(
    "output_only: output-only decorated: swagger v2",
    Document("2.0", required=["data"], input_patches={("properties",): {"data": {}}},
             example_patches={("data",): None})))
for _name, _dialect in (("powerbi: swagger v2", "2.0"), ("powerbi: swagger v3", "3.0"),
                        ("powerbi: swagger v3.1", "3.1"), ("powerbi: swagger default (no version)", "2.0"),
                        ("powerbi: swagger version=2.0", "2.0"), ("powerbi: swagger version=3.0", "3.0")):
    _expect(_name, document(_name, Document(_dialect, required=POWERBI_REQUIRED)))
for _name, _version in (("powerbi: swagger empty version param", ""), ("powerbi: swagger version=4", "4"),
                        ("powerbi: swagger version=abc", "abc")):
    _expect(_name, rejected(_name, 404, {
        "message": f"Swagger version [{_version}] is not valid. Supported versions: [2, 2.0, 3, 3.0, 3.1]."}))

_expect("powerbi: HEAD /", health("powerbi: HEAD /"))
_expect("powerbi: health GET /", health("powerbi: health GET /"))
_expect("powerbi: JSON null body", envelope_error(
    "powerbi: JSON null body", "POST body should be a JSON dictionary, got null."))
_expect("powerbi: POST / (health is GET only)", not_routed(
    "powerbi: POST / (health is GET only)", 405, "method POST is not allowed on /; allowed: GET,HEAD", "GET,HEAD"))
_expect("powerbi: POST /swagger.json", not_routed(
    "powerbi: POST /swagger.json", 405, "method POST is not allowed on /swagger.json; allowed: GET,HEAD", "GET,HEAD"))
_expect("powerbi: score missing GlobalParameters", contract_error(
    "powerbi: score missing GlobalParameters", _MISSING_BOTH[1]))
_expect("powerbi: score lowercase inputs", contract_error(
    "powerbi: score lowercase inputs",
    ("inputs", "'inputs' is not a parameter; keys are case-sensitive: did you mean 'Inputs'?")))
_expect("powerbi: score lowercase globalparameters", contract_error(
    "powerbi: score lowercase globalparameters",
    ("globalParameters", ("'globalParameters' is not a parameter; keys are case-sensitive: did you mean "
                          "'GlobalParameters'?"))))
_expect("powerbi: score input1 strings numeric", contract_error(
    "powerbi: score input1 strings numeric",
    *((f"Inputs.input1[0][{i}]", 'expected a number (float64), got "1"') for i in range(10))))
_expect("powerbi: score input1 null", contract_error(
    "powerbi: score input1 null", ("Inputs.input1[0][0]", NOT_NULLABLE)))
_expect("powerbi: score input2 renamed column", contract_error(
    "powerbi: score input2 renamed column", ("Inputs.input2", "missing column 'name'")))
_expect("powerbi: score input2 age non-numeric", contract_error(
    "powerbi: score input2 age non-numeric", ("Inputs.input2[0].age", 'expected an integer (int64), got "x"')))
_expect("powerbi: score malformed JSON", envelope_error(
    "powerbi: score malformed JSON",
    "POST body could not be decoded as JSON: unexpected end of data: line 1 column 12 (char 11)"))
_expect("powerbi: score empty body", envelope_error("powerbi: score empty body",
                                                    "POST body is empty. Expecting a JSON dictionary."))
_expect("powerbi: score JSON string body", envelope_error("powerbi: score JSON string body",
                                                          "POST body should be a JSON dictionary, got str."))
_expect("powerbi: score no content-type", rejected(
    "powerbi: score no content-type", 415,
    {"message": "Expects Content-Type to be application/json (no Content-Type header was sent)"}))
_expect("powerbi: score text/plain", rejected(
    "powerbi: score text/plain", 415, {"message": "Expects Content-Type to be application/json (got 'text/plain')"}))
_expect("powerbi: score non-utf8 body", envelope_error("powerbi: score non-utf8 body",
                                                       "POST body is not valid UTF-8: invalid start byte at byte 12"))
for _name in ("powerbi: OPTIONS /score (no CORS)", "undecorated: OPTIONS undecorated"):
    _expect(_name, not_routed(_name, 405, "method OPTIONS is not allowed on /score; allowed: GET,POST", "GET,POST"))
_expect("powerbi: score trailing slash", not_routed("powerbi: score trailing slash", 404, "no route for /score/"))
_expect("powerbi: 404 with headers", not_routed("powerbi: 404 with headers", 404, "no route for /nope"))
_expect("powerbi: x-ms-client-request-id too long", scored("powerbi: x-ms-client-request-id too long", [110.0, 2.0]))
_expect("powerbi: x-request-id too long on GET /", health("powerbi: x-request-id too long on GET /"))

_expect("echo_numpy: numpy swagger v2", document("echo_numpy: numpy swagger v2", Document(
    "2.0", required=["data"],
    example_patches={("when",): ["2020-01-02T00:00:00"], ("flags",): [True, False]})))
_expect("echo_numpy: numpy flat instead of 2-D", contract_error(
    "echo_numpy: numpy flat instead of 2-D", ("data", "expected an array of shape (*, 3), got 1 dimension(s)")))
_expect("echo_numpy: numpy empty list", scored(
    "echo_numpy: numpy empty list", {"data": {"type": "ndarray", "dtype": "float64", "shape": [0, 3], "value": []}}))
_expect("echo_numpy: numpy ragged", contract_error(
    "echo_numpy: numpy ragged", ("data[1]", "expected 3 elements (dimension 2 has size 3), got 2")))
_expect("echo_numpy: numpy non-numeric string", contract_error(
    "echo_numpy: numpy non-numeric string", ("data[0][0]", 'expected a number (float64), got "a"')))
_expect("echo_numpy: numpy null -> NaN", contract_error("echo_numpy: numpy null -> NaN", ("data[0][0]", NOT_NULLABLE)))
_expect("echo_numpy: numpy bool -> float", contract_error(
    "echo_numpy: numpy bool -> float", ("data[0][0]", "expected a number (float64), got true"),
    ("data[0][1]", "expected a number (float64), got false")))
_expect("echo_numpy: numpy scalar instead of list", contract_error(
    "echo_numpy: numpy scalar instead of list", ("data", "expected an array of shape (*, 3), got 5")))
_expect("echo_numpy: numpy null param", contract_error(
    "echo_numpy: numpy null param", ("data", "expected an array of shape (*, 3), got null")))
_expect("echo_numpy: numpy int64 floats truncated", contract_error(
    "echo_numpy: numpy int64 floats truncated", ("ints[0]", "expected an integer (int64), got 1.9"),
    ("ints[1]", "expected an integer (int64), got -2.7")))
_expect("echo_numpy: numpy int64 null", contract_error("echo_numpy: numpy int64 null", ("ints[0]", NOT_NULLABLE)))
_expect("echo_numpy: numpy datetime64[D]", contract_error(  # the reference dropped the time of day
    "echo_numpy: numpy datetime64[D]",
    ("when[1]", "2021-03-05T23:59:59 cannot be held exactly by the sample's dtype datetime64[D]")))

_ORIENT_COLUMNS = {"type": "DataFrame", "columns": ["name", "age"], "dtypes": {"name": TEXT, "age": "int64"}}
_expect("pandas_orients: pandas orients swagger v2 (404 expected?)", document(
    "pandas_orients: pandas orients swagger v2 (404 expected?)", Document(
        "2.0",
        input_patches={
            ("properties", "split", "required"): ["columns", "data"],
            ("properties", "split", "properties", "columns", "items", "enum"): ["name", "age"],
            ("properties", "split", "properties", "index", "items"): {},
            ("properties", "split", "properties", "data", "items", "items"): {},
            ("properties", "values", "items", "items"): {},
            # the index and columns orients: no sample row labels baked in as required properties
            ("properties", "index"): {"type": "object", "format": "pandas.DataFrame:index", "additionalProperties": {
                "type": "object", "required": ["name", "age"],
                "properties": {"name": {"type": "string"}, "age": {"type": "integer", "format": "int64"}}}},
            ("properties", "columns"): {
                "type": "object", "format": "pandas.DataFrame:columns", "required": ["name", "age"],
                "properties": {"name": {"type": "array", "items": {"type": "string"}},
                               "age": {"type": "array", "items": {"type": "integer", "format": "int64"}}}},
        },
        example_patches={("split", "index"): DELETE,
                         ("columns",): {"name": ["Sarah", "John"], "age": [25, 26]},
                         # pandas < 3 has no `str` extension dtype to name in a table schema (Appendix A)
                         **({} if PANDAS_3 else {("table", "schema", "fields", 1, "extDtype"): DELETE})})))
_expect("pandas_orients: pandas records reordered keys", scored(
    "pandas_orients: pandas records reordered keys",
    {"records": {**_ORIENT_COLUMNS, "index": [0], "values": [["A", 1]]}}))
_expect("pandas_orients: pandas records renamed column accepted", contract_error(
    "pandas_orients: pandas records renamed column accepted", ("records", "missing column 'name'")))
_expect("pandas_orients: pandas split missing columns key", contract_error(
    "pandas_orients: pandas split missing columns key", ("split.columns", "required key 'columns' is missing")))
_expect("pandas_orients: pandas values ok (names lost)", scored(
    "pandas_orients: pandas values ok (names lost)",
    {"values": {**_ORIENT_COLUMNS, "index": [0, 1], "values": [["A", 1], ["B", 2]]}}))
_expect("pandas_orients: pandas values wrong width", contract_error(
    "pandas_orients: pandas values wrong width", ("values[0]", "expected 2 values (one per column), got 3")))
_expect("pandas_orients: pandas table without schema", contract_error(
    "pandas_orients: pandas table without schema", ("table", "KeyError: 'schema'")))

_expect("pandas_types: pandas types swagger v2", document("pandas_types: pandas types swagger v2", Document(
    "2.0", required=["df"], output_patches={("properties", "dtypes", "required"): DELETE},
    input_patches={("properties", "df", "items", "properties", "f"): {"type": "number", "format": "double"}},
    example_patches={("df", 0, "ts"): "2020-01-01T10:00:00", ("df", 1, "ts"): "2021-06-15T00:00:00"})))
for _name in ("pandas_types: pandas types ok", "pandas_types: pandas types td pandas string",
              "pandas_types: pandas types nulls (f,s,ts,td)"):
    _expect(_name, scored(_name, on_this_pandas(reference_body(_name))))
_expect("pandas_types: pandas types null in int col", Answer(
    400, json_headers("pandas_types: pandas types null in int col"), checks=[_strict_refusal("df[0].i")]))
for _name, _path in (("pandas_types: pandas types null in bool col -> True", "df[0].b"),
                     ("pandas_types: pandas types int from '12' string", "df[0].i"),
                     ("pandas_types: pandas types string col from number", "df[0].s")):
    _expect(_name, Answer(400, json_headers(_name), checks=[_strict_refusal(_path)]))
_expect("pandas_types: pandas types ts with offset", Answer(
    200, json_headers("pandas_types: pandas types ts with offset", exec_ms=True), checks=[_ts_with_offset]))
_expect("pandas_types: pandas types td garbage", Answer(
    400, json_headers("pandas_types: pandas types td garbage"), checks=[_strict_refusal("df[0].td")]))

_expect("echo_std: std swagger v2", document("echo_std: std swagger v2", Document(
    "2.0", required=["Inputs"],
    input_patches={("properties", "Inputs", "required"): ["arr", "df", "f", "wrapped_inner", "lst"]},
    example_patches={("Inputs", "arr"): [[1.0, 2.0]]})))
_expect("echo_std: std nested conversion", contract_error(  # the sample of 'plain' is 1: checked, not converted
    "echo_std: std nested conversion", ("Inputs.plain", 'expected integer, got "anything"')))
_expect("echo_std: std nested arr wrong shape", contract_error(
    "echo_std: std nested arr wrong shape", ("Inputs.arr[0]", "expected 2 elements (dimension 2 has size 2), got 3"),
    *STD_MISSING[1:]))
_expect("echo_std: std Inputs not a dict", contract_error(
    "echo_std: std Inputs not a dict", ("Inputs", "expected an object, got an array")))
_expect("echo_std: std int param from bool", contract_error(
    "echo_std: std int param from bool", *STD_MISSING, ("count", "expected integer, got true")))
for _name in ("echo_std: std float param from int (kept int)", "echo_std: std datetime param",
              "echo_std: std date param (bug)"):
    _expect(_name, contract_error(_name, *STD_MISSING))
_expect("echo_std: std datetime param garbage", contract_error(
    "echo_std: std datetime param garbage", *STD_MISSING, ("when", "ParserError: Unknown string format: not a date")))
_expect("echo_std: std bool param from string", contract_error(
    "echo_std: std bool param from string", *STD_MISSING, ("flag", 'expected boolean, got "true"')))
_expect("echo_std: std optional falsy skips validation", contract_error(
    "echo_std: std optional falsy skips validation", *STD_MISSING, ("count", 'expected integer, got ""'),
    ("ratio", "expected number, got an array"), ("flag", "expected boolean, got 0")))

for _name, _dialect in (("undecorated: swagger v2 undecorated", "2.0"), ("undecorated: swagger v3 undecorated", "3.0")):
    _expect(_name, document(_name, Document(_dialect, output_example=None)))
_expect("undecorated: undecorated non-utf8 body", envelope_error(
    "undecorated: undecorated non-utf8 body",
    "Input cannot be decoded as UTF-8: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"))
for _name, _body in (("undecorated: undecorated returns ndarray", [1.5, 2.5]),
                     ("undecorated: undecorated returns DataFrame", [{"a": 1}]),
                     ("undecorated: undecorated returns set", [1, 2]),
                     ("undecorated: undecorated returns Decimal", 1.1),
                     ("undecorated: undecorated returns NaN/inf", {"v": None, "inf": None}),
                     ("undecorated: undecorated returns bytes", base64.b64encode(b"raw bytes").decode())):
    _expect(_name, scored(_name, _body))
_expect("undecorated: undecorated run raises", run_failed("undecorated: undecorated run raises", "RuntimeError"))
_expect("undecorated: undecorated env (model_dir)", scored("undecorated: undecorated env (model_dir)", {
    "AZUREML_MODEL_DIR": str(SCRIPTS / "powerbi"), "AML_APP_ROOT": str(SCRIPTS / "undecorated"),
    "cwd": str(SCRIPTS / "undecorated"), "AZUREML_ENTRY_SCRIPT": str(SCRIPTS / "undecorated" / "score.py")}))
_expect("undecorated: --model_dir overrides AZUREML_MODEL_DIR", Refused(2, "--model-dir /cli/model: no such directory"))


# ----------------------------------------------------------------------------------------------------
# Running a case
# ----------------------------------------------------------------------------------------------------


def _flask_stand_in() -> types.ModuleType:
    """scripts/amlresponse imports `flask.Response` (always present under Azure ML, whose server is Flask);
    the modes the cases use never touch it, so a stand-in lets the script import where flask is absent."""
    module = types.ModuleType("flask")
    module.Response = type("Response", (), {})  # type: ignore[attr-defined]
    return module


def _command_line(case: Mapping[str, Any], monkeypatch: pytest.MonkeyPatch, extra: Sequence[str] = ()) -> list[str]:
    """Set the case's environment and working directory (the script's, as the reference ran), and return the
    `python -m gateway` arguments."""
    for name in [*ENVIRONMENT, *(k for k in os.environ if k.startswith("GATEWAY_"))]:
        monkeypatch.setenv(name, "")  # recorded, so whatever the gateway exports is undone after the test
        monkeypatch.delenv(name)
    server = case.get("server") or {}
    for name, value in server.get("env", {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(script_dir(case))
    if "flask" not in sys.modules:
        try:
            import flask  # noqa: F401
        except ImportError:
            monkeypatch.setitem(sys.modules, "flask", _flask_stand_in())
    args = [CLI_FLAGS.get(arg, arg) for arg in server.get("args", [])]
    return ["--scorer", str(script_dir(case) / "score.py"), *args, *extra]


async def _serve(case: Mapping[str, Any], monkeypatch: pytest.MonkeyPatch, aiohttp_client: Any,
                 extra: Sequence[str] = ()) -> Served:
    """Build the app exactly as `python -m gateway` does and serve it in process (README 'Serving your own scorer')."""
    argv = _command_line(case, monkeypatch, extra)
    parser = build_parser()
    settings = settings_from_args(parser, parser.parse_args(argv))
    scorers = load_scorers(settings.scorers)
    client = await aiohttp_client(create_app(settings, scorers), server_kwargs={"handler_cancellation": True})
    return Served(client, scorers, script_dir(case))


def _request_body(case: Mapping[str, Any]) -> bytes | None:
    if case.get("body_base64"):
        return base64.b64decode(case["body_base64"])
    if case.get("body_is_raw_text"):
        return str(case["body"]).encode()
    if case["body"] is None:
        return None
    return json.dumps(case["body"]).encode()


async def _send(client: TestClient, case: Mapping[str, Any]) -> Reply:
    """The exact request, with the headers Python's http.client adds (as the reference was driven)."""
    headers = {"Accept-Encoding": "identity", **case["headers"]}
    skip = ["Accept", "User-Agent", "Accept-Encoding"]
    if not any(k.lower() == "content-type" for k in headers):
        skip.append("Content-Type")
    response = await client.request(case["method"], case["path"], data=_request_body(case), headers=headers,
                                    skip_auto_headers=skip)
    return Reply(response.status, response.headers, await response.read())


PREAMBLES: dict[str, dict[str, Any]] = {
    # the reference recorded these after the failure before them, on the same server
    "timeout: after timeout still serving": {"sleep": 3},
    "raising: decorated run after errors still healthy": {"data": {"mode": "raise"}},
}


def _same_json(ours: Any, theirs: Any) -> bool:
    """JSON equality that tells apart true from 1 and 1 from 1.0, as a Python or JavaScript client would."""
    if isinstance(theirs, dict):
        return isinstance(ours, dict) and ours.keys() == theirs.keys() and all(
            _same_json(ours[k], theirs[k]) for k in theirs)
    if isinstance(theirs, list):
        return isinstance(ours, list) and len(ours) == len(theirs) and all(map(_same_json, ours, theirs))
    return type(ours) is type(theirs) and ours == theirs


def _check_header(reply: Reply, name: str, expected: str | None) -> None:
    values = reply.headers.getall(name, [])
    if expected is None:
        assert not values, f"{name} should be absent, got {values}"
        return
    assert len(values) == 1, f"{name}: expected one value, got {values}"
    if expected == UUID4:
        assert uuid.UUID(values[0]).version == 4 and str(uuid.UUID(values[0])) == values[0], (name, values[0])
    elif expected == EXEC_MS:
        assert re.fullmatch(r"\d+\.\d{3}", values[0]), (name, values[0])
    else:
        assert values[0] == expected, f"{name}: {values[0]!r} != {expected!r}"


def _check_headers(reply: Reply, expected: Mapping[str, str | None]) -> None:
    """The expected headers (None = absent), and no TRACKED header that is not expected."""
    for name, value in expected.items():
        if name.lower() == "x-ms-server-version":
            continue
        _check_header(reply, name, value)
    for name in TRACKED:
        if not any(k.lower() == name.lower() for k in expected):
            _check_header(reply, name, None)
    if expected.get("x-request-id") == UUID4 and expected.get("x-ms-request-id") == UUID4:
        assert reply.headers["x-ms-request-id"] == reply.headers["x-request-id"]
    assert reply.headers["x-ms-server-version"] == f"gateway/{__version__}", SERVER_VERSION_DEVIATION


def _check_reference(case: Mapping[str, Any], reply: Reply) -> None:
    """The gateway reproduces the reference: status, body, deterministic headers."""
    assert reply.status == case["expected_status"], reply.body[:500]
    expected = on_this_pandas(case["expected_body_or_note"])
    if isinstance(expected, dict) and set(expected) == {"raw_text"}:
        assert reply.body.decode() == expected["raw_text"]
    elif isinstance(expected, dict) and set(expected) == {"raw_base64"}:
        assert reply.body == base64.b64decode(expected["raw_base64"])
    elif isinstance(expected, str) and expected.startswith("exact JSON document saved as "):
        assert _same_json(reply.json(), _reference_document(case["name"]))
    else:
        assert _same_json(reply.json(), expected), reply.body[:2000]
    _check_headers(reply, case["expected_headers"])


def _check_answer(answer: Answer, reply: Reply, served: Served) -> None:
    """The gateway gives the better answer the SPEC asks for."""
    assert reply.status == answer.status, reply.body[:2000]
    if answer.raw is not None:
        assert reply.body.decode() == answer.raw
    if answer.body is not None:
        expected = answer.body(reply) if callable(answer.body) else answer.body
        assert _same_json(reply.json(), expected), reply.body[:2000]
    for check in answer.checks:
        check(reply, served)
    _check_headers(reply, answer.headers)


def _env_in_this_checkout(served: Served) -> Any:
    """The undecorated script's `env` answer with this checkout's paths for the reference's relative ones
    (`scripts/undecorated` was the server's cwd and so AML_APP_ROOT's default; the entry script's real path)."""
    directory = str(served.directory)
    return {"AZUREML_MODEL_DIR": "/env/model/dir", "AML_APP_ROOT": directory, "cwd": directory,
            "AZUREML_ENTRY_SCRIPT": str(served.directory / "score.py")}


def _headers_from_this_client(served: Served) -> Any:
    """run() echoes the request's headers: the reference's, with the Host this test server listens on."""
    body = reference_body("req_headers: request_headers param")
    return replaced(body, request_headers=replaced(body["request_headers"], Host=f"127.0.0.1:{served.client.port}"))


#: reference bodies that name the server's own address or paths, as this run spells them
IN_THIS_RUN: dict[str, Callable[[Served], Any]] = {
    "undecorated: AZUREML_MODEL_DIR from env": _env_in_this_checkout,
    "req_headers: request_headers param": _headers_from_this_client,
}


@pytest.mark.parametrize("name", [case["name"] for case in CASES])
async def test_case(name: str, aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """One recorded reference case, replayed against the gateway."""
    case = BY_NAME[name]
    expected = EXPECTED.get(name)
    if isinstance(expected, Refused):
        with pytest.raises(SystemExit) as exited:
            await _serve(case, monkeypatch, aiohttp_client)
        assert exited.value.code == expected.code
        assert expected.message in capsys.readouterr().err
        served = await _serve(case, monkeypatch, aiohttp_client, extra=["--model-dir", str(tmp_path)])
        reply = await _send(served.client, case)
        assert reply.status == 200 and reply.json()["AZUREML_MODEL_DIR"] == str(tmp_path)
        return
    served = await _serve(case, monkeypatch, aiohttp_client)
    if name in PREAMBLES:
        first = await served.client.post("/score", json=PREAMBLES[name])
        assert first.status in (500, 504)
    reply = await _send(served.client, case)
    if expected is not None:
        _check_answer(expected, reply, served)
    elif name in IN_THIS_RUN:
        assert reply.status == case["expected_status"]
        assert _same_json(reply.json(), IN_THIS_RUN[name](served)), reply.body
        _check_headers(reply, case["expected_headers"])
    else:
        _check_reference(case, reply)


def test_every_deviation_is_a_case_and_is_asserted() -> None:
    """DEVIATIONS names real cases only, each with a reason and the exact answer we give instead."""
    names = set(BY_NAME)
    assert len(names) == len(CASES) == 173
    assert set(DEVIATIONS) <= names, sorted(set(DEVIATIONS) - names)
    assert all(reason.strip() for reason in DEVIATIONS.values())
    assert set(EXPECTED) == set(DEVIATIONS), (sorted(set(EXPECTED) ^ set(DEVIATIONS)))


def test_counts() -> None:
    """173 cases: how many reproduce the reference and how many deviate as the SPEC says."""
    deviating = len(DEVIATIONS)
    matching = len(CASES) - deviating
    print(f"\nconformance: {len(CASES)} cases, {matching} reproduce the reference, {deviating} deviate (DEVIATIONS)")
    assert (matching, deviating) == (49, 124)


async def test_echo_std_with_complete_inputs(aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the echo_std deviations claim once Inputs is complete: the date and datetime parameters are converted
    (a date, which inference-schema could never convert) and an int given to the float member arrives as 2.0."""
    case = BY_NAME["echo_std: std date param (bug)"]
    served = await _serve(case, monkeypatch, aiohttp_client)
    inputs = BY_NAME["echo_std: std nested conversion"]["body"]["Inputs"] | {"plain": 7}
    response = await served.client.post(
        "/score", json={"Inputs": inputs, "day": "2021-03-04", "when": "2021-03-04T05:06:07"})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["day"] == "date(datetime.date(2021, 3, 4))"
    assert body["when"] == "datetime(datetime.datetime(2021, 3, 4, 5, 6, 7))"
    assert body["Inputs"]["f"] == "float(2.0)"
    refused = await served.client.post("/score", json={"Inputs": inputs, "day": "04/03/2021"})
    assert refused.status == 400
    assert (await refused.json())["errors"] == [
        {"path": "day", "error": 'expected an ISO-8601 date (like 2021-03-04), got "04/03/2021"'}]


def test_every_script_is_here() -> None:
    """Every case's entry script was copied next to this suite."""
    for case in CASES:
        assert (script_dir(case) / "score.py").is_file(), case["script"]
