"""The case API: same policy as the pages, clear field errors, nothing half-written, 409 on stale versions."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from opennrm.accounts.roles import RoleCode
from opennrm.accounts.services import token_create
from opennrm.audit.models import AuditEvent
from opennrm.cases.models import Case, Incident
from opennrm.people.models import Person


def api_for(user) -> APIClient:
    client = APIClient()
    _token, secret = token_create(actor=None, user=user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def new_case_payload(**overrides):
    payload = {
        "person": {
            "sex": "male",
            "age_estimate_min": 30,
            "age_estimate_max": 40,
            "citizenship": "VN",
            "languages": ["vi"],
        },
        "identity": {"given_names": "Van Minh", "family_names": "Nguyen", "documents": ["Passport C1234567"]},
        "incident": {
            "title": "Workers at a construction site",
            "forms": ["labour", "forced_labour"],
            "country_of_exploitation": "RS",
        },
        "referral_source": "other_government",
        "summary": "Passports withheld by the employer.",
    }
    payload.update(overrides)
    return payload


@pytest.mark.django_db
def test_a_labour_inspector_opens_a_case_and_the_centre_sees_it(world):
    inspector = world.users[RoleCode.LABOUR_INSPECTOR]
    response = api_for(inspector).post("/api/v1/cases/", new_case_payload(), format="json")
    assert response.status_code == 201, response.json()
    code = response.json()["code"]
    centre = api_for(world.users[RoleCode.CENTRE_CASE_MANAGER])
    detail = centre.get(f"/api/v1/cases/{code}/")
    assert detail.status_code == 200
    person = centre.get(f"/api/v1/persons/{detail.json()['person']}/").json()
    assert person["identity"]["family_names"] == "Nguyen"
    assert api_for(world.outsider).get(f"/api/v1/cases/{code}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload, field, status",
    [
        # 400: the request does not fit the schema; 422: it fits and a rule refuses it.
        (new_case_payload(referral_source="gossip"), "referral_source", 400),
        (new_case_payload(incident={"title": "x", "forms": ["tourism"]}), "incident", 400),
        (new_case_payload(identity={"given_names": "Ljubiцa"}), "given_names", 422),
        (new_case_payload(identity={"birth_date": "2023-02-30"}), "identity", 400),
        (new_case_payload(identity={"birth_date": "2999-01-01"}), "birth_date", 422),
        (new_case_payload(person={"age_estimate_min": 40, "age_estimate_max": 20}), "age_estimate_max", 422),
        (new_case_payload(identity={"given_names": "A" * 500}), "identity", 400),
        (
            new_case_payload(incident={"title": "t", "started_on": "2024-05-01", "ended_on": "2024-01-01"}),
            "incident.ended_on",
            422,
        ),
        (new_case_payload(incident_code="RS-I-1999-999999", incident=None), "incident_code", 422),
    ],
)
def test_bad_input_gets_a_field_error_and_writes_nothing(world, payload, field, status):
    client = api_for(world.users[RoleCode.LABOUR_INSPECTOR])
    counts = (Person.objects.count(), Case.objects.count(), Incident.objects.count())
    response = client.post(
        "/api/v1/cases/", {k: v for k, v in payload.items() if v is not None}, format="json"
    )
    assert response.status_code == status
    body = response.json()
    assert body["message"]
    assert field.split(".")[0] in str(body["extra"]), body
    assert (Person.objects.count(), Case.objects.count(), Incident.objects.count()) == counts
    assert AuditEvent.objects.filter(action="rejected").exists()


@pytest.mark.django_db
def test_a_stale_version_gets_409_and_does_not_overwrite(world):
    client = api_for(world.users[RoleCode.CENTRE_CASE_MANAGER])
    url = f"/api/v1/cases/{world.own_case.code}/"
    version = client.get(url).json()["version"]
    first = client.patch(url, {"version": version, "referral_source": "ngo_io"}, format="json")
    assert first.status_code == 200
    second = client.patch(url, {"version": version, "referral_source": "self_referral"}, format="json")
    assert second.status_code == 409
    assert "version" in second.json()["extra"]["fields"]
    assert client.get(url).json()["referral_source"] == "ngo_io"


@pytest.mark.django_db
def test_a_prosecutor_does_not_read_therapy_notes(world):
    from opennrm.cases import services

    services.note_add(
        user=world.users[RoleCode.CENTRE_CASE_MANAGER],
        case=world.own_case,
        sensitivity="psychosocial",
        text="Therapy session notes",
    )
    services.note_add(
        user=world.users[RoleCode.CENTRE_CASE_MANAGER],
        case=world.own_case,
        sensitivity="legal",
        text="Statement to the prosecutor",
    )
    notes = (
        api_for(world.users[RoleCode.PROSECUTOR]).get(f"/api/v1/cases/{world.own_case.code}/notes/").json()
    )
    texts = [n["text"] for n in notes]
    assert "Statement to the prosecutor" in texts
    assert "Therapy session notes" not in texts
    shelter = (
        api_for(world.users[RoleCode.SHELTER_STAFF]).get(f"/api/v1/cases/{world.own_case.code}/notes/").json()
    )
    assert "Statement to the prosecutor" not in [n["text"] for n in shelter]
    timeline = (
        api_for(world.users[RoleCode.PROSECUTOR]).get(f"/api/v1/cases/{world.own_case.code}/timeline/").json()
    )
    assert not any("psychosocial" in e["text"] for e in timeline)


@pytest.mark.django_db
def test_the_coordinator_sees_no_names_and_no_cases(world):
    client = api_for(world.users[RoleCode.NATIONAL_COORDINATOR])
    assert client.get("/api/v1/cases/").status_code == 403
    assert client.get("/api/v1/persons/").status_code == 403
    assert client.get(f"/api/v1/persons/{world.own_case.person.code}/").status_code == 404


@pytest.mark.django_db
def test_ending_an_involvement_ends_access(world):
    manager = api_for(world.users[RoleCode.CENTRE_CASE_MANAGER])
    ngo = api_for(world.users[RoleCode.NGO_CASE_WORKER])
    url = f"/api/v1/cases/{world.own_case.code}/"
    assert ngo.get(url).status_code == 200
    involvements = manager.get(f"{url}involvements/").json()
    astra = next(i for i in involvements if i["organisation"] == "astra")
    ended = manager.post(
        f"{url}involvements/{astra['id']}/end/",
        {"version": astra["version"], "reason": "Service completed"},
        format="json",
    )
    assert ended.status_code == 200, ended.json()
    assert ngo.get(url).status_code == 404


@pytest.mark.django_db
def test_a_revoked_or_unknown_token_is_refused(world):
    from opennrm.accounts.models import ApiToken
    from opennrm.accounts.services import token_revoke

    client = api_for(world.users[RoleCode.CENTRE_CASE_MANAGER])
    assert client.get("/api/v1/me/").status_code == 200
    token_revoke(actor=None, token=ApiToken.objects.get(user=world.users[RoleCode.CENTRE_CASE_MANAGER]))
    assert client.get("/api/v1/me/").status_code == 401
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Bearer onrm_deadbeef_nope")
    assert stranger.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_tokens_are_stored_hashed(world):
    from opennrm.accounts.models import ApiToken

    _token, secret = token_create(actor=None, user=world.outsider, name="x")
    stored = ApiToken.objects.get(prefix=_token.prefix)
    assert secret not in (stored.digest, stored.prefix, stored.name)


@pytest.mark.django_db
def test_the_openapi_schema_is_served(world):
    response = api_for(world.outsider).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/cases/" in response.content


def test_healthz_answers_without_login(client, db):
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_case_list_filters_and_rejects_unknown_values(world):
    client = api_for(world.users[RoleCode.CENTRE_CASE_MANAGER])
    assert client.get("/api/v1/cases/", {"status": "reported"}).json()["count"] >= 1
    assert client.get("/api/v1/cases/", {"status": "closed"}).json()["count"] == 0
    bad = client.get("/api/v1/cases/", {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()["extra"]["fields"]
    assert (
        client.get("/api/v1/cases/", {"q": world.own_case.code}).json()["results"][0]["code"]
        == world.own_case.code
    )


@pytest.mark.django_db
def test_malformed_json_gets_a_clear_400(world):
    client = api_for(world.users[RoleCode.LABOUR_INSPECTOR])
    response = client.post("/api/v1/cases/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"]


def test_the_openapi_schema_validates_without_warnings(db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


@pytest.mark.django_db
def test_an_oversized_request_is_refused_without_writing(world, settings):
    client = api_for(world.users[RoleCode.LABOUR_INSPECTOR])
    before = Case.objects.count()
    payload = new_case_payload(summary="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10))
    response = client.post("/api/v1/cases/", payload, format="json")
    assert response.status_code in (400, 413)
    assert Case.objects.count() == before


@pytest.mark.django_db
def test_an_incident_records_its_suspects_under_labels(world):
    client = api_for(world.users[RoleCode.LABOUR_INSPECTOR])
    incident = {
        "title": "Factory dormitory",
        "forms": ["forced_labour"],
        "country_of_exploitation": "RS",
        "suspects": [
            {"label": "The employer", "role_in_process": "exploiter", "is_legal_person": True},
            {"label": "Recruiter B"},
        ],
    }
    response = client.post("/api/v1/incidents/", incident, format="json")
    assert response.status_code == 201, response.json()
    body = client.get(f"/api/v1/incidents/{response.json()['code']}/").json()
    assert [s["label"] for s in body["suspects"]] == ["The employer", "Recruiter B"]
    assert body["suspects"][0]["role_in_process"] == "exploiter"
    bad = client.post(
        "/api/v1/incidents/",
        {**incident, "suspects": [{"label": "x", "role_in_process": "boss"}]},
        format="json",
    )
    assert bad.status_code == 400


@pytest.mark.django_db
def test_api_lists_and_case_parts_are_audited(world):
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    client = api_for(manager)
    for url, object_type in [
        ("/api/v1/persons/", "person"),
        ("/api/v1/cases/", "case"),
        ("/api/v1/incidents/", "incident"),
        (f"/api/v1/cases/{world.own_case.code}/timeline/", "case"),
        (f"/api/v1/cases/{world.own_case.code}/involvements/", "case"),
    ]:
        before = AuditEvent.objects.filter(
            actor_id=manager.pk, action="read", object_type=object_type
        ).count()
        assert client.get(url).status_code == 200
        after = AuditEvent.objects.filter(actor_id=manager.pk, action="read", object_type=object_type).count()
        assert after == before + 1, url


@pytest.mark.django_db
def test_an_incident_disappears_with_the_involvement(world):
    from opennrm.cases.models import Involvement

    reporter = world.users[RoleCode.FIRST_LINE_REPORTER]
    client = api_for(reporter)
    url = f"/api/v1/incidents/{world.own_case.incident.code}/"
    assert client.get(url).status_code == 200
    Involvement.objects.filter(case=world.own_case, organisation=reporter.organisation).update(
        ended_at=timezone.now()
    )
    assert client.get(url).status_code == 404
    codes = [i["code"] for i in client.get("/api/v1/incidents/").json()["results"]]
    assert world.own_case.incident.code not in codes
    attach = client.post(
        "/api/v1/cases/",
        new_case_payload(incident_code=world.own_case.incident.code, incident=None) | {"incident": None},
        format="json",
    )
    assert attach.status_code == 400


@pytest.mark.django_db
def test_editing_a_person_through_the_api_is_on_the_timeline(world):
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    client = api_for(manager)
    url = f"/api/v1/persons/{world.own_case.person.code}/"
    version = client.get(url).json()["version"]
    response = client.patch(
        url, {"version": version, "identity": {"addresses": ["Safe house"]}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["identity"]["given_names"] == "Jelena"
    assert world.own_case.timeline.filter(kind="identity_updated", actor=manager).exists()


@pytest.mark.django_db
def test_a_demo_token_stops_working_outside_demo_mode(world, settings):
    from opennrm.testing import user

    demo = user("demo-api", RoleCode.CENTRE_CASE_MANAGER, world.orgs["centre"], is_demo=True)
    settings.DEMO_MODE = True
    client = api_for(demo)
    assert client.get("/api/v1/me/").status_code == 200
    settings.DEMO_MODE = False
    assert client.get("/api/v1/me/").status_code == 401


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_documents_lists_as_pages_and_the_errors_each_operation_gives(db):
    schema = _schema()
    paths, components = schema["paths"], schema["components"]["schemas"]

    def body_of(op: dict, code: str) -> dict:
        content = op["responses"][code].get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        return components.get(ref.rsplit("/", 1)[-1], {})

    # Paginated lists: the envelope, never a bare array.
    for path in ("/api/v1/cases/", "/api/v1/persons/", "/api/v1/referrals/inbox/", "/api/v1/notifications/"):
        page = body_of(paths[path]["get"], "200")
        assert {"count", "capped", "next", "previous", "results"} <= set(page["properties"]), path
        assert page["properties"]["results"]["type"] == "array"
    for path, operations in paths.items():
        for method, op in operations.items():
            codes = set(op["responses"])
            assert "414" in codes, (method, path)
            if op.get("security") != [{}] and "/public-reports/" not in path:
                assert {"401", "403"} <= codes, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "422"} <= codes, (method, path)
            if method == "patch":
                assert op["requestBody"]["required"] is True, path
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert "version" in components[ref.rsplit("/", 1)[-1]]["required"], path
                assert "409" in codes, path
    # The throttled public report documents its 429.
    public = [op for p, ops in paths.items() if "public" in p for m, op in ops.items() if m == "post"]
    assert public and all("429" in op["responses"] for op in public)


def test_the_documented_not_blank_pattern_is_exactly_what_the_server_trims():
    """A text field that may not be blank documents a pattern; a client (ECMA regexes) and the server (Python's
    strip) must agree on which characters are space, or a request valid by the schema is refused."""
    import re
    import sys

    from rest_framework import serializers

    from opennrm.api.schema import NOT_ONLY_SPACE

    field = serializers.CharField()
    pattern = re.compile(NOT_ONLY_SPACE)
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:
            continue
        char = chr(point)
        try:
            field.run_validation(char)
            accepted = True
        except serializers.ValidationError:
            accepted = False
        assert bool(pattern.search(char)) is accepted, hex(point)
        assert bool(pattern.search(f"a{char}")) is (char != "\x00"), hex(point)
    # The characters on which ECMA's \s and Python's disagree are spelled out, not left to \s.
    assert "\\s" not in NOT_ONLY_SPACE and "\\S" not in NOT_ONLY_SPACE


def test_every_operation_that_answers_201_documents_it(db):
    """A view whose POST answers 201 Created (at least when it creates) documents 201 in the schema;
    found by the stateful API fuzzing: opening an assistance plan answered an undocumented 201."""
    import inspect

    from drf_spectacular.generators import EndpointEnumerator

    paths = _schema()["paths"]
    checked = 0
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        view = getattr(callback, "cls", None)
        handler = getattr(view, method.lower(), None) if view else None
        if handler is None or "HTTP_201_CREATED" not in inspect.getsource(handler):
            continue
        checked += 1
        documented = paths[path.replace("{pk}", "{id}")][method.lower()][
            "responses"
        ]  # as the schema names it
        assert "201" in documented, f"{method} {path} answers 201 but documents {sorted(documented)}"
    assert checked >= 15
