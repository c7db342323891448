"""Unit tests of README 'Declaring a contract' envelope parsing: bytes and query strings to the envelope object."""

import pytest

from gateway.core.envelope import (
    check_media_type,
    decode_text,
    is_json_media_type,
    parse_body,
    parse_query,
)
from gateway.errors import EnvelopeError, UnsupportedMediaType


@pytest.mark.parametrize(
    "media_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json"],
)
def test_json_media_types_are_accepted(media_type):
    assert is_json_media_type(media_type)
    check_media_type(media_type)


@pytest.mark.parametrize("media_type", ["text/plain", "application/xml", "application/jsonx", "text/json", ""])
def test_other_media_types_are_refused(media_type):
    assert not is_json_media_type(media_type)
    with pytest.raises(UnsupportedMediaType) as info:
        check_media_type(media_type)
    assert info.value.status == 415
    assert "application/json" in info.value.message


def test_missing_content_type_is_named_in_the_error():
    with pytest.raises(UnsupportedMediaType, match="no Content-Type header"):
        check_media_type(None)


def test_body_object_is_parsed():
    assert parse_body(b'{"Inputs": {"a": [1, 2]}, "GlobalParameters": {}}') == {
        "Inputs": {"a": [1, 2]},
        "GlobalParameters": {},
    }


@pytest.mark.parametrize(
    "body, words",
    [
        (b"", "POST body is empty"),
        (b"   \n", "POST body is empty"),
        (b'{"Inputs": ', "could not be decoded as JSON"),
        (b'{"a": NaN}', "could not be decoded as JSON"),
        (b'{"a": Infinity}', "could not be decoded as JSON"),
        (b'{"a": 1e400}', "could not be decoded as JSON"),
        (b'{"Inputs": "\xff"}', "not valid UTF-8"),
        (b"[1, 2]", "should be a JSON dictionary, got an array"),
        (b"null", "got null"),
        (b'"text"', "got str"),
    ],
)
def test_bad_bodies_are_400_with_the_reason(body, words):
    with pytest.raises(EnvelopeError) as info:
        parse_body(body)
    assert info.value.status == 400
    assert words in info.value.message
    assert info.value.problems[0].path == "$"


def test_invalid_json_reports_the_parser_position():
    with pytest.raises(EnvelopeError, match=r"line 1 column 13 \(char 12\)"):
        parse_body(b'{"Inputs": {]}')


def test_invalid_utf8_reports_the_byte_offset():
    with pytest.raises(EnvelopeError, match="at byte 12"):
        parse_body(b'{"Inputs": "\xff"}')


def test_query_values_parse_as_json_when_they_can():
    pairs = [("a", "1"), ("b", "[1,2]"), ("c", "hello"), ("d", "null"), ("e", "1"), ("e", "2"), ("e", "x"), ("F", "true")]
    assert parse_query(pairs) == {"a": 1, "b": [1, 2], "c": "hello", "d": None, "e": [1, 2, "x"], "F": True}


def test_repeated_key_holding_a_list_becomes_a_list_of_values():
    assert parse_query([("k", "[1]"), ("k", "[2]")]) == {"k": [[1], [2]]}


def test_raw_text_must_be_utf8():
    assert decode_text("é".encode()) == "é"
    with pytest.raises(EnvelopeError, match="Input cannot be decoded as UTF-8"):
        decode_text(b"\xff")
