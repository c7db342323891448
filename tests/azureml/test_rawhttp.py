"""`@rawhttp` scripts with AMLRequest/AMLResponse, imported from the azureml module names (README 'Moving from Azure ML')."""

from __future__ import annotations

import io
import json
import textwrap

import aiohttp
import pytest

from gateway import Scorer, Settings
from gateway.azureml import AMLRequest, AMLResponse, rawhttp
from gateway.errors import StartupError
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

SCRIPT = '''
from {request_module} import AMLRequest, rawhttp
from {response_module} import AMLResponse


def init():
    pass


@rawhttp
def run(request):
    if request.method == "OPTIONS":
        response = AMLResponse("", 200)
        response.headers["Access-Control-Allow-Origin"] = "http://www.example.com"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        return response
    files = {{name: [f.filename, f.content_type, len(f.read())] for name, f in request.files.items()}}
    return {{
        "type": type(request).__name__,
        "method": request.method,
        "path": request.path,
        "full_path": request.full_path,
        "args": request.args.to_dict(flat=False),
        "content_type": request.content_type,
        "content_length": request.content_length,
        "data": request.get_data(as_text=True) if not request.files else None,
        "json": request.json,
        "form": request.form.to_dict(),
        "files": files,
        "custom": request.headers.get("x-custom"),
    }}
'''


@pytest.fixture(params=["azureml.contrib.services", "azureml_inference_server_http.api"])
def script(request, tmp_path):
    base = request.param
    path = tmp_path / "score.py"
    path.write_text(
        textwrap.dedent(SCRIPT.format(request_module=f"{base}.aml_request", response_module=f"{base}.aml_response"))
    )
    return path


@pytest.fixture
async def client(serve, script):
    return await serve(load_scorer(ScorerTarget("default", str(script))))


async def test_post_json_reaches_run_as_the_whole_request(client):
    response = await client.post("/score?x=1&x=2", data=b'{"a": 1}', headers={"Content-Type": "application/json", "X-Custom": "c"})
    assert response.status == 200
    body = await response.json()
    assert body["type"] == "AMLRequest"
    assert body["method"] == "POST" and body["path"] == "/score" and body["full_path"] == "/score?x=1&x=2"
    assert body["args"] == {"x": ["1", "2"]}
    assert body["content_type"] == "application/json" and body["content_length"] == 8
    assert body["data"] == '{"a": 1}' and body["json"] == {"a": 1}
    assert body["custom"] == "c"


async def test_any_content_type_and_get(client):
    text = await (await client.post("/score", data=b"hello", headers={"Content-Type": "text/plain"})).json()
    assert text["data"] == "hello" and text["json"] is None
    got = await (await client.get("/score?q=1")).json()
    assert got["method"] == "GET" and got["args"] == {"q": ["1"]} and got["data"] == ""


async def test_multipart_form_and_files(client):
    form = aiohttp.FormData()
    form.add_field("note", "hello")
    form.add_field("image", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, filename="pic.png", content_type="image/png")
    body = await (await client.post("/score", data=form)).json()
    assert body["form"] == {"note": "hello"}
    assert body["files"] == {"image": ["pic.png", "image/png", 8 + 256 * 40]}


async def test_urlencoded_form(client):
    body = await (await client.post("/score", data={"a": "1", "b": "two"})).json()
    assert body["form"] == {"a": "1", "b": "two"}


async def test_options_reaches_a_rawhttp_script_that_sets_cors_headers(client):
    response = await client.options("/score", headers={"Origin": "http://www.example.com"})
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://www.example.com"


def test_rawhttp_cannot_also_declare_a_contract():
    from gateway import Json, contract

    @rawhttp
    @contract(Inputs=Json())
    def run(Inputs):
        return Inputs

    with pytest.raises(StartupError, match="both @rawhttp and declare a contract"):
        Scorer.from_function("x", run)


# --- AMLResponse --------------------------------------------------------------------------------


def respond_with(response):
    def run(raw):
        return response

    return run


@pytest.mark.parametrize(
    "response, status, content_type, body",
    [
        (AMLResponse({"hello": "world"}, 201, {"X-Custom": "a, b"}, json_str=True), 201, "application/json", b'{"hello": "world"}'),
        (AMLResponse("plain text body", 202, {"Content-Type": "text/plain"}), 202, "text/plain", b"plain text body"),
        (AMLResponse(b"\x89PNG\r\n", 200, {"Content-Type": "image/png"}), 200, "image/png", b"\x89PNG\r\n"),
        (AMLResponse("bad request", 500), 500, "text/html; charset=utf-8", b"bad request"),
        (AMLResponse(None, 204), 204, "application/json", b""),
    ],
)
async def test_aml_response_is_sent_as_is(serve, response, status, content_type, body):
    client = await serve(respond_with(response))
    answer = await client.post("/score", data=b"{}")
    assert answer.status == status
    assert answer.headers["Content-Type"] == content_type
    assert await answer.read() == body
    assert answer.headers["x-ms-run-function-failed"] == str(status >= 500)
    assert float(answer.headers["x-ms-run-fn-exec-ms"]) >= 0


async def test_header_values_with_commas_are_kept_whole(serve):
    client = await serve(respond_with(AMLResponse("x", 200, {"X-Custom": "a, b"})))
    answer = await client.post("/score", data=b"{}")
    assert answer.headers.getall("X-Custom") == ["a, b"]


def test_aml_request_helpers():
    request = AMLRequest("POST", "/score", "a=1&a=2&b=", {"Content-Type": "application/json"}, b"[1]", host="h:1")
    assert request.url == "http://h:1/score?a=1&a=2&b="
    assert request.args["a"] == "1" and request.args.getlist("a") == ["1", "2"] and request.args.get("b") == ""
    assert request.args.get("a", type=int) == 1 and request.args.get("zz", 5) == 5
    assert request.get_json() == [1] and request.get_data() == b"[1]"
    with pytest.raises(ValueError):
        AMLRequest("POST", "/", "", {"Content-Type": "text/plain"}, b"[1]").get_json()
    assert AMLRequest("POST", "/", "", {"Content-Type": "text/plain"}, b"[1]").get_json(force=True) == [1]


def test_uploaded_file_saves_and_reads(tmp_path):
    from gateway.azureml.aml_request import FileStorage

    upload = FileStorage(b"abc", "a.txt", "file", "text/plain")
    upload.save(tmp_path / "a.txt")
    assert (tmp_path / "a.txt").read_bytes() == b"abc"
    sink = io.BytesIO()
    upload.save(sink)
    assert sink.getvalue() == b"abc"
    assert json.loads(json.dumps(upload.mimetype)) == "text/plain"


async def test_with_cors_configured_preflight_is_answered_by_the_gateway(serve, script):
    scorer = load_scorer(ScorerTarget("default", str(script)))
    client = await serve(scorer, settings=Settings(cors_origins=("https://app.example",)))
    response = await client.options(
        "/score", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"


IMAGE_SCRIPT = '''
from azureml.contrib.services.aml_request import AMLRequest, rawhttp
from azureml.contrib.services.aml_response import AMLResponse


def init():
    pass


@rawhttp
def run(request):
    body = request.get_data(False)
    if request.args.get("as") == "text":
        resp = AMLResponse("plain words", 200)
        resp.mimetype = "text/plain"
        return resp
    if request.args.get("as") == "typed":
        resp = AMLResponse(body, 201)
        resp.content_type = "application/octet-stream"
        return resp
    resp = AMLResponse(body, 200)
    resp.mimetype = "image/jpg"
    return resp
'''


async def test_mimetype_and_content_type_set_after_construction_are_sent(serve, tmp_path):
    """Azure's image examples set `resp.mimetype = "image/jpg"` after building the response; it was sent
    as text/html."""
    path = tmp_path / "score.py"
    path.write_text(IMAGE_SCRIPT)
    client = await serve(load_scorer(ScorerTarget("default", str(path))))
    image = await client.post("/score", data=b"\xff\xd8\xff\xe0 jpeg bytes", headers={"Content-Type": "image/jpeg"})
    assert image.status == 200 and image.headers["Content-Type"] == "image/jpg"
    assert await image.read() == b"\xff\xd8\xff\xe0 jpeg bytes"
    text = await client.post("/score?as=text", data=b"x")
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8" and await text.text() == "plain words"
    typed = await client.post("/score?as=typed", data=b"\x00\x01")
    assert typed.status == 201 and typed.headers["Content-Type"] == "application/octet-stream"
