"""`from azureml.ai.monitoring import Collector` without azureml-ai-monitoring: a script written like Azure's
generated MLflow score.py is served through a real server; `collect` returns a correlation context, and the
sink the gateway installs (`set_sink`) receives each collection's name and data."""

from __future__ import annotations

import logging
import sys
import textwrap
import uuid

import pandas as pd
import pytest

from gateway.azureml import collector
from gateway.azureml.collector import (
    BasicCorrelationContext,
    Collected,
    Collector,
    set_sink,
)
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

#: the shape of Azure's generated MLflow scoring script with data collection on (the model is a sum here)
MLFLOW_SCORE = '''
import json
import logging
import os

import pandas as pd
from azureml.ai.monitoring import Collector


def init():
    global model, inputs_collector, outputs_collector, inputs_outputs_collector

    inputs_collector = Collector(name='model_inputs', on_error=lambda e: logging.info("ex:{}".format(e)))
    outputs_collector = Collector(name='model_outputs', on_error=lambda e: logging.info("ex:{}".format(e)))
    inputs_outputs_collector = Collector(name='model_inputs_outputs', on_error=lambda e: logging.info("ex:{}".format(e)))

    model = lambda frame: frame.sum(axis=1)
    logging.info("Init complete")


def run(raw_data):
    json_data = json.loads(raw_data)
    input_df = pd.DataFrame(json_data['input_data']['data'], columns=json_data['input_data']['columns'])

    context = inputs_collector.collect(input_df)

    output_df = pd.DataFrame({'prediction': model(input_df)})
    outputs_collector.collect(output_df, context)

    return {
        'predictions': output_df['prediction'].tolist(),
        'correlation_id': context.id,
        'correlation_headers': context.headers,
        'context_type': type(context).__name__,
    }
'''

BODY = b'{"input_data": {"columns": ["a", "b"], "index": [0, 1], "data": [[1, 2], [3, 4]]}}'


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "score.py"
    path.write_text(textwrap.dedent(MLFLOW_SCORE))
    return path


@pytest.fixture
def sink():
    """A recording sink, installed for the test and removed after it."""
    received: list[Collected] = []
    set_sink(received.append)
    yield received
    set_sink(None)


@pytest.fixture
async def client(serve, script):
    return await serve(load_scorer(ScorerTarget("default", str(script))))


async def test_without_a_sink_scoring_works_and_collect_returns_a_context(client):
    assert collector.get_sink() is None
    response = await client.post("/score", data=BODY, headers={"Content-Type": "application/json"})
    assert response.status == 200
    answer = await response.json()
    assert answer["predictions"] == [3, 7]
    assert answer["context_type"] == "BasicCorrelationContext"
    assert str(uuid.UUID(answer["correlation_id"])) == answer["correlation_id"]
    assert answer["correlation_headers"] == {}


async def test_a_sink_receives_each_collection_s_name_and_data(sink, client):
    response = await client.post("/score", data=BODY)
    assert response.status == 200
    answer = await response.json()
    assert [item.name for item in sink] == ["model_inputs", "model_outputs"]
    inputs, outputs = sink
    pd.testing.assert_frame_equal(inputs.data, pd.DataFrame([[1, 2], [3, 4]], columns=["a", "b"]))
    assert outputs.data["prediction"].tolist() == [3, 7]
    # the outputs were collected with the inputs' context: both carry the id run() returned
    assert inputs.context is outputs.context and inputs.context.get_id() == answer["correlation_id"]


async def test_a_failing_sink_goes_to_on_error_and_never_fails_run(client, caplog):
    def broken(item: Collected) -> None:
        raise RuntimeError(f"capture is full ({item.name})")

    set_sink(broken)
    try:
        with caplog.at_level(logging.INFO):
            response = await client.post("/score", data=BODY)
    finally:
        set_sink(None)
    assert response.status == 200 and (await response.json())["predictions"] == [3, 7]
    assert "ex:capture is full (model_inputs)" in caplog.text  # the script's own on_error logged it


def test_collect_keeps_a_given_context_and_a_default_on_error_only_logs(sink, caplog):
    given = BasicCorrelationContext(id="req-1", timestamp=5, headers={"x-request-id": "req-1"})
    assert Collector(name="model_outputs").collect({"y": 1}, given) is given
    assert sink == [Collected("model_outputs", {"y": 1}, given)]
    assert (given.get_id(), given.get_timestamp(), given.get_headers(), str(given)) == (
        "req-1", 5, {"x-request-id": "req-1"}, "req-1"
    )

    def broken(item: Collected) -> None:
        raise ValueError("nope")

    set_sink(broken)
    with caplog.at_level(logging.WARNING, logger="gateway.azureml.collector"):
        context = Collector(name="model_inputs").collect([1])
    assert context.get_id() and "data collection failed: ValueError: nope" in caplog.text

    def worse(error: Exception) -> None:
        raise RuntimeError("on_error failed too")

    assert Collector(name="x", on_error=worse).collect([1]).get_id()  # still no exception


def test_the_azure_names_import_without_the_package(monkeypatch):
    from gateway.azureml import install_aliases

    for name in ("azureml.ai", "azureml.ai.monitoring", "azureml.ai.monitoring.context"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    install_aliases()
    from azureml.ai.monitoring import Collector as Imported
    from azureml.ai.monitoring.context import BasicCorrelationContext as Context
    from azureml.ai.monitoring.context import get_context

    assert Imported is Collector and Context is BasicCorrelationContext
    assert isinstance(get_context(), BasicCorrelationContext)
