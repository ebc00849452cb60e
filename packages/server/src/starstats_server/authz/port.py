"""The authorization port: relationship tuples in, permission answers out.

Object ids are lower-cased handles (`user`, `stats_record`) and org slugs (`organization`).
Callers build tuples with the helpers at the bottom so no id is ever written in two cases.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from typing import Protocol

from starstats_server.errors import StarStatsServerError


class AuthzUnavailable(StarStatsServerError):
    """SpiceDB is not configured, refused the call, timed out, or the circuit is open."""


class InvalidRelationship(StarStatsServerError):
    """A tuple the schema does not allow (a programming error, not an outage)."""


class ObjectType(StrEnum):
    USER = "user"
    ORGANIZATION = "organization"
    STATS_RECORD = "stats_record"


class Relation(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    SHARE_WITH_USER = "share_with_user"
    SHARE_WITH_ORG = "share_with_org"
    PUBLIC_VIEW = "public_view"


class Permission(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_ORG = "manage_org"
    VIEW_ALL_MEMBER_STATS = "view_all_member_stats"


WILDCARD = "*"
# The subject of a signed-out reader. `=` can never appear in a handle ([A-Za-z0-9_-]), so
# this id is nobody's; it holds `view` on a record only through the `user:*` wildcard.
ANONYMOUS = "=anonymous"


@dataclass(frozen=True, order=True)
class ObjectRef:
    type: ObjectType
    id: str

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


@dataclass(frozen=True, order=True)
class Relationship:
    resource: ObjectRef
    relation: Relation
    subject: ObjectRef

    def __str__(self) -> str:
        return f"{self.resource}#{self.relation}@{self.subject}"


@dataclass(frozen=True)
class RelationshipFilter:
    """What `delete_matching` removes: every tuple on `resource_type` that matches each
    field given (SpiceDB's DeleteRelationships needs the resource type)."""

    resource_type: ObjectType
    resource_id: str | None = None
    relation: Relation | None = None
    subject: ObjectRef | None = None

    def matches(self, tuple_: Relationship) -> bool:
        return (
            tuple_.resource.type == self.resource_type
            and self.resource_id in (None, tuple_.resource.id)
            and self.relation in (None, tuple_.relation)
            and self.subject in (None, tuple_.subject)
        )


class Authorizer(Protocol):
    """What the services need from SpiceDB. Every method raises `AuthzUnavailable` when the
    store cannot answer; none blocks longer than the adapter's deadline."""

    async def check(
        self, resource: ObjectRef, permission: Permission, subject: ObjectRef
    ) -> bool: ...

    async def write(
        self, touch: Sequence[Relationship] = (), delete: Sequence[Relationship] = ()
    ) -> None:
        """Apply every change atomically. TOUCH: writing a tuple twice is a no-op, and
        deleting an absent one is too, so a retried request changes nothing more."""

    async def delete_matching(self, filters: Sequence[RelationshipFilter]) -> None: ...

    async def ensure_schema(self, schema: str) -> bool:
        """Write `schema` when the store has none; True when it was written."""

    async def ready(self) -> bool: ...

    async def close(self) -> None: ...


def schema_text() -> str:
    """The schema this server is written against (a copy of infra/spicedb/schema.zed)."""
    return files("starstats_server.authz").joinpath("schema.zed").read_text(encoding="utf-8")


def user(handle: str) -> ObjectRef:
    return ObjectRef(ObjectType.USER, handle.lower())


def anyone() -> ObjectRef:
    return ObjectRef(ObjectType.USER, WILDCARD)


def anonymous() -> ObjectRef:
    return ObjectRef(ObjectType.USER, ANONYMOUS)


def organization(slug: str) -> ObjectRef:
    return ObjectRef(ObjectType.ORGANIZATION, slug.lower())


def stats_record(handle: str) -> ObjectRef:
    return ObjectRef(ObjectType.STATS_RECORD, handle.lower())
