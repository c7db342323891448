"""The generated Power Query (M) function: it parses with Microsoft's parser, and what it sends works.

Node and `@microsoft/powerquery-parser` (pinned in tests/documents/powerquery/package.json) check the syntax; the
batching simulation reads the batch size, URL, path, headers, columns and body shape from the M text
itself and sends what the function would send to a real in-process gateway.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
import pytest

from gateway import Array, List, Results, Scorer, Settings, Value, contract
from gateway.core.table import Column, Table
from gateway.documents.powerquery.render import render_powerquery
from gateway.errors import UnsupportedScorer
from gateway.scoring.loader import load, load_scorer
from gateway.settings import parse_scorer_option
from gateway.testing import serve_scorer

PARSER_DIR = Path(__file__).parent / "powerquery"
EXAMPLE = Path(__file__).parents[2] / "examples" / "automl_powerbi" / "score.py"
BASE = "https://scoring.example.com"
KEY = "pq-test-key"
CHURN_COLUMNS = {"age": "int64", "income": "float64", "is_member": "bool", "city": "string", "signup_date": "datetime"}
METHOD = Value(str, default="predict", enum=["predict", "predict_proba"])

ParseFn = Callable[[str], subprocess.CompletedProcess[str]]


# --- scorers ------------------------------------------------------------------------------------------

seen_batches: list[int] = []


@contract(Inputs={"data": Table(CHURN_COLUMNS)}, GlobalParameters={"method": METHOD})
def churn(Inputs: dict[str, pd.DataFrame], GlobalParameters: dict[str, Any]) -> dict[str, Any]:
    frame = Inputs["data"]
    seen_batches.append(len(frame))
    p_churn = frame["income"] / 1_000_000.0
    if GlobalParameters["method"] == "predict_proba":
        return {"Results": [[1.0 - p, p] for p in p_churn]}
    return {"Results": (p_churn > 0.5).astype(int).tolist()}


@contract(Inputs={"data": Table(CHURN_COLUMNS)}, results=Results(List(float)))
def no_globals(Inputs: dict[str, pd.DataFrame]) -> dict[str, Any]:
    return {"Results": Inputs["data"]["income"].tolist()}


@contract(
    Inputs={"data": Table({"x": "float64", "when": Column("datetime", nullable=True)})},
    GlobalParameters={"threshold": Value(float, default=0.5), "top": Value(int, default=3)},
    results=Results(List(int)),
)
def numeric_global(Inputs: dict[str, pd.DataFrame], GlobalParameters: dict[str, Any]) -> dict[str, Any]:
    return {"Results": (Inputs["data"]["x"] > GlobalParameters["threshold"]).astype(int).tolist()}


@contract(
    Inputs={"data": Table({"x": "float64"})},
    GlobalParameters={
        "BatchSize": Value(int, default=1),
        "Rows": Value(str, default="a"),
        "x y": Value(bool, default=False),
        "1st": Value(float, default=1.5),
        "type": Value(str, default="t"),
        "table": Value(str, default="t"),
        "mode": Value(str),
    },
    results=Results(Array("float64", (None, 2))),
)
def awkward_names(Inputs: Any, GlobalParameters: Any) -> Any:
    return {"Results": [[0.0, 1.0]] * len(Inputs["data"])}


@contract(
    data=Table({"a": "int32"}),
    method=Value(str, default="predict"),
    results=Results(List({"label": str, "p": float})),
)
def top_level_table(data: pd.DataFrame, method: str) -> Any:
    return {"Results": [{"label": "x", "p": 0.5}] * len(data)}


@contract(Inputs={"data": List(int)}, GlobalParameters={"method": METHOD})
def no_table(Inputs: Any, GlobalParameters: Any) -> Any:
    return {"Results": []}


def undecorated(data: str) -> str:
    return data


def scorer(name: str, fn: Callable[..., Any]) -> Scorer:
    return Scorer.from_function(name, fn)


CASES: dict[str, Callable[[], str]] = {
    "churn table, method enum": lambda: render_powerquery(scorer("churn", churn), BASE),
    "default scorer, no GlobalParameters": lambda: render_powerquery(scorer("default", no_globals), BASE + "/"),
    "numeric GlobalParameters with defaults": lambda: render_powerquery(scorer("numeric", numeric_global), BASE),
    "named scorer, batch size 250": lambda: render_powerquery(scorer("churn-v2.1", churn), BASE, batch_size=250),
    "no key header": lambda: render_powerquery(scorer("churn", churn), "http://127.0.0.1:5001", key_header=False),
    "names that need renaming, required global": lambda: render_powerquery(scorer("odd", awkward_names), BASE),
    "top-level table, record results": lambda: render_powerquery(scorer("top", top_level_table), BASE + "/ml/"),
    "the shipped AutoML example": lambda: render_powerquery(
        load_scorer(parse_scorer_option(str(EXAMPLE))), "http://127.0.0.1:5001"
    ),
}


# --- the parser ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def parse_m() -> ParseFn:
    """Runs tests/documents/powerquery/parse.js (Microsoft's parser), installing it with npm when missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail(
            "node and npm are needed to check the generated Power Query with @microsoft/powerquery-parser; "
            "install Node.js (e.g. apt-get install nodejs npm)",
            pytrace=False,
        )
    if not (PARSER_DIR / "node_modules" / "@microsoft" / "powerquery-parser").is_dir():
        installed = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund"],
            cwd=PARSER_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if installed.returncode != 0:
            pytest.fail(f"npm install in {PARSER_DIR} failed:\n{installed.stdout}\n{installed.stderr}", pytrace=False)

    def parse(text: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [node, "parse.js"], cwd=PARSER_DIR, input=text, capture_output=True, text=True, timeout=120
        )

    return parse


@pytest.mark.parametrize("case", list(CASES))
def test_generated_function_parses(case: str, parse_m: ParseFn) -> None:
    text = CASES[case]()
    result = parse_m(text)
    assert result.returncode == 0, f"{case}: the parser rejects the function: {result.stderr}\n{text}"
    assert result.stdout.strip() == "OK"


def test_parser_check_is_real(parse_m: ParseFn) -> None:
    text = CASES["churn table, method enum"]().replace("BatchSize = 1000,", "BatchSize = 1000", 1)
    result = parse_m(text)
    assert result.returncode == 1
    assert "Parse error" in result.stderr and "line" in result.stderr


def test_package_json_pins_the_parser() -> None:
    package = json.loads((PARSER_DIR / "package.json").read_text())
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["dependencies"]["@microsoft/powerquery-parser"])


# --- what the text says -------------------------------------------------------------------------------


def churn_m(**options: Any) -> str:
    return render_powerquery(scorer("churn", churn), BASE, **options)


def test_signature_and_global_parameters() -> None:
    text = churn_m()
    assert re.search(r"ScoreImpl = \(\s*table as table,\s*optional apiKey as nullable text,\s*"
                     r"optional method as nullable text\s*\) as table =>", text)
    assert 'Documentation.AllowedValues = {"predict", "predict_proba"}' in text
    assert 'Documentation.SampleValues = {"predict"}' in text
    assert text.rstrip().endswith("Value.ReplaceType(ScoreImpl, ScoreType)")


def test_numeric_global_parameters_are_typed_numbers_with_defaults() -> None:
    text = render_powerquery(scorer("numeric", numeric_global), BASE)
    assert "optional threshold as nullable number" in text
    assert "optional top as nullable number" in text
    assert "Documentation.SampleValues = {0.5}" in text
    assert "scorer's default, 0.5" in text
    assert 'GlobalParameters = Given({threshold, top}, {"threshold", "top"})' in text
    assert 'ResultColumns = {[Name = "Results", Type = Int64.Type, Key = null]}' in text


def test_static_base_url_and_relative_path() -> None:
    call = r'Web\.Contents\(\s*"{}",\s*\[\s*RelativePath = "{}",'
    assert re.search(call.format(re.escape(BASE), "score/churn"), churn_m())
    default = render_powerquery(scorer("default", no_globals), BASE + "/")
    assert re.search(call.format(re.escape(BASE), "score"), default)
    prefixed = render_powerquery(scorer("top", top_level_table), BASE + "/ml/")
    assert re.search(call.format(re.escape(BASE + "/ml"), "score/top"), prefixed)


def test_batch_size_is_written_and_checked() -> None:
    assert re.search(r"^\s*BatchSize = 250,$", churn_m(batch_size=250), re.M)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(ValueError, match="batch_size"):
            churn_m(batch_size=bad)


def test_key_header_false_has_no_key_at_all() -> None:
    text = churn_m(key_header=False)
    assert "apiKey" not in text and "Authorization" not in text
    assert 'RequestHeaders = [#"Content-Type" = "application/json", Accept = "application/json"],' in text


def test_errors_show_the_gateway_message() -> None:
    text = churn_m()
    listed = re.search(r"ManualStatusHandling = \{([\d, ]+)\}", text)
    assert listed is not None
    statuses = {int(s) for s in listed.group(1).split(",")}
    assert {400, 404, 413, 415, 500} <= statuses
    assert not statuses & {401, 403}, "401/403 may not be listed outside a custom connector"
    assert not statuses & {408, 429, 503, 504}, "these must stay with Power Query's retry (Retry-After)"
    assert 'Record.HasFields(Answer, "message") then AsText(Answer[message])' in text
    assert re.search(r'if Status <> 200 then\s*error Error\.Record\(\s*"Gateway\.HttpError",.*& Message', text, re.S)


def test_result_columns_follow_the_declared_results() -> None:
    assert 'ResultShape = "auto"' in churn_m() and "ResultColumns = {}," in churn_m()
    assert "ResultType = type any," in churn_m()
    floats = render_powerquery(scorer("f", no_globals), BASE)
    assert 'ResultColumns = {[Name = "Results", Type = type number, Key = null]}' in floats
    pairs = render_powerquery(scorer("odd", awkward_names), BASE)
    assert 'ResultShape = "list"' in pairs
    assert ('ResultColumns = {[Name = "Results.1", Type = type number, Key = 1], '
            '[Name = "Results.2", Type = type number, Key = 2]}') in pairs
    records = render_powerquery(scorer("top", top_level_table), BASE)
    assert 'ResultShape = "record"' in records
    assert ('ResultColumns = {[Name = "Results.label", Type = type text, Key = "label"], '
            '[Name = "Results.p", Type = type number, Key = "p"]}') in records


def test_names_that_would_shadow_or_break_are_renamed() -> None:
    text = render_powerquery(scorer("odd", awkward_names), BASE)
    params = re.search(r"ScoreImpl = \((.*?)\) as table =>", text, re.S)
    assert params is not None
    names = [re.sub(r"^optional ", "", p.strip()).split(" as ")[0] for p in params.group(1).split(",")]
    assert names == ["table", "mode", "apiKey", "BatchSize_2", "Rows_2", "x_y", "p_1st", "type_2", "table_2"]
    typed = re.findall(r"^        (?:optional )?(\w+) as \(type ", text, re.M)
    assert typed == names, "Value.ReplaceType needs the same parameters, in the same order"
    assert 'Code = "Score_odd(Customers, ""..."", ScoringKey)"' in text
    assert (
        'Given({BatchSize_2, Rows_2, x_y, p_1st, type_2, table_2, mode}, '
        '{"BatchSize", "Rows", "x y", "1st", "type", "table", "mode"})'
    ) in text


def test_top_level_table_goes_at_the_top_level() -> None:
    text = render_powerquery(scorer("top", top_level_table), BASE)
    assert 'Body = (rows as list) as record => [data = rows] & Given({method}, {"method"}),' in text


def test_text_is_escaped() -> None:
    @contract(
        Inputs={"data": Table({'say "hi"': "string"})},
        GlobalParameters={"m": Value(str, default="#(lf)", enum=["#(lf)", 'q"'])},
    )
    def run(Inputs: Any, GlobalParameters: Any) -> Any:
        return None

    text = render_powerquery(scorer("esc", run), BASE)
    assert 'ModelInputs = {"say ""hi"""},' in text
    assert 'Documentation.AllowedValues = {"#(#)(lf)", "q"""}' in text


def test_no_function_without_a_table() -> None:
    with pytest.raises(UnsupportedScorer, match="no Table parameter"):
        render_powerquery(scorer("nt", no_table), BASE)
    with pytest.raises(UnsupportedScorer, match="declares no contract"):
        render_powerquery(scorer("raw", undecorated), BASE)


@pytest.mark.parametrize("url", ["scoring.example.com", "ftp://x", "https://x/?a=1", "https://x/#f", 'https://x/"a'])
def test_base_url_is_checked(url: str) -> None:
    with pytest.raises(ValueError, match="base URL"):
        render_powerquery(scorer("churn", churn), url)


# --- batching simulation against a real gateway ---------------------------------------------------------


class MFunction:
    """What the simulation reads from the generated text: nothing comes from Python constants."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.batch_size = int(self._one(r"^\s*BatchSize = (\d+),$"))
        self.base_url = self._one(r'Web\.Contents\(\s*"([^"]+)",')
        self.relative_path = self._one(r'RelativePath = "([^"]+)",')
        self.inputs = re.findall(r'"([^"]*)"', self._one(r"ModelInputs = \{([^}]*)\},"))
        headers = self._one(r"RequestHeaders =\s*(\[.*?\](?:\s*&\s*\(.*?\))?),\n", re.S)
        fields = re.findall(r'(?:#"([^"]+)"|\b(\w+)) = "([^"]*)"(?=[,\]])', headers)
        self.headers = {quoted or bare: value for quoted, bare, value in fields}
        self.key_header = re.search(r'\[(\w+) = "([^"]*)" & apiKey\]', headers)
        self.statuses = {int(s) for s in self._one(r"ManualStatusHandling = \{([\d, ]+)\}").split(",")}
        self.body = self._one(r"Body = \(rows as list\) as record => (.*),\n")

    def _one(self, pattern: str, flags: int = re.M) -> str:
        found = re.search(pattern, self.text, flags)
        assert found is not None, f"not in the generated function: {pattern}"
        return found.group(1)

    def request_headers(self, api_key: str | None) -> dict[str, str]:
        headers = dict(self.headers)
        if self.key_header is not None and api_key:
            headers[self.key_header.group(1)] = self.key_header.group(2) + api_key
        return headers

    def request_body(self, rows: list[dict[str, Any]], arguments: dict[str, Any]) -> Any:
        """Evaluates the Body expression (records, `rows`, `Given(...)`, `&`) as M would."""
        return _MBody(self.body, rows, arguments).value()


class _MBody:
    """A tiny evaluator for the subset of M the generator writes in `Body`."""

    TOKEN = re.compile(r'\s*(#"(?:[^"]|"")*"|"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*|[\[\]{}(),=&])')

    def __init__(self, text: str, rows: list[dict[str, Any]], arguments: dict[str, Any]) -> None:
        self.tokens: list[str] = self.TOKEN.findall(text)
        assert "".join(self.tokens) == re.sub(r"\s+", "", text), f"unexpected M in Body: {text}"
        self.at = 0
        self.rows = rows
        self.arguments = arguments

    def take(self, expected: str | None = None) -> str:
        token = self.tokens[self.at]
        self.at += 1
        assert expected is None or token == expected, f"expected {expected}, got {token}"
        return token

    def value(self) -> Any:
        left = self.primary()
        while self.at < len(self.tokens) and self.tokens[self.at] == "&":
            self.take("&")
            left = {**left, **self.primary()}
        return left

    def primary(self) -> Any:
        token = self.take()
        if token == "[":
            record: dict[str, Any] = {}
            while self.tokens[self.at] != "]":
                name = self.name(self.take())
                self.take("=")
                record[name] = self.value()
                if self.tokens[self.at] == ",":
                    self.take(",")
            self.take("]")
            return record
        if token == "rows":
            return self.rows
        if token == "Given":
            self.take("(")
            values = [self.arguments.get(n) for n in self.items()]
            self.take(",")
            names = [self.name(n) for n in self.items()]
            self.take(")")
            return {n: v for n, v in zip(names, values) if v is not None}
        raise AssertionError(f"unexpected token {token}")

    def items(self) -> list[str]:
        self.take("{")
        found: list[str] = []
        while self.tokens[self.at] != "}":
            found.append(self.take())
            if self.tokens[self.at] == ",":
                self.take(",")
        self.take("}")
        return found

    @staticmethod
    def name(token: str) -> str:
        if token.startswith('#"'):
            token = token[1:]
        return token[1:-1].replace('""', '"') if token.startswith('"') else token


def json_from_value(value: Any) -> Any:
    """What Power Query's Json.FromValue writes for a cell: datetimes as ISO-8601 text."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def powerbi_table(rows: int) -> list[dict[str, Any]]:
    """A Power BI table: the model's columns in another order, plus one the model does not read."""
    start = dt.datetime(2021, 1, 1, 8, 30)
    return [
        {
            "customer_id": f"C{i:05d}",
            "city": ["Seattle", "Lisbon", "Osaka"][i % 3],
            "signup_date": start + dt.timedelta(hours=7 * i),
            "income": 20_000.0 + 250.5 * i,
            "age": 18 + i % 60,
            "is_member": i % 2 == 0,
        }
        for i in range(rows)
    ]


def post(url: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def churn_gateway() -> Iterator[str]:
    seen_batches.clear()
    with serve_scorer(churn=churn, settings=Settings(api_keys=(KEY,))) as served:
        yield served.url


def score_like_the_function(
    m: MFunction, table: list[dict[str, Any]], url: str, method: str
) -> tuple[list[int], list[dict[str, Any]]]:
    """Table.Buffer → Table.Split(BatchSize) → Table.SelectColumns(ModelInputs) → Table.ToRecords → Body →
    Json.FromValue → POST → Results → one column per element appended."""
    sent: list[int] = []
    scored: list[dict[str, Any]] = []
    for first in range(0, len(table), m.batch_size):
        batch = table[first:first + m.batch_size]
        records = [{name: json_from_value(row[name]) for name in m.inputs} for row in batch]
        body = m.request_body(records, {"method": method})
        status, answer = post(f"{url}/{m.relative_path}", body, m.request_headers(KEY))
        assert status == 200, answer
        items = answer["Results"]
        assert len(items) == len(batch)
        sent.append(len(batch))
        for row, item in zip(batch, items):
            values = item if isinstance(item, list) else [item]
            scored.append({**row, **{f"Results.{n}": v for n, v in enumerate(values, 1)}})
    return sent, scored


def test_batching_simulation_against_the_gateway(churn_gateway: str) -> None:
    text = render_powerquery(scorer("churn", churn), "http://127.0.0.1:1")
    m = MFunction(text)
    assert (m.batch_size, m.relative_path) == (1000, "score/churn")
    assert m.inputs == list(CHURN_COLUMNS)
    assert m.headers == {"Content-Type": "application/json", "Accept": "application/json"}
    assert m.key_header is not None and m.key_header.groups() == ("Authorization", "Bearer ")

    table = powerbi_table(2500)
    sent, scored = score_like_the_function(m, table, churn_gateway, "predict_proba")

    assert sent == [1000, 1000, 500]
    assert seen_batches == [1000, 1000, 500]
    assert len(scored) == 2500
    for i, row in enumerate(scored):
        p = row["income"] / 1_000_000.0
        assert row["customer_id"] == f"C{i:05d}"
        assert (row["Results.1"], row["Results.2"]) == (pytest.approx(1 - p), pytest.approx(p))


def test_batching_simulation_batch_size_250(churn_gateway: str) -> None:
    m = MFunction(render_powerquery(scorer("churn", churn), "http://127.0.0.1:1", batch_size=250))
    sent, scored = score_like_the_function(m, powerbi_table(2500), churn_gateway, "predict")
    assert sent == [250] * 10 and seen_batches == [250] * 10
    assert [row["Results.1"] for row in scored] == [int(r["income"] / 1_000_000.0 > 0.5) for r in powerbi_table(2500)]


def test_gateway_errors_reach_the_function(churn_gateway: str) -> None:
    m = MFunction(churn_m())
    rows = [{name: json_from_value(row[name]) for name in m.inputs} for row in powerbi_table(3)]
    rows[2]["age"] = "forty"
    status, answer = post(f"{churn_gateway}/{m.relative_path}", m.request_body(rows, {}), m.request_headers(KEY))
    assert status == 400 and status in m.statuses
    assert "Inputs.data[2].age" in answer["message"]

    wrong_method = m.request_body(rows[:2], {"method": "nope"})
    status, answer = post(f"{churn_gateway}/{m.relative_path}", wrong_method, m.request_headers(KEY))
    assert status == 400 and "GlobalParameters.method" in answer["message"]

    status, _ = post(f"{churn_gateway}/{m.relative_path}", m.request_body(rows[:2], {}), m.request_headers(None))
    assert status == 401, "without the key header the gateway refuses: the header the text names is the one it checks"


# --- served at /powerquery/{name}.pq and printed by `python -m gateway powerquery` ------------------


async def test_route_serves_the_function_for_a_scorer(serve, parse_m: ParseFn):
    from conftest import ROOT

    loaded = load(parse_scorer_option(f"churn={ROOT / 'examples' / 'automl_powerbi' / 'score.py'}"))
    scorer = Scorer.from_function("churn", loaded.run)  # no init(): the model is not needed to write the function
    client = await serve(scorer, settings=Settings(api_keys=("k",)))
    response = await client.get("/powerquery/churn.pq", params={"batch_size": "250"}, headers={"Authorization": "Bearer k"})
    assert response.status == 200
    text = await response.text()
    assert "BatchSize = 250" in text
    assert f'"http://{client.host}:{client.port}"' in text and '"score/churn"' in text
    assert "apiKey" in text
    assert parse_m(text).returncode == 0
    assert (await client.get("/powerquery/nope.pq", headers={"Authorization": "Bearer k"})).status == 404
    bad = await client.get("/powerquery/churn.pq", params={"batch_size": "0"}, headers={"Authorization": "Bearer k"})
    assert bad.status == 400


async def test_every_wire_dtype_gets_a_function_over_http(serve, parse_m: ParseFn):
    """Each wire dtype (timedelta among them, which once answered 500) as an input column and as a
    declared result column: the route answers a parsable function naming the column's type."""
    from gateway.core.dtypes import WIRE_DTYPES

    columns = {f"c_{name}": name for name in WIRE_DTYPES}

    @contract(Inputs={"data": Table(columns)}, results=Results(Table(columns)))
    def run(Inputs):
        return {"Results": Inputs["data"]}

    client = await serve(run)
    response = await client.get("/powerquery/default.pq")
    assert response.status == 200, await response.text()
    text = await response.text()
    assert "c_timedelta (duration)" in text and "c_datetime (date/time)" in text and "c_uint8 (whole number)" in text
    assert '[Name = "Results.c_timedelta", Type = type text, Key = "c_timedelta"]' in text
    assert parse_m(text).returncode == 0


async def test_route_answers_a_bad_base_url_as_a_bad_query(serve):
    """A base URL the function cannot use is the query's fault (400 naming `base_url`), not a missing
    document (it once answered 404 as if the scorer had no function)."""
    client = await serve(scorer("churn", churn))
    response = await client.get("/powerquery/churn.pq", params={"base_url": "ftp://x"})
    assert response.status == 400
    body = await response.json()
    assert body["errors"][0]["path"] == "base_url" and "base URL" in body["message"]


async def test_route_refuses_a_scorer_without_a_table(serve):
    def raw(data):
        return data

    client = await serve(raw)
    response = await client.get("/powerquery/default.pq")
    assert response.status == 404
    assert "no contract" in (await response.json())["message"]


def test_subcommand_prints_a_parsable_function(parse_m: ParseFn):
    import sys

    from conftest import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "gateway", "powerquery", "--scorer", str(ROOT / "examples" / "automl_powerbi" / "score.py"),
         "--url", "https://scoring.example.com", "--batch-size", "500"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "BatchSize = 500" in result.stdout and '"https://scoring.example.com"' in result.stdout
    assert parse_m(result.stdout).returncode == 0
