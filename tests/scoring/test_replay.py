"""Comparing a replayed answer with the recorded one (README 'Testing a new model on recorded traffic')."""

from __future__ import annotations

import json

import pytest

from gateway.scoring.replay import Difference, compare, judge, percentile, read_capture


def test_records_are_compared_per_row_and_field():
    old = {"Results": [{"age": 30, "score": 1.0}, {"age": 70, "score": 2.0}]}
    new = {"Results": [{"age": 30, "score": 1.0}, {"age": 70, "score": 3.0}]}
    assert compare(old, new) == [Difference("Results[1].score", 2.0, 3.0)]


def test_numbers_within_the_tolerances_are_the_same():
    assert compare([1.0, 100.0], [1.05, 100.5], atol=0.1, rtol=0.0) == [Difference("[1]", 100.0, 100.5)]
    assert compare([1.0, 100.0], [1.05, 100.5], atol=0.1, rtol=0.01) == []
    assert compare(1, 1.0) == [] and compare(True, 1) == [Difference("$", True, 1)]


def test_shapes_and_keys():
    assert compare({"a": 1}, {"b": 1}) == [Difference("a", 1, "<absent>"), Difference("b", "<absent>", 1)]
    assert compare([1, 2], [1]) == [Difference("$", "2 items", "1 items")]
    assert compare("x", None) == [Difference("$", "x", None)]


@pytest.mark.parametrize(
    ("old", "new", "verdict"),
    [(200, 200, "same"), (200, 500, "newly failing"), (400, 200, "newly passing"), (400, 400, "same"), (200, 201, "changed")],
)
def test_verdicts(tmp_path, old, new, verdict):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"kind": "score", "request_id": "r", "route": "/score", "status": old,
                                "request": {"json": {}}, "response": {"json": {"Results": 1}}, "duration_ms": 2}) + "\n")
    [recorded] = read_capture(path)
    assert judge(recorded, new, {"Results": 1}, 1.0, rtol=0, atol=0).verdict == verdict


def test_a_line_that_is_not_a_record_is_named(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"kind": "score"}\n')
    with pytest.raises(ValueError, match=r"c.jsonl:1 is not a capture record"):
        list(read_capture(path))


def test_percentiles():
    assert percentile([], 0.5) is None
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0 and percentile(list(map(float, range(1, 101))), 0.99) == 99.0
