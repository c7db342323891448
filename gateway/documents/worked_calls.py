"""What the `/docs` page shows a person per scorer, as pure functions of the scorer: its tables' columns
(name, type, nullable) and a worked call for each client (curl, Python, MLflow, CSV).

The calls hold `BASE_URL` where the service's address goes: the page puts in its own address, so what
is copied works as it is.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import pprint
from dataclasses import dataclass
from typing import Any

from gateway.core.table import Table
from gateway.errors import join_path
from gateway.scoring.scorer import Scorer
from gateway.scoring.table_slot import tables_of

from .invocations import invocations_path

__all__ = ("BASE_URL", "ColumnRow", "WorkedCall", "scorer_tables", "column_rows", "worked_calls")

#: stands for the service's address (scheme, host and path prefix) in the worked calls
BASE_URL = "{{BASE_URL}}"


@dataclass(frozen=True, slots=True)
class ColumnRow:
    """One column of one table parameter, as the page lists it."""

    table: str
    name: str
    type: str
    nullable: bool


@dataclass(frozen=True, slots=True)
class WorkedCall:
    """A call a client makes: its name, the language of the text, and the text."""

    client: str
    language: str
    text: str


def scorer_tables(scorer: Scorer) -> list[tuple[str, Table]]:
    """Each table parameter with its JSON path in the request (`Inputs.data`): the tables MLflow's and
    Azure's bodies may fill (`scoring.table_slot.tables_of`)."""
    if scorer.contract is None:
        return []
    return [(functools.reduce(join_path, path, ""), table) for path, table in tables_of(scorer.contract.params)]


def column_rows(scorer: Scorer) -> list[ColumnRow]:
    """Every declared column of every table parameter, in declared order."""
    return [
        ColumnRow(path, name, column.dtype + (f" ({column.unit} since the epoch too)" if column.unit else ""), column.nullable)
        for path, table in scorer_tables(scorer)
        for name, column in table.columns.items()
    ]


def worked_calls(scorer: Scorer, path: str, *, api_key: bool) -> list[WorkedCall]:
    """curl and Python calls of the score path with the contract's example; with exactly one table, MLflow's
    `dataframe_split` and a CSV body to the invocations path."""
    if scorer.contract is None:
        return []
    body = scorer.contract.envelope().example()
    url = BASE_URL + path
    auth_header = ' -H "Authorization: Bearer $GATEWAY_KEY"' if api_key else ""
    auth_python = ', headers={"Authorization": "Bearer " + key}' if api_key else ""
    text = json.dumps(body, ensure_ascii=False)
    calls = [
        WorkedCall("curl", "sh", f"curl -X POST '{url}'{auth_header} -H 'Content-Type: application/json' \\\n  -d '{_quoted(text)}'"),
        WorkedCall(
            "Python",
            "python",
            "import requests\n\n"
            + ('key = "..."  # the API key\n' if api_key else "")
            + f"body = {pprint.pformat(body, sort_dicts=False)}\n"
            + f'answer = requests.post("{url}", json=body{auth_python}, timeout=60)\n'
            + "answer.raise_for_status()\nprint(answer.json()[\"Results\"])",
        ),
    ]
    tables = scorer_tables(scorer)
    if len(tables) == 1:
        _, table = tables[0]
        rows = _example_rows(table)
        invocations = BASE_URL + invocations_path(path)
        split = {"dataframe_split": {"columns": list(table.columns), "data": [list(row.values()) for row in rows]}}
        calls.append(
            WorkedCall(
                "MLflow",
                "sh",
                f"curl -X POST '{invocations}'{auth_header} -H 'Content-Type: application/json' \\\n"
                f"  -d '{_quoted(json.dumps(split, ensure_ascii=False))}'\n# answers {{\"predictions\": ...}}",
            )
        )
        calls.append(
            WorkedCall(
                "CSV",
                "sh",
                f"cat > rows.csv <<'EOF'\n{_csv(table, rows)}EOF\n"
                f"curl -X POST '{invocations}'{auth_header} -H 'Content-Type: text/csv' --data-binary @rows.csv",
            )
        )
    return calls


def _example_rows(table: Table) -> list[dict[str, Any]]:
    """The table's published example as row objects, whatever form it is published in."""
    from gateway.core.codecs import CODECS
    from gateway.core.decoding import DecodeContext

    frame = table.decode(table.example(), "example", DecodeContext())
    if frame is None:
        return []
    rows: list[dict[str, Any]] = CODECS["records"].encode(frame)
    return rows


def _csv(table: Table, rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in rows:
        writer.writerow(["" if row[name] is None else _csv_cell(row[name]) for name in table.columns])
    return out.getvalue()


def _csv_cell(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _quoted(text: str) -> str:
    """Text inside a single-quoted shell word."""
    return text.replace("'", "'\\''")
