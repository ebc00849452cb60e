"""The hash chain's pure parts: the canonical form is the documented `json.dumps`, hashes link
rows, and a check names the first row that breaks the chain and why."""

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starstats_server.audit.chain import (
    GENESIS_HASH,
    AuditRow,
    Break,
    BreakReason,
    ChainCheck,
    canonical_json,
    canonical_record,
    mirror_body,
    mirror_key,
    new_row,
    occurred_at_text,
)

T0 = datetime(2026, 5, 4, 10, 0, 0, tzinfo=UTC)

texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


def _documented(record: dict[str, Any]) -> bytes:
    """docs/audit.md's definition, word for word."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


records = st.fixed_dictionaries(
    {
        "seq": st.integers(min_value=1, max_value=2**63 - 1),
        "occurred_at": st.integers(min_value=0, max_value=10**15).map(
            lambda micros: occurred_at_text(
                datetime(2000, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
            )
        ),
        "actor_sub": st.none() | texts,
        "actor_handle": st.none() | texts,
        "action": texts,
        "payload": st.dictionaries(texts, json_values, max_size=5),
    }
)


@given(records)
def test_the_fast_canonical_form_equals_the_documented_json_dumps(record: dict[str, Any]) -> None:
    payload = record["payload"]
    fast = canonical_record(
        record["seq"],
        record["occurred_at"],
        record["actor_sub"],
        record["actor_handle"],
        record["action"],
        canonical_json(payload),
    )
    assert fast == _documented(record)
    # Parsing the canonical payload text and writing it again gives the same bytes.
    assert canonical_json(json.loads(canonical_json(payload))) == canonical_json(payload)


def test_occurred_at_is_utc_with_six_fraction_digits_and_z() -> None:
    assert occurred_at_text(T0) == "2026-05-04T10:00:00.000000Z"
    plus_two = timezone(timedelta(hours=2))
    assert (
        occurred_at_text(datetime(2026, 5, 4, 12, 0, 0, 7, tzinfo=plus_two))
        == "2026-05-04T10:00:00.000007Z"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        occurred_at_text(datetime(2026, 5, 4))


@pytest.mark.parametrize("payload", [{"x": 1.5}, {"x": [float("nan")]}, {"x": {1: "a"}}])
def test_payloads_without_a_stable_json_form_are_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="audit payload"):
        canonical_json(payload)


def test_the_first_row_links_to_32_zero_bytes_and_hashes_its_canonical_record() -> None:
    row = new_row(
        0,
        GENESIS_HASH,
        occurred_at=T0,
        actor_sub="u-1",
        actor_handle="Pilot",
        action="user.logged_in",
        payload={"method": "password"},
    )
    canonical = (
        b'{"action":"user.logged_in","actor_handle":"Pilot","actor_sub":"u-1",'
        b'"occurred_at":"2026-05-04T10:00:00.000000Z","payload":{"method":"password"},"seq":1}'
    )
    assert row.seq == 1
    assert row.prev_hash == bytes(32)
    assert row.canonical() == canonical
    assert row.row_hash == hashlib.sha256(bytes(32) + canonical).digest()


def _chain(length: int) -> list[AuditRow]:
    rows: list[AuditRow] = []
    for number in range(length):
        prev_seq, prev_hash = (rows[-1].seq, rows[-1].row_hash) if rows else (0, GENESIS_HASH)
        rows.append(
            new_row(
                prev_seq,
                prev_hash,
                occurred_at=T0 + timedelta(seconds=number),
                actor_sub=None,
                actor_handle=None,
                action="test.action",
                payload={"n": number, "text": "héllo ☄"},
            )
        )
    return rows


def test_an_intact_chain_checks_out_and_the_check_ends_at_its_tail() -> None:
    rows = _chain(5)
    check = ChainCheck()
    assert check.check_rows(rows) is None
    assert (check.last_seq, check.last_hash) == (5, rows[-1].row_hash)


def test_each_kind_of_damage_is_named_at_the_first_seq_it_breaks() -> None:
    rows = _chain(6)
    changed = [*rows[:2], rows[2]._replace(actor_handle="Mallory"), *rows[3:]]
    relinked = [*rows[:3], rows[3]._replace(prev_hash=bytes(32)), *rows[4:]]
    deleted = [*rows[:3], *rows[4:]]
    swapped = [*rows[:2], rows[3]._replace(seq=3), rows[2]._replace(seq=4), *rows[4:]]
    repeated = [*rows[:3], rows[2], *rows[3:]]
    assert ChainCheck().check_rows(changed) == Break(3, BreakReason.CHANGED)
    assert ChainCheck().check_rows(relinked) == Break(4, BreakReason.LINK)
    assert ChainCheck().check_rows(deleted) == Break(4, BreakReason.MISSING)
    assert ChainCheck().check_rows(swapped) == Break(3, BreakReason.LINK)
    assert ChainCheck().check_rows(repeated) == Break(3, BreakReason.OUT_OF_ORDER)


def test_a_check_can_start_in_the_middle_from_the_previous_rows_hash() -> None:
    rows = _chain(6)
    assert ChainCheck(3, rows[2].row_hash).check_rows(rows[3:]) is None
    assert ChainCheck(3, GENESIS_HASH).check_rows(rows[3:]) == Break(4, BreakReason.LINK)


def test_the_mirror_object_is_the_row_as_one_ndjson_line_under_its_day() -> None:
    row = _chain(1)[0]
    assert mirror_key(42, datetime(2026, 5, 4, 23, 59, tzinfo=UTC)) == "audit/2026/05/04/42.json"
    body = mirror_body(row)
    assert body.endswith(b"\n")
    assert body.count(b"\n") == 1
    parsed = json.loads(body)
    assert list(parsed) == [
        "seq",
        "occurred_at",
        "actor_sub",
        "actor_handle",
        "action",
        "payload",
        "prev_hash_hex",
        "row_hash_hex",
    ]
    assert parsed["payload"] == {"n": 0, "text": "héllo ☄"}
    assert parsed["prev_hash_hex"] == "00" * 32
    assert bytes.fromhex(parsed["row_hash_hex"]) == row.row_hash
