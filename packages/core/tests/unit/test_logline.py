import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from starstats_core.logline import REDACTED, log_line, record_line, redact

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImFiIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtYW5kLW1vcmU"


def test_tokens_passwords_and_emails_are_masked():
    assert JWT not in redact(f"token refused: {JWT}")
    header = redact("Authorization: Bearer abcdefghijklmnop")
    assert header.startswith("Authorization: ")
    assert "abcdefghijklmnop" not in header
    assert redact("header bearer abcdefghijklmnop") == f"header bearer {REDACTED}"
    assert redact("password=hunter2hunter2&x=1") == f"password={REDACTED}&x=1"
    assert redact('{"secret": "s3cr3t"}') == f'{{"secret": "{REDACTED}"}}'
    assert redact("mail to pilot@example.com failed") == "mail to [email] failed"


def test_plain_lines_are_unchanged():
    line = "batch 7 trace 0af7651916cd43dd8448eb211c80319c: 500 events, 498 accepted"
    assert redact(line) == line
    assert redact("sync backing off 2.5 s: HTTP 503") == "sync backing off 2.5 s: HTTP 503"


@given(st.text())
def test_redact_never_grows_a_secret_back(text):
    out = redact(text)
    assert JWT not in redact(text + " " + JWT)
    assert redact(out) == out  # idempotent: re-logging a line changes nothing


def test_line_has_every_field_and_is_one_json_line():
    line = log_line(
        created=1_700_000_000.1234,
        level="INFO",
        logger="starstats_server.ingest",
        event="batch stored",
        trace_id="a" * 32,
        span_id="b" * 16,
        extra={"events": 3, "trace_id": "spoofed", "note": "pw password=x"},
        exception="Traceback\n  line\nValueError: token=abc",
    )
    assert "\n" not in line
    record = json.loads(line)
    assert record["timestamp"] == "2023-11-14T22:13:20.123Z"
    assert record["level"] == "info"
    assert record["logger"] == "starstats_server.ingest"
    assert record["event"] == "batch stored"
    assert record["trace_id"] == "a" * 32  # an extra cannot override a fixed field
    assert record["span_id"] == "b" * 16
    assert record["request_id"] is None
    assert record["events"] == 3
    assert record["note"] == f"pw password={REDACTED}"
    assert record["exception"].endswith(f"token={REDACTED}")


def test_record_line_reads_a_stdlib_record_and_its_extras():
    record = logging.LogRecord(
        "x.y", logging.WARNING, __file__, 1, "sent %d to %s", (3, "a@b.io"), None
    )
    record.batch_id = "b-1"
    data = json.loads(record_line(record, request_id="r1"))
    assert data["event"] == "sent 3 to [email]"
    assert data["level"] == "warning"
    assert data["logger"] == "x.y"
    assert data["batch_id"] == "b-1"
    assert data["request_id"] == "r1"
    assert "msg" not in data
    assert "args" not in data
