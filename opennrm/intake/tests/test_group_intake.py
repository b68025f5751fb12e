"""Group cases: a labour inspector registers the workers of one workplace in one step (service, CSV, page
and API); every row is checked first and any error leaves nothing written."""

from __future__ import annotations

import codecs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from opennrm import policy
from opennrm.accounts.models import OrganisationType
from opennrm.accounts.roles import RoleCode
from opennrm.accounts.services import token_create
from opennrm.audit.models import AuditEvent
from opennrm.cases import services as case_services
from opennrm.cases.models import Case, CaseNote, CaseStatus, CaseTask, Incident, TimelineEvent
from opennrm.core import crypto
from opennrm.identification import indicators
from opennrm.identification.models import Referral, Screening
from opennrm.intake import group
from opennrm.lib.errors import DomainError, PermissionDenied
from opennrm.notifications.models import Notification
from opennrm.people.models import Person, PersonIdentity, identity_aad
from opennrm.testing import login_verified, org

LABOUR_ANSWERS = {
    "DR-01": "yes",
    "DR-08": "yes",
    "EX-01": "yes",
    "EX-04": "yes",
    "CD-01": "yes",
    "CD-14": "yes",
}
INCIDENT = {"title": "Workers kept in a factory", "forms": ["labour"], "municipality": "Subotica"}


def letters(i: int) -> str:
    """a, b, … z, aa, ab …: names must be letters only."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(97 + r) + out
    return out


def workers(n: int, *, children: int = 0) -> list[dict]:
    """``n`` obviously fake workers; the first ``children`` are 15 to 17 years old."""
    return [
        {
            "given_names": "Radnik",
            "family_names": "Testović" + letters(i),
            "sex": "male",
            "age_min": "15" if i < children else "25",
            "age_max": "17" if i < children else "40",
            "citizenship": "VN",
            "languages": "vi; en",
            "interpreter_needed": "da",
            "document_number": f"C{i:07d}",
        }
        for i in range(n)
    ]


def counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        PersonIdentity.objects.count(),
        Case.objects.count(),
        Incident.objects.count(),
        TimelineEvent.objects.count(),
        Referral.objects.count(),
        Screening.objects.count(),
        AuditEvent.objects.count(),
    )


def register(user, rows, **kw):
    kw.setdefault("incident_code", None)
    kw.setdefault("incident_data", INCIDENT)
    kw.setdefault("referral_source", "other_government")
    return group.group_register(user=user, rows=rows, **kw)


def identity_of(person: Person) -> dict:
    vault = person.identity
    return crypto.decrypt(vault.data_key_id, vault.ciphertext, aad=identity_aad(person.code))


def api_for(user) -> APIClient:
    client = APIClient()
    _token, secret = token_create(actor=None, user=user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def inspector(world):
    return world.users[RoleCode.LABOUR_INSPECTOR]


@pytest.fixture
def centre(world):
    return world.orgs["centre"]


# ---- the service --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_labour_inspector_registers_500_workers_in_one_step_and_the_centre_sees_them_all(
    world, inspector, django_assert_max_num_queries
):
    persons_before = Person.objects.count()
    incident = case_services.incident_create(user=inspector, data=INCIDENT)
    persons = group.clean_rows(workers(500))
    # PostgreSQL takes each bulk insert in one statement; SQLite's 999-parameter limit makes Django
    # split them into batches (a few dozen more statements for 500 persons, still not one per person).
    limit = 40 if connection.vendor == "postgresql" else 90
    with django_assert_max_num_queries(limit):
        cases = case_services.intake_register_group(
            user=inspector, incident=incident, persons=persons, referral_source="other_government"
        )
    result = group.GroupResult(incident=incident, cases=cases)
    assert len(result.cases) == 500 and Person.objects.count() == persons_before + 500
    assert {c.incident_id for c in result.cases} == {result.incident.pk}
    assert Case.objects.filter(incident=result.incident, status=CaseStatus.REPORTED).count() == 500
    assert PersonIdentity.objects.filter(person__cases__incident=result.incident).count() == 500
    first = result.cases[0]
    assert identity_of(first.person)["family_names"] == "Testovića"
    assert first.person.languages == ["vi", "en"] and first.person.interpreter_needed
    # One review task for the group, one audit entry for the persons and one for the cases.
    assert list(CaseTask.objects.filter(case__incident=result.incident).values_list("title", flat=True)) == [
        "Review the group report"
    ]
    entries = AuditEvent.objects.filter(action="create", object_type__in=["person", "case"]).order_by("-id")[
        :2
    ]
    assert {e.detail["count"] for e in entries} == {500}
    assert TimelineEvent.objects.filter(case__incident=result.incident, kind="case_opened").count() == 500

    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    assert policy.visible_cases(manager).filter(incident=result.incident).count() == 500
    assert policy.visible_cases(inspector).filter(incident=result.incident).count() == 500
    assert not policy.visible_cases(world.outsider).filter(incident=result.incident).exists()


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_group(world, inspector):
    def statements(n: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            register(inspector, workers(n), refer_to=world.orgs["centre"])
        # Only the database's own insert batching may depend on the size.
        return sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT"))

    assert statements(5) == statements(300)


@pytest.mark.django_db
def test_children_in_the_group_are_flagged_and_adults_are_not(inspector):
    rows = workers(6, children=2)
    rows[2].update(age_min="", age_max="", birth_date="2013-03-01")  # a date of birth: a child
    rows[3].update(age_min="", age_max="", birth_year="1990")
    result = register(inspector, rows)
    assert [c.is_child for c in result.cases] == [True, True, True, False, False, False]
    assert result.children == 3


@pytest.mark.django_db
def test_a_shared_screening_is_stored_in_every_case_with_the_same_result(inspector, centre):
    result = register(
        inspector,
        workers(8, children=3),
        shared_screening={
            "indicator_set": "labour",
            "version": "2026.1",
            "answers": LABOUR_ANSWERS,
            "setting": "workplace_inspection",
        },
    )
    assert result.screenings == 8
    iset = indicators.get_set("labour", "2026.1")
    for case in result.cases:
        screening = case.screenings.get()
        expected = indicators.evaluate(iset, LABOUR_ANSWERS, is_child=case.is_child)
        assert screening.as_child == case.is_child
        assert screening.recommendation == expected.recommendation == "refer"
        assert screening.result == expected.as_dict()
        assert screening.answers.count() == len(LABOUR_ANSWERS)
        case.refresh_from_db()
        assert case.status == CaseStatus.SCREENING
    assert TimelineEvent.objects.filter(case__in=result.cases, kind="screening_recorded").count() == 8


@pytest.mark.django_db
def test_a_set_not_meant_for_adults_refuses_a_group_with_adults_and_writes_nothing(inspector):
    before = counts()
    with pytest.raises(DomainError) as caught:
        register(
            inspector,
            workers(4, children=2),
            shared_screening={"indicator_set": "child", "version": "2026.1", "answers": {"UN-C01": "yes"}},
        )
    assert caught.value.field == "shared_screening.indicator_set"
    assert "not for screening adults, and 2 persons" in caught.value.message
    assert counts() == before


@pytest.mark.django_db
def test_the_group_is_referred_to_the_centre_together_with_one_notification(world, inspector, centre):
    result = register(inspector, workers(25), refer_to=centre)
    referrals = Referral.objects.filter(case__in=result.cases)
    assert referrals.count() == 25 == result.referrals
    assert set(referrals.values_list("batch", flat=True)) == {result.batch} and result.batch
    assert len(set(referrals.values_list("due_at", flat=True))) == 1
    assert set(Case.objects.filter(incident=result.incident).values_list("status", flat=True)) == {"referred"}
    # One notification for the whole group, to each user of the Centre.
    for role in (RoleCode.CENTRE_CASE_MANAGER, RoleCode.CENTRE_HEAD):
        notes = Notification.objects.filter(recipient=world.users[role], kind="referral_received")
        assert notes.count() == 1
        assert notes.get().case_code == result.cases[0].code
        assert notes.get().params["case"].endswith("(25)")
    # The Centre was involved from the report: the referral granted nothing new.
    assert not referrals.filter(involvement__isnull=False).exists()


@pytest.mark.django_db
def test_a_group_can_join_an_existing_incident(inspector):
    first = register(inspector, workers(2))
    second = register(inspector, workers(3)[2:], incident_code=first.incident.code)
    assert second.incident == first.incident
    assert Case.objects.filter(incident=first.incident).count() == 3


@pytest.mark.django_db
def test_the_account_of_what_happened_is_an_encrypted_note_in_every_case(world, inspector):
    result = register(inspector, workers(4), summary="Passports held by the employer.")
    notes = CaseNote.objects.filter(case__in=result.cases)
    assert notes.count() == 4 and b"Passports" not in bytes(notes[0].ciphertext)
    manager = world.users[RoleCode.CENTRE_CASE_MANAGER]
    from opennrm.cases import selectors

    assert (
        selectors.case_notes(user=manager, case=result.cases[3])[0]["text"]
        == "Passports held by the employer."
    )


@pytest.mark.django_db
def test_a_role_without_case_create_cannot_register_a_group(world):
    with pytest.raises(PermissionDenied):
        register(world.users[RoleCode.PROSECUTOR], workers(2))


# ---- bad input: every problem named, nothing written ----------------------------------------------


@pytest.mark.django_db
def test_an_error_in_row_450_of_500_writes_nothing(inspector):
    rows = workers(500)
    rows[449]["birth_date"] = "1990-13-01"
    before = counts()
    with pytest.raises(group.GroupImportError) as caught:
        register(inspector, rows)
    assert caught.value.errors == [
        {"row": 450, "column": "birth_date", "message": "Enter a real date as YYYY-MM-DD or DD.MM.YYYY."}
    ]
    assert counts() == before


@pytest.mark.django_db
def test_an_error_found_after_the_writes_began_leaves_nothing_either(world, inspector):
    police = org("police-ns", OrganisationType.POLICE)
    before = counts()
    # A police directorate does not identify victims: refused after persons and cases were inserted.
    with pytest.raises(DomainError) as caught:
        register(inspector, workers(50), refer_to=police)
    assert caught.value.field == "refer_to"
    assert counts() == before


@pytest.mark.django_db
def test_every_problem_of_every_row_is_listed(inspector):
    rows = workers(3)
    rows[0].update(sex="maybe", citizenship="Vietnam")
    rows[2].update(given_names="R2D2", age_min="40", age_max="20")
    with pytest.raises(group.GroupImportError) as caught:
        register(inspector, rows)
    found = {(e["row"], e["column"]) for e in caught.value.errors}
    assert found == {(1, "sex"), (1, "citizenship"), (3, "given_names"), (3, "age_max")}


# ---- CSV ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_utf8_csv_with_bom_and_cyrillic_names_and_headers_is_read(inspector):
    data = (
        codecs.BOM_UTF8
        + "име,презиме,пол,датум рођења\nПетар,Петровић,м,01.02.1990\nМарија,Јовановић,ж,\n".encode()
    )
    rows = group.parse_group_csv(data)
    assert [(r["given_names"], r["sex"], r["birth_date"], r[group.ROW_KEY]) for r in rows] == [
        ("Петар", "м", "01.02.1990", 2),
        ("Марија", "ж", "", 3),
    ]
    result = register(inspector, rows)
    assert identity_of(result.cases[0].person)["family_names"] == "Петровић"
    assert identity_of(result.cases[0].person)["birth_date"] == "1990-02-01"
    assert [c.person.sex for c in result.cases] == ["male", "female"]


@pytest.mark.django_db
def test_a_windows_1250_csv_with_serbian_latin_letters_is_read(inspector):
    data = "given_names;family_names;sex;interpreter_needed\r\nČedomir;Đurić;muški;ne\r\nŠejla;Žikić;ženski;da\r\n"
    rows = group.parse_group_csv(data.encode("cp1250"))
    assert [(r["given_names"], r["family_names"]) for r in rows] == [("Čedomir", "Đurić"), ("Šejla", "Žikić")]
    result = register(inspector, rows)
    assert identity_of(result.cases[0].person)["given_names"] == "Čedomir"
    assert [c.person.interpreter_needed for c in result.cases] == [False, True]


def test_a_windows_1251_csv_in_cyrillic_is_told_apart_from_windows_1250():
    data = "ime;prezime;pol\r\nЧедомир;Ђурић;м\r\nЉиљана;Његош;ж\r\n".encode("cp1251")
    assert group.decode_csv(data).splitlines()[1] == "Чедомир;Ђурић;м"
    assert group.decode_csv("Čedomir;Đurić;Šćepan\n".encode("cp1250")) == "Čedomir;Đurić;Šćepan\n"


@pytest.mark.django_db
def test_a_semicolon_csv_from_a_serbian_excel_with_dotted_dates_is_read(inspector):
    data = (
        "Ime;Prezime;Pol;Datum rođenja;Državljanstvo;Jezici;Prevodilac;Broj dokumenta\r\n"
        '\r\nJovan;Testić;M;3.4.1985.;ba;"bs, sr";da;AB 123\r\n;;;;;;;\r\n'
    )
    rows = group.parse_group_csv(data.encode())
    assert len(rows) == 1 and rows[0][group.ROW_KEY] == 3
    result = register(inspector, rows)
    person = result.cases[0].person
    assert (person.citizenship, person.languages, person.interpreter_needed) == ("BA", ["bs", "sr"], True)
    assert identity_of(person)["documents"] == ["AB 123"]


def test_the_separator_line_excel_may_write_is_honoured():
    rows = group.parse_group_csv(
        b"sep=;\r\ngiven_names;family_names;sex;languages\r\nJovan;Testic;m;bs, sr\r\n"
    )
    assert rows == [
        {
            group.ROW_KEY: 3,
            "given_names": "Jovan",
            "family_names": "Testic",
            "sex": "m",
            "languages": "bs, sr",
        }
    ]


def test_a_missing_column_is_named():
    with pytest.raises(group.GroupImportError) as caught:
        group.parse_group_csv(b"given_names,sex\nJovan,m\n")
    assert caught.value.errors[0]["row"] == 1
    assert caught.value.errors[0]["column"] == "family_names"
    assert "family_names" in caught.value.errors[0]["message"]


def test_an_unknown_column_is_named_with_the_known_ones():
    with pytest.raises(group.GroupImportError) as caught:
        group.parse_group_csv(b"given_names,family_names,sex,shoe_size\nJovan,Testic,m,44\n")
    error = caught.value.errors[0]
    assert error["column"] == "shoe_size" and "birth_date" in error["message"]


@pytest.mark.django_db
def test_a_bad_date_is_named_by_row_and_column():
    data = b"given_names,family_names,sex,birth_date\nJovan,Testic,m,1990-01-01\nAna,Testic,z,31.02.1990\n"
    with pytest.raises(group.GroupImportError) as caught:
        group.parse_group_csv(data)
    assert caught.value.errors == [
        {"row": 3, "column": "birth_date", "message": "Enter a real date as YYYY-MM-DD or DD.MM.YYYY."}
    ]
    assert "1 problem" in caught.value.message


@pytest.mark.django_db
def test_duplicate_rows_are_named_with_both_rows():
    data = (
        b"given_names,family_names,sex,birth_date,document_number\n"
        b"Jovan,Testic,m,1990-01-01,P1\nAna,Testic,z,,\nJOVAN,Testi\xc4\x87,m,01.01.1990,p-1\n"
    )
    with pytest.raises(group.GroupImportError) as caught:
        group.parse_group_csv(data)
    [error] = caught.value.errors
    assert error["row"] == 4 and "Rows 2 and 4" in error["message"]


@pytest.mark.django_db
def test_10000_rows_are_refused_with_the_limit_named_and_nothing_written(inspector):
    lines = ["given_names,family_names,sex"] + [f"Radnik,Test{letters(i)},m" for i in range(10_000)]
    before = counts()
    with pytest.raises(group.GroupImportError) as caught:
        group.parse_group_csv("\n".join(lines).encode())
    assert "5,000" in caught.value.message
    assert "5,000" in caught.value.errors[0]["message"] and "10,000" in caught.value.errors[0]["message"]
    assert counts() == before


# ---- the page -------------------------------------------------------------------------------------


def table_post(rows: list[dict], **extra) -> dict:
    data = {"rows": "10", "referral_source": "other_government", "incident_title": "Workers in a field"}
    data.update(extra)
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"r{i}-{key}"] = value
    return data


@pytest.mark.django_db
def test_the_page_registers_the_rows_of_the_table_and_lists_the_cases(client, world, inspector, centre):
    login_verified(client, inspector)
    page = client.get("/incidents/group/new/")
    assert page.status_code == 200 and page.content.decode().count('name="r9-given_names"') == 1
    rows = [
        {"given_names": "Jovan", "family_names": "Testić", "sex": "male", "birth_date": "1.2.1990"},
        {"given_names": "Ana", "family_names": "Testić", "sex": "female", "age_min": "15", "age_max": "16"},
        {
            "given_names": "Vu",
            "family_names": "Test",
            "sex": "male",
            "interpreter_needed": "yes",
            "languages": "vi",
        },
    ]
    response = client.post("/incidents/group/new/", table_post(rows, refer_to=str(centre.pk)))
    assert response.status_code == 302
    incident = Incident.objects.order_by("-id").first()
    assert response["Location"] == f"/cases/?q={incident.code}"
    cases = list(Case.objects.filter(incident=incident).order_by("id"))
    assert [c.is_child for c in cases] == [False, True, False]
    assert {c.status for c in cases} == {"referred"}
    listing = client.get(response["Location"]).content.decode()
    assert "3 persons registered" in listing and all(c.code in listing for c in cases)


@pytest.mark.django_db
def test_the_page_shows_every_problem_by_row_and_keeps_what_was_typed(client, inspector):
    login_verified(client, inspector)
    rows = [
        {"given_names": "Jovan", "family_names": "Testić", "sex": "male"},
        {},
        {"given_names": "Ana", "family_names": "Testić", "sex": "female", "birth_date": "2099-01-01"},
    ]
    before = counts()
    response = client.post("/incidents/group/new/", table_post(rows))
    body = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in body
    assert "Row 3, column birth_date: The date of birth cannot be in the future." in body
    assert 'value="2099-01-01"' in body and 'value="Jovan"' in body
    assert counts()[:6] == before[:6]


@pytest.mark.django_db
def test_more_rows_are_added_without_javascript(client, inspector):
    login_verified(client, inspector)
    response = client.post(
        "/incidents/group/new/", table_post([{"given_names": "Jovan"}], add_rows="1", referral_source="")
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'name="r19-given_names"' in body and 'value="Jovan"' in body
    assert 'value="20"' in body and "This field is required" not in body


@pytest.mark.django_db
def test_the_page_registers_an_uploaded_csv(client, inspector):
    login_verified(client, inspector)
    upload = codecs.BOM_UTF8 + "ime;prezime;pol\nPetar;Petrović;m\nMila;Petrović;ž\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = table_post([], file=SimpleUploadedFile("group.csv", upload, content_type="text/csv"))
    response = client.post("/incidents/group/new/", data)
    assert response.status_code == 302
    assert Case.objects.filter(incident__code=response["Location"].split("=")[1]).count() == 2


@pytest.mark.django_db
def test_the_template_csv_has_the_columns(client, inspector):
    login_verified(client, inspector)
    response = client.get("/incidents/group/template.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(codecs.BOM_UTF8)
    assert group.parse_group_csv(response.content + "Jovan,Testić,m\n".encode())[0]["sex"] == "m"


@pytest.mark.django_db
def test_a_prosecutor_gets_403_on_the_page_and_the_api(client, world):
    prosecutor = world.users[RoleCode.PROSECUTOR]
    login_verified(client, prosecutor)
    assert client.get("/incidents/group/new/").status_code == 403
    assert client.post("/incidents/group/new/", table_post(workers(1))).status_code == 403
    assert client.get("/incidents/group/template.csv").status_code == 403
    api = api_for(prosecutor)
    payload = {"incident": INCIDENT, "referral_source": "other_government", "persons": workers(1)}
    assert api.post("/api/v1/incidents/group/register/", payload, format="json").status_code == 403


# ---- the API --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_registers_screens_and_refers_a_group_from_json(world, inspector, centre):
    payload = {
        "incident": INCIDENT,
        "referral_source": "other_government",
        "persons": [
            {"given_names": "Van", "family_names": "Nguyen", "sex": "male", "age_min": 30, "age_max": 40},
            {
                "given_names": "Thi",
                "family_names": "Tran",
                "sex": "female",
                "birth_year": 2010,
                "languages": ["vi"],
            },
        ],
        "shared_screening": {"indicator_set": "labour", "version": "2026.1", "answers": LABOUR_ANSWERS},
        "refer_to": centre.code,
    }
    response = api_for(inspector).post("/api/v1/incidents/group/register/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    cases = [Case.objects.get(code=code) for code in body["cases"]]
    assert body["incident"] == cases[0].incident.code and body["batch"]
    assert (body["children"], body["screenings"], body["referrals"]) == (1, 2, 2)
    assert [c.is_child for c in cases] == [False, True]
    assert all(c.status == "referred" and c.screenings.count() == 1 for c in cases)


@pytest.mark.django_db
def test_the_api_answers_every_row_problem_with_row_and_column(inspector):
    payload = {
        "incident": INCIDENT,
        "referral_source": "other_government",
        "persons": [{"given_names": "Van", "family_names": "Nguyen"}, {"given_names": "Thi", "sex": "x"}],
    }
    before = counts()
    response = api_for(inspector).post("/api/v1/incidents/group/register/", payload, format="json")
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert [(e["row"], e["column"]) for e in body["extra"]["errors"]] == [(1, "sex"), (2, "sex")]
    assert counts()[:7] == before[:7]


@pytest.mark.django_db
def test_the_api_registers_a_csv_upload(inspector):
    data = "given_names;family_names;sex\r\nČedomir;Đurić;m\r\nJelena;Đurić;ž\r\n".encode("cp1250")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_for(inspector).post(
        "/api/v1/incidents/group/register/",
        {
            "file": SimpleUploadedFile("workers.csv", data, content_type="text/csv"),
            "referral_source": "other_government",
            "incident": '{"title": "Workers at a farm", "forms": ["labour"]}',
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["cases"]) == 2 and response.json()["batch"] == ""


@pytest.mark.django_db
def test_the_api_refuses_10000_rows_in_a_csv_and_writes_nothing(inspector):
    lines = ["given_names,family_names,sex"] + [f"Radnik,Test{letters(i)},m" for i in range(10_000)]
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = counts()
    response = api_for(inspector).post(
        "/api/v1/incidents/group/register/",
        {
            "file": SimpleUploadedFile("big.csv", "\n".join(lines).encode(), content_type="text/csv"),
            "referral_source": "other_government",
            "incident_code": "RS-I-2026-000001",
        },
        format="multipart",
    )
    assert response.status_code == 422
    assert "5,000" in response.json()["message"] and response.json()["extra"]["errors"][0]["row"] == 5002
    assert counts()[:7] == before[:7]
