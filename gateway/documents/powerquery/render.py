"""The Power Query (M) function that lets Power BI call a scorer by URL.

Power BI finds Azure ML models only through Azure, so the gateway writes, per scorer, an M function
`(table as table, optional apiKey, optional <global parameter>...) as table` that an analyst pastes into
a blank query. It cuts the table into batches, POSTs each batch as the scorer's contract declares
(`{"Inputs": {"data": [rows]}, "GlobalParameters": {...}}`), reads `Results` and appends the result
column(s). What it respects, and why:

* scheduled refresh: `Web.Contents` gets a literal base URL and the path in `RelativePath`;
* POST needs Anonymous credentials, so the key travels in `Authorization: Bearer`, from a parameter;
* error bodies: `ManualStatusHandling` lists the statuses whose `{"message": ...}` the function shows.
  401/403 cannot be listed outside a custom connector, and 408/429/503/504 are left out on purpose so
  that Power Query keeps retrying them (three times, honouring `Retry-After`);
* the result columns' names and types come from the contract's `results=` where it declares them, so
  an empty table or a schema-only evaluation needs no request.

Result columns: a scalar per row is one column `Results`; a list per row (`predict_proba`) is one
column per element, `Results.1`, `Results.2`, ...; a record per row (a DataFrame) is one column per
field, `Results.<field>`. Datetime results stay ISO-8601 text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from gateway.core.dtypes import wire_dtype
from gateway.core.table import Table
from gateway.errors import UnsupportedScorer
from gateway.scoring.scorer import Scorer
from gateway.version import __version__

from .analysis import (
    arguments_of,
    body,
    example_call,
    find_table,
    name_arguments,
    outputs_of,
    parameter_doc,
    result_columns,
    signature_of,
)
from .m import comment, m_list, m_text
from .template import RESERVED, fill

__all__ = ("render_powerquery", "MANUAL_STATUSES")

#: Statuses whose body the function reads to raise the gateway's own message.
MANUAL_STATUSES = (400, 404, 405, 413, 415, 500, 502)
#: Per-request timeout written into the function (Web.Contents' default is 100 s).
TIMEOUT_MINUTES = 5
#: At most this many characters of an unreadable error body go into an error message.
MAX_ERROR_TEXT = 2000


def render_powerquery(scorer: Scorer, base_url: str, *, batch_size: int = 1000, key_header: bool = True) -> str:
    """The M function that scores a Power BI table with `scorer` served under `base_url`.

    The function calls the scorer's `route`; `batch_size` rows go in each POST; `key_header` adds the
    `apiKey` parameter sent as `Authorization: Bearer <key>`. A scorer without a contract or without a
    `Table` parameter is an UnsupportedScorer (no function can be written for it); a bad argument a ValueError.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if scorer.contract is None:
        raise UnsupportedScorer(
            f"cannot generate a Power Query function for scorer '{scorer.name}': it declares no contract "
            "(decorate run() with @contract and a Table parameter)"
        )
    base = _base_url(base_url)
    params = dict(scorer.contract.params)
    table_key, table_member, table = find_table(params)
    arguments = name_arguments(arguments_of(params, table_key, table_member), set(RESERVED))
    outputs = outputs_of(scorer.contract.results)
    query = _query_name(scorer)
    path = scorer.route.lstrip("/")
    signature, order = signature_of(arguments, key_header)
    by_name = {a.name: a for a in arguments}
    typed: list[str] = [
        "        table as (type table meta [\n"
        '            Documentation.FieldCaption = "Table to score",\n'
        f"            Documentation.FieldDescription = {m_text(_table_doc(table))}\n"
        "        ])"
    ]
    for name in order:
        if name == "apiKey":
            typed.append(
                "        optional apiKey as (type nullable text meta [\n"
                '            Documentation.FieldCaption = "API key",\n'
                '            Documentation.FieldDescription = "Sent as Authorization: Bearer <key>. Keep it in a '
                'Power Query parameter. Leave it empty when the gateway needs no key."\n'
                "        ])"
            )
        else:
            typed.append(parameter_doc(by_name[name]))
    url = f"{base}/{path}"
    headers = '[#"Content-Type" = "application/json", Accept = "application/json"]'
    if key_header:
        key = '& (if apiKey = null or apiKey = "" then [] else [Authorization = "Bearer " & apiKey])'
        headers = f"\n{' ' * 16}{headers}\n{' ' * 20}{key}"
    else:
        headers = " " + headers
    table_where = table_key if table_member is None else f"{table_key}.{table_member}"
    long_description = (
        f"Sends the table's columns {', '.join(table.columns)} to {url}, {batch_size} rows per request "
        f"(as {table_where}), and adds {outputs.describe()}. Give {base} Anonymous credentials and the same "
        "privacy level as the rows' source, and call this function in the query that reads the rows."
    )
    call = example_call(query, arguments, key_header)
    replacements = {
        "__QUERY__": query,
        "__NAME__": comment(scorer.name),
        "__URL__": comment(url),
        "__BASE__": comment(base),
        "__VERSION__": __version__,
        "__EXAMPLE_CALL__": comment(call),
        "__OUTPUTS__": comment(outputs.describe()),
        "__BATCH__": str(batch_size),
        "__INPUTS__": m_list(m_text(name) for name in table.columns),
        "__SHAPE__": outputs.shape,
        "__COLUMNS__": result_columns(outputs),
        "__ELEMENT_TYPE__": outputs.element_type,
        "__KEY_PARAM__": ", apiKey as nullable text" if key_header else "",
        "__KEY_ARG__": ", apiKey" if key_header else "",
        "__HEADERS__": headers,
        "__BASE_LITERAL__": m_text(base),
        "__PATH_LITERAL__": m_text(path),
        "__STATUSES__": m_list(str(s) for s in MANUAL_STATUSES),
        "__TIMEOUT__": str(TIMEOUT_MINUTES),
        "__MAX_TEXT__": str(MAX_ERROR_TEXT),
        "__PARAMS__": signature,
        "__BODY__": body(params, table_key, table_member, arguments),
        "__TYPED_PARAMS__": ",\n".join(typed),
        "__DOC_NAME__": m_text(f"Score with {scorer.name} (gateway)"),
        "__DOC_LONG__": m_text(long_description),
        "__DOC_EXAMPLE__": m_text(
            "Score the Customers table" + (", with the key in the text parameter ScoringKey" if key_header else "")
        ),
        "__DOC_CODE__": m_text(call),
        "__DOC_RESULT__": m_text(f"Customers with {outputs.describe()} added"),
    }
    return fill(replacements)


def _base_url(base_url: str) -> str:
    """The static base URL: http(s), with a host, without query or fragment, no trailing slash."""
    url = base_url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base URL must be an absolute http:// or https:// URL, got {base_url!r}")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError(f"base URL must not carry a query or fragment, got {base_url!r}")
    if any(c.isspace() or c == '"' for c in url):
        raise ValueError(f"base URL must not contain spaces or quotes, got {base_url!r}")
    return url.rstrip("/")


def _query_name(scorer: Scorer) -> str:
    """The query name suggested to the analyst: an M identifier made from the scorer's name."""
    return "Score" if scorer.name == "default" else "Score_" + re.sub(r"\W", "_", scorer.name, flags=re.ASCII)


def _table_doc(table: Table) -> str:
    """What the table argument needs, in Power Query's words for the column types."""
    columns = ", ".join(
        f"{name} ({wire_dtype(c.dtype).m_words}{', may be empty' if c.nullable else ''})"
        for name, c in table.columns.items()
    )
    return f"Needs the columns {columns}. Its other columns are kept and not sent."
