"""The Notion client's pure helpers: query windows and 429 reasons, without HTTP."""

from __future__ import annotations

import json

import pytest
import requests

from pipelines.sources.notion.client import _and, rate_limit_reason

pytestmark = pytest.mark.unit

WINDOW = {"timestamp": "created_time", "created_time": {"on_or_after": "2026-01-01T00:00:00.000Z"}}


def test_a_window_joins_a_filter_without_nesting_deeper_than_notion_allows():
    edited = {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": "x"}}
    assert _and(None, WINDOW) == WINDOW
    assert _and(edited, WINDOW) == {"and": [edited, WINDOW]}
    assert _and({"and": [edited, edited]}, WINDOW) == {"and": [edited, edited, WINDOW]}
    either = {"or": [edited, edited]}
    assert _and(either, WINDOW) == {"and": [either, WINDOW]}


def response(body, status=429):
    answer = requests.Response()
    answer.status_code = status
    answer._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return answer


def test_the_rate_limit_reason_is_read_from_the_429_body():
    body = {"object": "error", "status": 429, "code": "rate_limited",
            "additional_data": {"rate_limit_reason": "public_api_space_request_rate_limit"}}
    assert rate_limit_reason(response(body)) == "public_api_space_request_rate_limit"
    assert rate_limit_reason(response({"object": "error"})) is None
    assert rate_limit_reason(response(b"<html>busy</html>")) is None
