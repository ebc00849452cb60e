"""The permission matrix: the same relationships and questions put to SpiceDB (over gRPC, the
real engine behind `scripts/spicedb_dev.py`) and to the in-memory twin, which must give the
same, expected answers. Then random write/delete sequences applied to both, compared answer
by answer, so the twin cannot drift from the schema unnoticed.

Adding a case is one line in MATRIX (an existing setup) or one entry in SETUPS.
"""

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from starstats_server.authz.memory import MemoryAuthorizer
from starstats_server.authz.port import (
    Authorizer,
    InvalidRelationship,
    ObjectRef,
    ObjectType,
    Permission,
    Relation,
    Relationship,
    RelationshipFilter,
    anonymous,
    anyone,
    organization,
    stats_record,
    user,
)
from starstats_server.authz.spicedb import SpiceDbAuthorizer

T = TypeVar("T")


def _ref(text: str) -> ObjectRef:
    type_, _, id_ = text.partition(":")
    return ObjectRef(ObjectType(type_), id_)


def rel(text: str) -> Relationship:
    """`stats_record:alice#owner@user:alice`."""
    resource, _, rest = text.partition("#")
    relation, _, subject = rest.partition("@")
    return Relationship(_ref(resource), Relation(relation), _ref(subject))


@dataclass(frozen=True)
class Question:
    resource: ObjectRef
    permission: Permission
    subject: ObjectRef

    def __str__(self) -> str:
        return f"{self.resource}#{self.permission}@{self.subject}"


def ask(text: str) -> Question:
    """`stats_record:alice#view@user:bob`."""
    resource, _, rest = text.partition("#")
    permission, _, subject = rest.partition("@")
    return Question(_ref(resource), Permission(permission), _ref(subject))


# -- Setups: what is written before the questions ---------------------------------------------
@dataclass(frozen=True)
class Touch:
    tuples: tuple[str, ...]


@dataclass(frozen=True)
class Delete:
    tuples: tuple[str, ...]


@dataclass(frozen=True)
class DeleteMatching:
    filters: tuple[RelationshipFilter, ...]


Step = Touch | Delete | DeleteMatching

# alice and bob own their records; acme has an owner, an admin and a member; max is a member
# of another organisation.
WORLD = Touch(
    (
        "stats_record:alice#owner@user:alice",
        "stats_record:bob#owner@user:bob",
        "organization:acme#owner@user:olive",
        "organization:acme#admin@user:adam",
        "organization:acme#member@user:mia",
        "organization:other#owner@user:oscar",
        "organization:other#member@user:max",
    )
)
SHARE_BOB = "stats_record:alice#share_with_user@user:bob"
SHARE_ACME = "stats_record:alice#share_with_org@organization:acme"
PUBLIC = "stats_record:alice#public_view@user:*"

SETUPS: dict[str, tuple[Step, ...]] = {
    "private": (WORLD,),
    "shared_with_user": (WORLD, Touch((SHARE_BOB,))),
    "shared_with_org": (WORLD, Touch((SHARE_ACME,))),
    "public": (WORLD, Touch((PUBLIC,))),
    "share_revoked": (WORLD, Touch((SHARE_BOB, SHARE_ACME, PUBLIC)), Delete((SHARE_BOB,))),
    "org_share_revoked": (WORLD, Touch((SHARE_BOB, SHARE_ACME)), Delete((SHARE_ACME,))),
    "made_private_again": (WORLD, Touch((PUBLIC,)), Delete((PUBLIC,))),
    "member_removed": (
        WORLD,
        Touch((SHARE_ACME,)),
        Delete(("organization:acme#member@user:mia",)),
    ),
    "account_deleted": (
        WORLD,
        Touch(
            (
                SHARE_BOB,
                SHARE_ACME,
                PUBLIC,
                "stats_record:bob#share_with_user@user:alice",
                "organization:acme#member@user:alice",
                "organization:other#admin@user:alice",
            )
        ),
        # What deleting the account `alice` removes: her record's tuples, and her as a
        # subject anywhere.
        DeleteMatching(
            (
                RelationshipFilter(ObjectType.STATS_RECORD, resource_id="alice"),
                RelationshipFilter(ObjectType.STATS_RECORD, subject=user("alice")),
                RelationshipFilter(ObjectType.ORGANIZATION, subject=user("alice")),
            )
        ),
    ),
}

# (setup, question, expected answer)
MATRIX: list[tuple[str, str, bool]] = [
    # the owner, and nobody else, on a private record
    ("private", "stats_record:alice#view@user:alice", True),
    ("private", "stats_record:alice#edit@user:alice", True),
    ("private", "stats_record:alice#view@user:bob", False),
    ("private", "stats_record:alice#edit@user:bob", False),
    ("private", "stats_record:alice#view@user:carol", False),
    ("private", "stats_record:alice#view@user:=anonymous", False),
    ("private", "stats_record:alice#view@user:mia", False),
    ("private", "stats_record:alice#view@user:olive", False),
    ("private", "stats_record:alice#view@organization:acme", False),
    ("private", "stats_record:bob#view@user:alice", False),
    # a direct share: view, never edit
    ("shared_with_user", "stats_record:alice#view@user:bob", True),
    ("shared_with_user", "stats_record:alice#edit@user:bob", False),
    ("shared_with_user", "stats_record:alice#view@user:carol", False),
    ("shared_with_user", "stats_record:alice#view@user:=anonymous", False),
    ("shared_with_user", "stats_record:bob#view@user:alice", False),
    # shared with an organisation: each role views, none edits; other orgs do not
    ("shared_with_org", "stats_record:alice#view@user:mia", True),
    ("shared_with_org", "stats_record:alice#view@user:adam", True),
    ("shared_with_org", "stats_record:alice#view@user:olive", True),
    ("shared_with_org", "stats_record:alice#edit@user:mia", False),
    ("shared_with_org", "stats_record:alice#edit@user:adam", False),
    ("shared_with_org", "stats_record:alice#edit@user:olive", False),
    ("shared_with_org", "stats_record:alice#view@user:max", False),
    ("shared_with_org", "stats_record:alice#view@user:oscar", False),
    ("shared_with_org", "stats_record:alice#view@user:bob", False),
    ("shared_with_org", "stats_record:alice#view@user:=anonymous", False),
    ("shared_with_org", "stats_record:bob#view@user:mia", False),
    # public: any user and the signed-out reader view; edit stays the owner's
    ("public", "stats_record:alice#view@user:bob", True),
    ("public", "stats_record:alice#view@user:carol", True),
    ("public", "stats_record:alice#view@user:=anonymous", True),
    ("public", "stats_record:alice#edit@user:alice", True),
    ("public", "stats_record:alice#edit@user:bob", False),
    ("public", "stats_record:alice#edit@user:=anonymous", False),
    ("public", "stats_record:bob#view@user:=anonymous", False),
    ("public", "stats_record:bob#view@user:alice", False),
    # a revoked share stops working at once; the other grants stay
    ("share_revoked", "stats_record:alice#view@user:bob", True),  # still public
    ("share_revoked", "stats_record:alice#view@user:mia", True),
    ("share_revoked", "stats_record:alice#view@user:alice", True),
    ("org_share_revoked", "stats_record:alice#view@user:mia", False),
    ("org_share_revoked", "stats_record:alice#view@user:adam", False),
    ("org_share_revoked", "stats_record:alice#view@user:olive", False),
    ("org_share_revoked", "stats_record:alice#view@user:bob", True),
    ("made_private_again", "stats_record:alice#view@user:bob", False),
    ("made_private_again", "stats_record:alice#view@user:=anonymous", False),
    ("made_private_again", "stats_record:alice#view@user:alice", True),
    # a removed member loses the org's view; the others keep it
    ("member_removed", "stats_record:alice#view@user:mia", False),
    ("member_removed", "organization:acme#view@user:mia", False),
    ("member_removed", "stats_record:alice#view@user:adam", True),
    ("member_removed", "stats_record:alice#view@user:olive", True),
    # a deleted account: nothing of or for alice remains, everyone else's is intact
    ("account_deleted", "stats_record:alice#view@user:alice", False),
    ("account_deleted", "stats_record:alice#edit@user:alice", False),
    ("account_deleted", "stats_record:alice#view@user:bob", False),
    ("account_deleted", "stats_record:alice#view@user:mia", False),
    ("account_deleted", "stats_record:alice#view@user:=anonymous", False),
    ("account_deleted", "stats_record:bob#view@user:alice", False),
    ("account_deleted", "stats_record:bob#view@user:bob", True),
    ("account_deleted", "organization:acme#view@user:alice", False),
    ("account_deleted", "organization:other#view@user:alice", False),
    ("account_deleted", "organization:other#manage_members@user:alice", False),
    ("account_deleted", "organization:acme#view@user:mia", True),
    ("account_deleted", "organization:other#view@user:max", True),
    # organisation permissions per role
    ("private", "organization:acme#view@user:olive", True),
    ("private", "organization:acme#view@user:adam", True),
    ("private", "organization:acme#view@user:mia", True),
    ("private", "organization:acme#view@user:max", False),
    ("private", "organization:acme#view@user:=anonymous", False),
    ("private", "organization:acme#manage_members@user:olive", True),
    ("private", "organization:acme#manage_members@user:adam", True),
    ("private", "organization:acme#manage_members@user:mia", False),
    ("private", "organization:acme#manage_members@user:oscar", False),
    ("private", "organization:acme#manage_org@user:olive", True),
    ("private", "organization:acme#manage_org@user:adam", False),
    ("private", "organization:acme#manage_org@user:mia", False),
    ("private", "organization:acme#manage_org@user:oscar", False),
    ("private", "organization:acme#view_all_member_stats@user:olive", True),
    ("private", "organization:acme#view_all_member_stats@user:adam", True),
    ("private", "organization:acme#view_all_member_stats@user:mia", False),
    ("private", "organization:acme#view_all_member_stats@user:max", False),
    ("private", "organization:other#manage_org@user:oscar", True),
    ("private", "organization:other#manage_org@user:olive", False),
]


@pytest.fixture(params=["spicedb", "memory"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_authorizer(backend: str, request: pytest.FixtureRequest) -> Callable[[], Authorizer]:
    """A new authorizer of the backend on an empty store (SpiceDB: the session's, emptied)."""
    if backend == "memory":
        return MemoryAuthorizer
    server: Any = request.getfixturevalue("spicedb")
    return lambda: SpiceDbAuthorizer(server.endpoint, server.key, timeout=5.0)


def run(authz: Authorizer, scenario: Callable[[Authorizer], Awaitable[T]]) -> T:
    """`scenario(authz)` in a fresh event loop, the channel closed inside it (grpc.aio binds
    a channel to its loop)."""

    async def go() -> T:
        try:
            return await scenario(authz)
        finally:
            await authz.close()

    return asyncio.run(go())


async def apply(authz: Authorizer, steps: Sequence[Step]) -> None:
    for step in steps:
        if isinstance(step, Touch):
            await authz.write(touch=[rel(t) for t in step.tuples])
        elif isinstance(step, Delete):
            await authz.write(delete=[rel(t) for t in step.tuples])
        else:
            await authz.delete_matching(step.filters)


def _cases() -> Iterator[Any]:
    for name in SETUPS:
        rows = [(ask(q), expected) for setup, q, expected in MATRIX if setup == name]
        yield pytest.param(name, rows, id=name)


def test_every_setup_is_asked_something() -> None:
    assert {setup for setup, _, _ in MATRIX} == set(SETUPS)


@pytest.mark.parametrize(("setup", "rows"), list(_cases()))
def test_permission_matrix(
    make_authorizer: Callable[[], Authorizer],
    setup: str,
    rows: list[tuple[Question, bool]],
) -> None:
    async def scenario(authz: Authorizer) -> list[str]:
        await apply(authz, SETUPS[setup])
        wrong = []
        for question, expected in rows:
            answer = await authz.check(question.resource, question.permission, question.subject)
            if answer != expected:
                wrong.append(f"{question}: {answer}, expected {expected}")
        return wrong

    assert run(make_authorizer(), scenario) == []


@pytest.mark.parametrize(
    "question",
    [
        # a permission the type does not define (SpiceDB: FAILED_PRECONDITION)
        "stats_record:alice#manage_org@user:alice",
        "stats_record:alice#view_all_member_stats@user:alice",
        "organization:acme#edit@user:olive",
        "user:alice#view@user:alice",
        # a wildcard subject (SpiceDB: INVALID_ARGUMENT, "cannot perform check on wildcard")
        "stats_record:alice#view@user:*",
    ],
)
def test_a_question_the_schema_cannot_answer_is_refused(
    make_authorizer: Callable[[], Authorizer], question: str
) -> None:
    asked = ask(question)

    async def scenario(authz: Authorizer) -> None:
        await apply(authz, (WORLD, Touch((PUBLIC,))))
        with pytest.raises(InvalidRelationship):
            await authz.check(asked.resource, asked.permission, asked.subject)

    run(make_authorizer(), scenario)


# -- Random sequences: SpiceDB and the twin side by side ------------------------------------
HANDLES = ("a", "b", "c", "d")
RECORDS = [stats_record(h) for h in HANDLES[:3]]
ORGS = [organization("x"), organization("y")]
SUBJECTS = [*(user(h) for h in HANDLES), anonymous()]
QUESTIONS = [
    Question(resource, permission, subject)
    for resources, permissions in (
        (RECORDS, (Permission.VIEW, Permission.EDIT)),
        (
            ORGS,
            (
                Permission.VIEW,
                Permission.MANAGE_MEMBERS,
                Permission.MANAGE_ORG,
                Permission.VIEW_ALL_MEMBER_STATS,
            ),
        ),
    )
    for resource in resources
    for permission in permissions
    for subject in SUBJECTS
]
VALID = [
    *(
        Relationship(record, relation, user(h))
        for record in RECORDS
        for relation in (Relation.OWNER, Relation.SHARE_WITH_USER)
        for h in HANDLES
    ),
    *(Relationship(record, Relation.SHARE_WITH_ORG, org) for record in RECORDS for org in ORGS),
    *(Relationship(record, Relation.PUBLIC_VIEW, anyone()) for record in RECORDS),
    *(
        Relationship(org, relation, user(h))
        for org in ORGS
        for relation in (Relation.OWNER, Relation.ADMIN, Relation.MEMBER)
        for h in HANDLES
    ),
]
INVALID = [
    rel("stats_record:a#owner@organization:x"),
    rel("stats_record:a#public_view@user:b"),
    rel("stats_record:a#share_with_org@user:b"),
    rel("organization:x#member@user:*"),
    rel("organization:x#member@organization:y"),
    rel("organization:x#share_with_user@user:a"),
    rel("user:a#owner@user:a"),
]


def _random_filter(rng: random.Random) -> RelationshipFilter:
    resource_type = rng.choice([ObjectType.STATS_RECORD, ObjectType.ORGANIZATION])
    pool = RECORDS if resource_type is ObjectType.STATS_RECORD else ORGS
    relations = [r for r in Relation if any(t.relation is r and t.resource in pool for t in VALID)]
    subjects = [*(user(h) for h in HANDLES), anyone(), *ORGS]
    return RelationshipFilter(
        resource_type,
        resource_id=rng.choice([None, rng.choice(pool).id]),
        relation=rng.choice([None, None, rng.choice(relations)]),
        subject=rng.choice([None, rng.choice(subjects)]),
    )


async def _outcome(call: Awaitable[None]) -> str:
    try:
        await call
    except InvalidRelationship:
        return "refused"
    return "ok"


async def _answers(authz: Authorizer) -> list[bool]:
    return list(
        await asyncio.gather(*(authz.check(q.resource, q.permission, q.subject) for q in QUESTIONS))
    )


def test_random_sequences_answer_alike(spicedb: Any) -> None:
    """Random touches, deletes (sometimes with a tuple the schema forbids, or one tuple
    twice: both refuse the whole write) and filtered deletes, applied to both; after each
    step every question gets the same answer from both."""
    sequences, steps = 12, 14

    async def go() -> None:
        remote = SpiceDbAuthorizer(spicedb.endpoint, spicedb.key, timeout=5.0)
        try:
            for seed in range(sequences):
                rng = random.Random(seed)
                await remote.delete_matching(
                    [
                        RelationshipFilter(t)
                        for t in (ObjectType.STATS_RECORD, ObjectType.ORGANIZATION)
                    ]
                )
                twin = MemoryAuthorizer()
                for step in range(steps):
                    if rng.random() < 0.2:
                        filters = [_random_filter(rng) for _ in range(rng.randint(1, 2))]
                        outcomes = [
                            await _outcome(a.delete_matching(filters)) for a in (remote, twin)
                        ]
                        what = f"delete_matching {filters}"
                    else:
                        touch = rng.sample(VALID, rng.randint(0, 4))
                        delete = rng.sample(VALID, rng.randint(0, 3))
                        if rng.random() < 0.25:
                            delete = [t for t in delete if t not in touch]
                        if rng.random() < 0.1:
                            touch.append(rng.choice(INVALID))
                        outcomes = [
                            await _outcome(a.write(touch=touch, delete=delete))
                            for a in (remote, twin)
                        ]
                        what = f"write touch={touch} delete={delete}"
                    where = f"seed {seed} step {step}: {what}"
                    assert outcomes[0] == outcomes[1], f"{where}: {outcomes}"
                    remote_answers, twin_answers = await _answers(remote), await _answers(twin)
                    differ = [
                        f"{q}: spicedb {r}, memory {m}"
                        for q, r, m in zip(QUESTIONS, remote_answers, twin_answers, strict=True)
                        if r != m
                    ]
                    assert differ == [], f"{where}: {differ}"
        finally:
            await remote.close()

    asyncio.run(go())
