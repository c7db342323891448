"""OpenTelemetry tracing: an OTLP/HTTP receiver on loopback gets the spans of a `python -m gateway`, in the
incoming trace, with the scorer's own span nested under run(); log lines carry the ids; with tracing off
nothing of OpenTelemetry is imported (README 'Tracing')."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from conftest import ROOT
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
)

from gateway.server.tracing import exporter_kind

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"

SCRIPT = '''
import logging

from opentelemetry import trace

from gateway import Batching, Table, contract

log = logging.getLogger("model")


@contract(Inputs={"data": Table({"x": "float64"})}BATCHING)
def run(Inputs):
    with trace.get_tracer("model").start_as_current_span("model.predict"):
        log.warning("predicting %d rows", len(Inputs["data"]))
        return {"Results": (Inputs["data"]["x"] * 2).tolist()}
'''


class Receiver(ThreadingHTTPServer):
    """An OTLP/HTTP trace endpoint: keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list = []
        self.resources: list = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                message = ExportTraceServiceRequest.FromString(body)
                for resource_spans in message.resource_spans:
                    outer.resources.append(resource_spans.resource)
                    for scope in resource_spans.scope_spans:
                        outer.spans.extend(scope.spans)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/traces"

    def wait_for(self, names: set[str], timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = {span.name for span in self.spans}
            if names <= found:
                return {span.name: span for span in self.spans}
            time.sleep(0.1)
        raise AssertionError(f"spans received: {sorted({s.name for s in self.spans})}")


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.shutdown()


def attributes(span) -> dict:
    return {a.key: _value(a.value) for a in span.attributes}


def _value(value):
    kind = value.WhichOneof("value")
    return getattr(value, kind)


def start(gateway_process, tmp_path, receiver, batching: str = ""):
    script = tmp_path / "score.py"
    script.write_text(textwrap.dedent(SCRIPT.replace("BATCHING", batching)))
    env = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": receiver.endpoint, "OTEL_SERVICE_NAME": "churn-gateway",
           "OTEL_BSP_SCHEDULE_DELAY": "100"}
    return gateway_process("--scorer", str(script), "--log-level", "INFO", env=env)


def test_a_request_is_a_span_of_the_incoming_trace_with_its_steps_and_the_scorers_own(gateway_process, tmp_path, receiver):
    process = start(gateway_process, tmp_path, receiver)
    answer = requests.post(process.base + "/score", json={"Inputs": {"data": [{"x": 1.5}]}},
                           headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01", "x-request-id": "traced-1"}, timeout=10)
    assert answer.json() == {"Results": [3.0]}
    assert answer.headers["traceparent"].split("-")[1] == TRACE_ID  # the answer says which trace it is in
    spans = receiver.wait_for({"POST /score", "gateway.parse_and_convert", "gateway.run", "gateway.serialize", "model.predict"})
    server = spans["POST /score"]
    assert server.trace_id.hex() == TRACE_ID and server.parent_span_id.hex() == PARENT_ID
    assert answer.headers["traceparent"].split("-")[2] == server.span_id.hex()
    assert {
        "http.request.method": "POST", "http.route": "/score", "http.response.status_code": 200,
        "gateway.scorer": "default", "gateway.rows": 1, "gateway.request_id": "traced-1",
    }.items() <= attributes(server).items()
    for step in ("gateway.parse_and_convert", "gateway.run", "gateway.serialize"):
        assert spans[step].trace_id.hex() == TRACE_ID and spans[step].parent_span_id == server.span_id, step
    assert spans["model.predict"].parent_span_id == spans["gateway.run"].span_id  # the scorer's span nests
    assert {a.key: _value(a.value) for a in receiver.resources[0].attributes}["service.name"] == "churn-gateway"
    bad = requests.post(process.base + "/score", json={"Inputs": {"data": [{"x": "a"}]}}, timeout=10)
    assert bad.status_code == 400
    receiver.wait_for({"POST /score"})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(attributes(s).get("error.type") for s in receiver.spans):
        time.sleep(0.1)
    assert [attributes(s)["error.type"] for s in receiver.spans if attributes(s).get("error.type")] == ["ContractError"]
    _, err = process.stop()
    [line] = [line for line in err.splitlines() if "predicting 1 rows" in line]
    assert f"id=traced-1 trace_id={TRACE_ID} span_id={spans['model.predict'].span_id.hex()}" in line


def test_a_merged_call_is_linked_to_each_request(gateway_process, tmp_path, receiver):
    process = start(gateway_process, tmp_path, receiver, batching=", batching=Batching(max_rows=64, max_wait_ms=200)")
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda x: requests.post(process.base + "/score", json={"Inputs": {"data": [{"x": x}]}},
                                                        timeout=10).json(), [1.0, 2.0, 3.0, 4.0]))
    assert answers == [{"Results": [2.0]}, {"Results": [4.0]}, {"Results": [6.0]}, {"Results": [8.0]}]
    receiver.wait_for({"gateway.run (merged)"})
    time.sleep(0.5)
    merged = [s for s in receiver.spans if s.name == "gateway.run (merged)"]
    requests_spans = {s.span_id for s in receiver.spans if s.name == "POST /score"}
    linked = {link.span_id for span in merged for link in span.links}
    assert linked == requests_spans and len(requests_spans) == 4
    assert sum(attributes(s)["gateway.requests"] for s in merged) == 4


def test_tracing_is_on_only_when_the_environment_says_so():
    assert exporter_kind({}) is None
    assert exporter_kind({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}) == "otlp"
    assert exporter_kind({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}) is None
    assert exporter_kind({"OTEL_TRACES_EXPORTER": "console"}) == "console"
    assert exporter_kind({"AML_APP_INSIGHTS_ENABLED": "true"}) is None  # no key: nowhere to send
    assert exporter_kind({"AML_APP_INSIGHTS_ENABLED": "true", "APPLICATIONINSIGHTS_CONNECTION_STRING": "x"}) == "azure"
    assert exporter_kind({"AML_APP_INSIGHTS_ENABLED": "false", "AML_APP_INSIGHTS_KEY": "k"}) is None


def test_with_tracing_off_opentelemetry_is_never_imported():
    code = textwrap.dedent("""
        import asyncio, sys
        from aiohttp.test_utils import TestClient, TestServer
        from gateway import Scorer, Settings, create_app
        def run(raw):
            return raw
        async def main():
            async with TestClient(TestServer(create_app(Settings(), [Scorer.from_function("default", run)]))) as c:
                assert (await c.post("/score", data=b"x")).status == 200
        asyncio.run(main())
        print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
    """)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("OTEL_", "AML_APP_INSIGHTS"))}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_azmlinfsrvs_instrumentation_key_flag_asks_for_application_insights(tmp_path):
    from gateway.server.tracing import tracing_environ

    assert exporter_kind(tracing_environ("0000-key", {})) == "azure"
    assert tracing_environ(None, {"A": "1"}) == {"A": "1"}
    script = tmp_path / "score.py"
    script.write_text("def run(raw):\n    return raw\n")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("OTEL_", "AML_APP_INSIGHTS"))}
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "--scorer", str(script), "--appinsights_instrumentation_key", "0000-key",
         "--port", "5999"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )
    assert result.returncode == 1  # Azure Monitor's exporter is the optional extra, not installed here
    assert "AML_APP_INSIGHTS_ENABLED needs Azure Monitor's exporter: pip install 'gateway[azure-monitor]'" in result.stderr
