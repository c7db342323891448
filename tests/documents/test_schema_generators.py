"""Schema-driven clients: datetime cells of the exported JSON Schema say `format: date-time` (so
generators such as hypothesis-jsonschema or datamodel-code-generator make datetimes), and what an RFC 3339
generator makes is valid for the schema and accepted by the gateway (README 'Checking payloads against a
contract')."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway import Column, Scorer, Table, contract
from gateway.documents.jsonschema import contract_schema
from gateway.scoring.check import check_payload


@contract(Inputs={"data": Table({"age": "int64", "signup": "datetime", "churned": Column("datetime", nullable=True)})})
def run(Inputs):
    return {"Results": len(Inputs["data"])}


SCORER = Scorer.from_function("default", run)
SCHEMA = contract_schema(SCORER)
CELLS = SCHEMA["properties"]["Inputs"]["properties"]["data"]["items"]["properties"]
RFC3339 = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

#: what a date-time generator writes: RFC 3339, with a zone (the datetimes of one column share a kind)
STAMPS = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.timezone.utc)
).map(lambda d: d.isoformat())


def test_datetime_cells_say_date_time_beside_their_pattern():
    assert CELLS["signup"]["format"] == "date-time" and CELLS["signup"]["pattern"].startswith("^")
    assert CELLS["churned"]["format"] == "date-time" and CELLS["churned"]["type"] == ["string", "null"]
    assert CELLS["age"]["format"] == "int64"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-(2**63), 2**63 - 1), STAMPS, st.none() | STAMPS), min_size=1, max_size=5))
def test_what_a_date_time_generator_makes_is_valid_and_accepted(rows):
    body = {"Inputs": {"data": [{"age": a, "signup": s, "churned": c} for a, s, c in rows]}}
    RFC3339.validate(body)  # the schema, its date-time format asserted
    verdict = check_payload(SCORER, json.dumps(body).encode())
    assert verdict.problems == (), (body, verdict.problems)
