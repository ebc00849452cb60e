"""An in-memory `Authorizer` for unit tests and for running without SpiceDB in development.

It evaluates schema.zed's permissions by hand and refuses the tuples SpiceDB would refuse,
so a service tested against it behaves as it will against SpiceDB; the permission-matrix test
runs the same questions against both and requires identical answers.
"""

from collections.abc import Sequence

from starstats_server.authz.port import (
    WILDCARD,
    AuthzUnavailable,
    InvalidRelationship,
    ObjectRef,
    ObjectType,
    Permission,
    Relation,
    Relationship,
    RelationshipFilter,
)

# Which subjects each relation accepts, as schema.zed declares them.
_ALLOWED: dict[tuple[ObjectType, Relation], str] = {
    (ObjectType.ORGANIZATION, Relation.OWNER): "user",
    (ObjectType.ORGANIZATION, Relation.ADMIN): "user",
    (ObjectType.ORGANIZATION, Relation.MEMBER): "user",
    (ObjectType.STATS_RECORD, Relation.OWNER): "user",
    (ObjectType.STATS_RECORD, Relation.SHARE_WITH_USER): "user",
    (ObjectType.STATS_RECORD, Relation.SHARE_WITH_ORG): "organization",
    (ObjectType.STATS_RECORD, Relation.PUBLIC_VIEW): "user:*",
}

_ORG_PERMISSIONS: dict[Permission, tuple[Relation, ...]] = {
    Permission.VIEW: (Relation.MEMBER, Relation.ADMIN, Relation.OWNER),
    Permission.MANAGE_MEMBERS: (Relation.ADMIN, Relation.OWNER),
    Permission.MANAGE_ORG: (Relation.OWNER,),
    Permission.VIEW_ALL_MEMBER_STATS: (Relation.ADMIN, Relation.OWNER),
}


# The permissions each type defines; SpiceDB refuses a check of any other (FAILED_PRECONDITION).
_DEFINED: dict[ObjectType, frozenset[Permission]] = {
    ObjectType.USER: frozenset(),
    ObjectType.ORGANIZATION: frozenset(_ORG_PERMISSIONS),
    ObjectType.STATS_RECORD: frozenset({Permission.VIEW, Permission.EDIT}),
}


def _validate(tuple_: Relationship) -> None:
    wanted = _ALLOWED.get((tuple_.resource.type, tuple_.relation))
    subject = tuple_.subject
    if wanted is None:
        raise InvalidRelationship(f"{tuple_.resource.type} has no relation {tuple_.relation}")
    if wanted == "user:*":
        ok = subject.type is ObjectType.USER and subject.id == WILDCARD
    else:
        ok = subject.type == wanted and subject.id != WILDCARD
    if not ok:
        raise InvalidRelationship(f"{tuple_} is not allowed by the schema")


class MemoryAuthorizer:
    def __init__(self) -> None:
        self.tuples: set[Relationship] = set()
        self.schema: str | None = None
        self.available = True  # tests switch it off to stand for an outage

    def _up(self) -> None:
        if not self.available:
            raise AuthzUnavailable("in-memory authorizer switched off")

    def _has(self, resource: ObjectRef, relation: Relation, subject: ObjectRef) -> bool:
        if Relationship(resource, relation, subject) in self.tuples:
            return True
        wildcard = ObjectRef(subject.type, WILDCARD)
        return Relationship(resource, relation, wildcard) in self.tuples

    def _subjects(self, resource: ObjectRef, relation: Relation) -> list[ObjectRef]:
        return [t.subject for t in self.tuples if t.resource == resource and t.relation == relation]

    def _org(self, org: ObjectRef, permission: Permission, subject: ObjectRef) -> bool:
        relations = _ORG_PERMISSIONS.get(permission, ())
        return any(self._has(org, relation, subject) for relation in relations)

    async def check(self, resource: ObjectRef, permission: Permission, subject: ObjectRef) -> bool:
        self._up()
        if permission not in _DEFINED[resource.type]:
            raise InvalidRelationship(f"{resource.type} has no permission {permission}")
        if subject.id == WILDCARD:
            raise InvalidRelationship("cannot check a wildcard subject")
        if subject.type is not ObjectType.USER:
            return False
        if resource.type is ObjectType.ORGANIZATION:
            return self._org(resource, permission, subject)
        if resource.type is not ObjectType.STATS_RECORD:
            return False
        if permission is Permission.EDIT:
            return self._has(resource, Relation.OWNER, subject)
        if permission is not Permission.VIEW:
            return False
        direct = (Relation.OWNER, Relation.SHARE_WITH_USER, Relation.PUBLIC_VIEW)
        if any(self._has(resource, relation, subject) for relation in direct):
            return True
        return any(
            self._org(org, Permission.VIEW, subject)
            or self._org(org, Permission.VIEW_ALL_MEMBER_STATS, subject)
            for org in self._subjects(resource, Relation.SHARE_WITH_ORG)
        )

    async def write(
        self, touch: Sequence[Relationship] = (), delete: Sequence[Relationship] = ()
    ) -> None:
        self._up()
        for tuple_ in (*touch, *delete):
            _validate(tuple_)
        if len({*touch, *delete}) < len(touch) + len(delete):
            raise InvalidRelationship("a relationship can only be updated once per write")
        self.tuples.difference_update(delete)
        self.tuples.update(touch)

    async def delete_matching(self, filters: Sequence[RelationshipFilter]) -> None:
        self._up()
        self.tuples = {t for t in self.tuples if not any(f.matches(t) for f in filters)}

    async def ensure_schema(self, schema: str) -> bool:
        self._up()
        if self.schema is not None:
            return False
        self.schema = schema
        return True

    async def ready(self) -> bool:
        return self.available

    async def close(self) -> None:
        return None
