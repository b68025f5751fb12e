"""Who sees which cases, and one user's access to one case, decided once per request.

The involvement of the user's organisation decides *which* cases; the role decides *what* the user may
do and which sensitivity classes they read inside them. ``CaseAccess`` holds both for one case: every
panel, selector and service of a request asks the same object, so the involvement is read once (and
not at all when the case came from ``cases.selectors.case_get``, whose query brings the roles along).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from django.db.models import Aggregate, CharField, Exists, OuterRef, QuerySet, Subquery

from opennrm.accounts.roles import Perm
from opennrm.cases.models import Case, Involvement, InvolvementRole
from opennrm.core import request_context
from opennrm.people.models import Person

# Identity fields a role with identity access reads; "whereabouts" fields get a third gate (named
# staff only at high risk).
IDENTITY_FIELDS = (
    "given_names",
    "family_names",
    "aliases",
    "birth_date",
    "documents",
    "addresses",
    "contacts",
)
# Fields that tell where a person can be found. Withheld, not hidden: the reader learns that there is
# something they may not see, so nobody mistakes "withheld" for "unknown".
WHEREABOUTS_FIELDS = ("addresses",)
COORDINATING_ROLES = frozenset({InvolvementRole.IDENTIFYING_BODY, InvolvementRole.CASE_COORDINATION})


def _role(user: Any):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return getattr(user, "role", None)


def has_perm(user: Any, perm: str) -> bool:
    role = _role(user)
    return bool(role and perm in role.permissions)


def readable_sensitivities(user: Any) -> set[str]:
    role = _role(user)
    return set(role.sensitivities) if role else set()


def reads(user: Any, sensitivity: str) -> bool:
    return sensitivity in readable_sensitivities(user)


# --- Which cases -------------------------------------------------------------------------------------


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases in which the user's organisation is actively involved, if the role may open cases."""
    if not has_perm(user, Perm.CASE_VIEW) or not user.organisation_id:
        return Case.objects.none()
    involved = Involvement.objects.active().filter(case=OuterRef("pk"), organisation_id=user.organisation_id)
    return Case.objects.filter(Exists(involved))


def within_visible_cases(user: Any, queryset: QuerySet, case_field: str = "case") -> QuerySet:
    """Rows of any model hanging off a case (timeline, tasks…) whose case the user may see.

    A correlated EXISTS on the involvement, not ``case__in=visible_cases``: with ORDER BY … LIMIT the
    database walks the newest rows and probes the involvement index instead of joining every case.
    """
    if not has_perm(user, Perm.CASE_VIEW) or not user.organisation_id:
        return queryset.none()
    involved = Involvement.objects.active().filter(
        case_id=OuterRef(case_field), organisation_id=user.organisation_id
    )
    return queryset.filter(Exists(involved))


def iter_visible(
    user: Any,
    queryset: QuerySet,
    fields: tuple[str, ...] = ("pk",),
    chunk: int = 200,
    walk: int | None = None,
) -> Iterator[tuple[Any, ...]]:
    """The ``fields`` (the primary key first) of the rows of an ordered ``queryset`` (of a model with a
    ``case``) whose case the user may see, in order, walking it chunk by chunk (at most ``walk`` rows
    when given). Stop iterating and no further chunk is read.

    Why not one query: for an organisation involved in a million cases the planner hashes all of its
    involvements before it sorts; walking the index of ``queryset`` and probing each chunk stays cheap.
    Values only: the walk builds no model instances, the caller reads the rows it keeps.
    """
    values = queryset.values_list(*fields)
    offset = 0
    while walk is None or offset < walk:
        end = offset + chunk if walk is None else min(offset + chunk, walk)
        rows = list(values[offset:end])
        if not rows:
            return
        probe = queryset.model.objects.filter(pk__in=[r[0] for r in rows])
        allowed = set(within_visible_cases(user, probe).values_list("pk", flat=True))
        yield from (r for r in rows if r[0] in allowed)
        if len(rows) < end - offset:
            return  # the last chunk: asking for the next one would only cost a query
        offset = end


def first_visible(
    user: Any, queryset: QuerySet, limit: int, chunk: int = 200, walk: int | None = None
) -> list[int]:
    """The primary keys of the first ``limit`` visible rows of ``queryset`` (see ``iter_visible``)."""
    return [r[0] for r in islice(iter_visible(user, queryset, ("pk",), chunk, walk), limit)]


def visible_persons(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(Exists(visible_cases(user).filter(person=OuterRef("pk"))))


class _RoleList(Aggregate):
    """The roles as one comma-separated string. Written here because Django 5.2 has no string aggregate
    for both databases (django.contrib.postgres has one for PostgreSQL only; Django 6.0 adds StringAgg)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s)"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s, ',')"
        )


ROLES_ANNOTATION = "_access_roles"


def with_access(queryset: QuerySet[Case], user: Any) -> QuerySet[Case]:
    """Cases annotated with the roles the user's organisation holds in each (for ``case_access``): the
    query that fetches a case decides the access to it too."""
    if not user.organisation_id:
        return queryset.none()
    roles = (
        Involvement.objects.active()
        .filter(case=OuterRef("pk"), organisation_id=user.organisation_id)
        .values("case")
        .annotate(roles=_RoleList("role"))
        .values("roles")
    )
    return queryset.annotate(**{ROLES_ANNOTATION: Subquery(roles)})


# --- One user's access to one case --------------------------------------------------------------------

# Facts about a case that only the layers above know (does the user's organisation provide a service
# in it?), registered in their AppConfig.ready(): fact(user, case) -> bool, asked once per request.
_FACTS: dict[str, Callable[[Any, Case], bool]] = {}
# Gates registered by the layer that knows the risk (protection): gate(user, person) -> bool.
_WHEREABOUTS_GATES: list[Callable[[Any, Person], bool]] = []


def register_fact(name: str, fact: Callable[[Any, Case], bool]) -> None:
    _FACTS[name] = fact


def register_whereabouts_gate(gate: Callable[[Any, Person], bool]) -> None:
    if gate not in _WHEREABOUTS_GATES:
        _WHEREABOUTS_GATES.append(gate)


class CaseAccess:
    """What ``user`` may do in ``case``: the roles their organisation holds in it (active involvements)
    and what their role allows. Ask it with ``can(action)``; ``require(action)`` raises NotFound when the
    case is out of scope and PermissionDenied when the role may not."""

    def __init__(self, user: Any, case: Case, roles: frozenset[str]):
        self.user = user
        self.case = case
        self.roles = roles
        role = _role(user)
        self.perms: frozenset[str] = frozenset(role.permissions) if role else frozenset()
        self.sensitivities: frozenset[str] = frozenset(role.sensitivities) if role else frozenset()
        self._facts: dict[str, bool] = {}

    def __repr__(self) -> str:
        return f"<CaseAccess {getattr(self.user, 'username', None)} {self.case.code} {sorted(self.roles)}>"

    @property
    def visible(self) -> bool:
        return Perm.CASE_VIEW in self.perms and bool(self.roles)

    @property
    def coordinating(self) -> bool:
        """The organisation that coordinates the case: the identifying body or a named coordinator."""
        return bool(self.roles & COORDINATING_ROLES)

    def has(self, perm: str) -> bool:
        return perm in self.perms

    def reads(self, sensitivity: str) -> bool:
        return sensitivity in self.sensitivities

    def fact(self, name: str) -> bool:
        if name not in self._facts:
            fact = _FACTS.get(name)
            self._facts[name] = bool(fact and fact(self.user, self.case))
        return self._facts[name]

    @property
    def whereabouts(self) -> bool:
        """May the user know where the person is (every registered gate agrees)?"""
        return may_see_whereabouts(self.user, self.case)

    def can(self, action: str, field: str | None = None) -> bool:
        from opennrm.policy.rules import case_allows

        return case_allows(self, action, field)

    def require(self, action: str) -> None:
        from opennrm.lib.errors import NotFound, PermissionDenied

        if not self.visible:
            raise NotFound()
        if not self.can(action):
            raise PermissionDenied()


def _memo() -> dict[Any, Any] | None:
    return request_context.memo()


def memoised(key: tuple, compute: Callable[[], Any]) -> Any:
    """Within one request, answer the same question once (pages ask about the same case many times).
    Outside requests (commands, tests calling services) every question is answered afresh."""
    memo = _memo()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    """Drop memoised answers: called when involvements change within a request."""
    memo = _memo()
    if memo is not None:
        memo.clear()


def _roles_of(value: str | None) -> frozenset[str]:
    return frozenset(r for r in (value or "").split(",") if r)


def case_access(user: Any, case: Case) -> CaseAccess:
    """The user's access to the case, once per request."""
    org = getattr(user, "organisation_id", None)
    key = ("access", getattr(user, "pk", None), org, case.pk)
    memo = _memo()
    if memo is not None and key in memo:
        access = memo[key]
        access.case = case
        return access
    if not org or _role(user) is None:
        roles: frozenset[str] = frozenset()
    elif memo is not None and hasattr(case, ROLES_ANNOTATION):
        # Fetched in this request with the roles alongside (and forget() has not run since: it clears
        # the memo, and a case fetched before it is looked up again below).
        roles = _roles_of(getattr(case, ROLES_ANNOTATION))
    else:
        roles = frozenset(
            Involvement.objects.active()
            .filter(case_id=case.pk, organisation_id=org)
            .values_list("role", flat=True)
        )
    access = CaseAccess(user, case, roles)
    if memo is not None:
        memo[key] = access
        if access.visible:
            # Seeing a case is seeing its person: the identity checks of the same request need no query.
            memo[("person", getattr(user, "pk", None), org, case.person_id)] = True
        if hasattr(case, ROLES_ANNOTATION):
            # The annotation is true only until forget(): from then on, ask the database.
            delattr(case, ROLES_ANNOTATION)
    return access


def involvement_roles(user: Any, case: Case) -> frozenset[str]:
    return case_access(user, case).roles


def may_see_whereabouts(user: Any, obj: Any) -> bool:
    """May ``user`` see where the person (of ``obj``, a Person or a Case) is? Every registered gate
    must agree; the case and identity permissions are asked separately."""
    person = obj.person if isinstance(obj, Case) else obj
    return memoised(
        ("whereabouts", getattr(user, "pk", None), person.pk),
        lambda: all(gate(user, person) for gate in _WHEREABOUTS_GATES),
    )


def person_visible(user: Any, person: Person) -> bool:
    return memoised(
        ("person", getattr(user, "pk", None), getattr(user, "organisation_id", None), person.pk),
        lambda: visible_cases(user).filter(person=person).exists(),
    )
