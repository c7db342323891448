"""`/docs`: the Swagger UI page, served from package data."""

from __future__ import annotations

import json

from scorers.churn_table import churn

from gateway import Settings
from gateway.server.docs import STATIC_DIR, SWAGGER_UI_VERSION


async def test_docs_page_lists_every_scorer_default_first(serve):
    client = await serve(other=churn, default=churn)
    response = await client.get("/docs")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = await response.text()
    assert "/docs/static/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    urls = json.loads(page.split("const urls = ", 1)[1].split(";\n", 1)[0])
    assert urls == [
        {"url": "/scorers/default/swagger.json?version=3", "name": "default"},
        {"url": "/scorers/other/swagger.json?version=3", "name": "other"},
    ]
    assert 'id="gateway-key"' not in page  # no keys configured: no key field
    assert (await client.get("/")).status == 200 and await (await client.get("/")).text() == "Healthy"


async def test_static_files_are_served_offline_with_their_license(serve):
    client = await serve(churn)
    bundle = await client.get("/docs/static/swagger-ui-bundle.js")
    assert bundle.status == 200 and len(await bundle.read()) > 1_000_000
    css = await client.get("/docs/static/swagger-ui.css")
    assert css.status == 200
    assert (STATIC_DIR / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert SWAGGER_UI_VERSION.count(".") == 2


async def test_with_keys_the_page_opens_and_asks_for_the_key_while_documents_stay_protected(serve):
    client = await serve(churn, settings=Settings(api_keys=("k",)))
    page = await client.get("/docs")
    assert page.status == 200
    assert 'id="gateway-key"' in await page.text()
    assert (await client.get("/docs/static/swagger-ui.css")).status == 200
    assert (await client.get("/scorers/default/swagger.json?version=3")).status == 401
    document = await client.get("/scorers/default/swagger.json?version=3", headers={"Authorization": "Bearer k"})
    assert (await document.json())["components"]["securitySchemes"]["Bearer"]["name"] == "Authorization"


async def test_docs_under_a_path_prefix(serve):
    client = await serve(churn, settings=Settings(path_prefix="ml"))
    page = await (await client.get("/ml/docs")).text()
    assert "/ml/docs/static/swagger-ui-bundle.js" in page and "/ml/scorers/default/swagger.json" in page
    assert (await client.get("/ml/docs/static/swagger-ui.css")).status == 200


async def test_docs_under_a_path_prefix_with_keys_open_and_load_their_static_files(serve):
    """With SERVICE_PATH_PREFIX and API keys, the page and its static files are open under the prefix
    too (they once answered 401, so Swagger UI never loaded); the documents and scoring stay protected."""
    client = await serve(churn, settings=Settings(path_prefix="/ml/", api_keys=("k",)))
    page = await client.get("/ml/docs")
    assert page.status == 200
    text = await page.text()
    for link in ("/ml/docs/static/swagger-ui.css", "/ml/docs/static/swagger-ui-bundle.js", "/ml/docs/static/swagger-ui-standalone-preset.js"):
        assert link in text
        assert (await client.get(link)).status == 200, link
    for probe in ("/ml/", "/ml/healthz", "/ml/readyz", "/docs", "/healthz"):
        assert (await client.get(probe)).status == 200, probe
    for protected in ("/ml/scorers/default/swagger.json?version=3", "/ml/metrics", "/ml/docsx", "/ml/docs/staticx"):
        assert (await client.get(protected)).status == 401, protected
    assert (await client.post("/ml/score", json={"Inputs": {"data": []}})).status == 401


async def test_each_scorer_has_its_columns_function_and_worked_calls(serve):
    client = await serve(other=churn, default=churn, settings=Settings(path_prefix="ml"))
    page = await (await client.get("/ml/docs")).text()
    panels = page.split('<details class="gateway-scorer"')[1:]
    assert [p.split('data-scorer="', 1)[1].split('"', 1)[0] for p in panels] == ["default", "other"]
    first, second = panels
    assert " open>" in first.split("\n", 1)[0] and " open>" not in second.split("\n", 1)[0]
    assert "<summary>default · POST /ml/score</summary>" in first and "POST /ml/score/other" in second
    rows = [row.split("<td>")[1:] for row in first.split("</th></tr>", 1)[1].split("</table>", 1)[0].split("<tr>")[1:]]
    declared = churn.__gateway_contract__.params["Inputs"].members["data"].columns  # type: ignore[attr-defined]
    assert [r[1].split("<")[0] for r in rows] == list(declared)
    assert [r[3].split("<")[0] for r in rows] == ["yes" if c.nullable else "no" for c in declared.values()]
    assert 'data-src="/ml/powerquery/default.pq"' in first and 'data-src="/ml/powerquery/other.pq"' in second
    for client_name in ("curl", "python", "mlflow", "csv"):
        assert f'id="gateway-call-default-{client_name}"' in first
    assert "{{BASE_URL}}/score&#x27;" in first and "{{BASE_URL}}/invocations" in first
    assert "{{BASE_URL}}/score/other/invocations" in second
    assert "const PREFIX = \"/ml\";" in page


def test_the_python_call_is_python():
    from gateway.documents.worked_calls import BASE_URL, worked_calls
    from gateway.scoring.scorer import Scorer

    scorer = Scorer.from_function("default", churn)
    [python] = [c for c in worked_calls(scorer, "/score", api_key=True) if c.client == "Python"]
    namespace: dict = {}
    source = python.text.replace("import requests", "").split("answer =", 1)[0]
    exec(source, namespace)  # the body is a Python literal (True, None), not JSON text
    assert namespace["body"] == scorer.contract.envelope().example()
    assert f'requests.post("{BASE_URL}/score", json=body, headers={{"Authorization": "Bearer " + key}}' in python.text
