"""Every back-office route against every kind of visitor.

The tables below are the intended access. A new /admin route that is not listed in ACCESS
makes `test_every_admin_route_is_listed` fail, and a route outside /admin that declares
its roles (the municipalities' rosters and start page) not listed in LOGGED_IN_ACCESS makes
`test_every_logged_in_route_outside_admin_is_listed` fail, so nobody can add one without
deciding who may use it.
"""

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.factories import Factories
from usht_events.accounts.access import allowed_roles
from usht_events.catalogue.models import QuestionKind
from usht_events.catalogue.questions import QuestionSpec, add_question
from usht_events.core.db import db
from usht_events.organisations.models import Municipality
from usht_events.organisations.rules import load_municipalities

ROLES = ("anonymous", "municipality", "other_organiser", "organiser", "admin")

# Who gets what: "ok" means the view runs (any status but 401/403/404 and never a 5xx).
STAFF = {"municipality": 403, "other_organiser": "ok", "organiser": "ok", "admin": "ok"}
OWN_CENTRE = {"municipality": 403, "other_organiser": 404, "organiser": "ok", "admin": "ok"}
ADMIN_ONLY = {"municipality": 403, "other_organiser": 403, "organiser": 403, "admin": "ok"}
# A roster of municipality 3107: its contact, centre A (whose region holds it), administrators.
ROSTER = {"municipality": "ok", "other_organiser": 404, "organiser": "ok", "admin": "ok"}
CONTACTS_ONLY = {"municipality": "ok", "other_organiser": 403, "organiser": 403, "admin": 403}

ACCESS = {
    "dashboard.index": STAFF,
    "dashboard.failed_mail": STAFF,
    "events_admin.decide_event": OWN_CENTRE,
    "dashboard.event_log": OWN_CENTRE,
    "dashboard.retry_mail": OWN_CENTRE,
    "events_admin.list_events": STAFF,
    "catalogue_admin.new_event": STAFF,
    "catalogue_admin.import_programme": STAFF,
    "catalogue_admin.import_template": STAFF,
    "events_admin.edit_event": OWN_CENTRE,
    "events_admin.preview_event": OWN_CENTRE,
    "questions_admin.list_questions": OWN_CENTRE,
    "questions_admin.edit_question": OWN_CENTRE,
    "questions_admin.delete_question": OWN_CENTRE,
    "questions_admin.move_question": OWN_CENTRE,
    "events_admin.cancel_event": OWN_CENTRE,
    "catalogue_admin.duplicate_event": OWN_CENTRE,
    "catalogue_admin.publish_event": OWN_CENTRE,
    "events_admin.unpublish_event": OWN_CENTRE,
    "registration_admin.list_registrations": OWN_CENTRE,
    "registration_admin.export_registrations_csv": OWN_CENTRE,
    "registration_admin.export_registrations_xlsx": OWN_CENTRE,
    "registration_admin.add_registration": OWN_CENTRE,
    "registration_admin.message_participants": OWN_CENTRE,
    "registration_admin.attendance_sheet": OWN_CENTRE,
    "places_admin.cancel_registration": OWN_CENTRE,
    "places_admin.promote_registration": OWN_CENTRE,
    "places_admin.resend_confirmation": OWN_CENTRE,
    "places_admin.reissue_ticket": OWN_CENTRE,
    "places_admin.act_on_selection": OWN_CENTRE,
    "people.show_person": OWN_CENTRE,
    "checkin_admin.desk_page": OWN_CENTRE,
    "checkin_admin.snapshot": OWN_CENTRE,
    "checkin_admin.sync": OWN_CENTRE,
    "checkin_admin.undo": OWN_CENTRE,
    "checkin_admin.walk_in": OWN_CENTRE,
    "checkin_admin.service_worker": STAFF,
    "reports.participation": STAFF,
    "reports.participation_xlsx": STAFF,
    "accounts_admin.list_users": ADMIN_ONLY,
    "accounts_admin.new_user": ADMIN_ONLY,
    "accounts_admin.edit_user": ADMIN_ONLY,
    "accounts_admin.send_reset": ADMIN_ONLY,
    "places_admin.override_completion": OWN_CENTRE,
    "certification_admin.certify_event": OWN_CENTRE,
    "certification_admin.show_certification": OWN_CENTRE,
    "certification_admin.revoke_certification": OWN_CENTRE,
    "certification_admin.certificate_pdf": OWN_CENTRE,
    "certification_admin.import_certifications": STAFF,
    "certification_admin.import_template_csv": STAFF,
    "certification_admin.import_template_xlsx": STAFF,
    "catalogue_setup.index": ADMIN_ONLY,
    "catalogue_setup.list_kinds": ADMIN_ONLY,
    "catalogue_setup.new_kind": ADMIN_ONLY,
    "catalogue_setup.edit_kind": ADMIN_ONLY,
    "catalogue_setup.list_focus_areas": ADMIN_ONLY,
    "catalogue_setup.new_focus_area": ADMIN_ONLY,
    "catalogue_setup.edit_focus_area": ADMIN_ONLY,
    "catalogue_setup.list_series": ADMIN_ONLY,
    "catalogue_setup.new_series": ADMIN_ONLY,
    "catalogue_setup.edit_series": ADMIN_ONLY,
    "catalogue_setup.list_centres": ADMIN_ONLY,
    "catalogue_setup.new_centre": ADMIN_ONLY,
    "catalogue_setup.edit_centre": ADMIN_ONLY,
}

# Routes outside /admin that need a login (anonymous visitors are sent to it).
LOGGED_IN_ACCESS = {
    "rosters.start_page": CONTACTS_ONLY,
    "rosters.roster": ROSTER,
    "rosters.roster_csv": ROSTER,
    "rosters.roster_xlsx": ROSTER,
}


@dataclass
class World:
    """Two centres, their organisers, a contact, an administrator, and centre A's data."""

    users: dict
    ids: dict


@pytest.fixture
def world(app, make) -> World:
    return build_world(make)


def build_world(make) -> World:
    """Centre A with a full event, two places and a failed mail; every kind of user."""
    centre = make.centre("ost", region=("3107",))
    other_centre = make.centre("vest", region=("3907",))
    event = make.event(centre=centre, capacity=1)
    registration = make.registration(event)
    make.registration(event)  # waitlisted-to-be: a second place on a full event
    message = make.failed_mail(event)
    question = add_question(
        make.session, None, event.id, QuestionSpec("Hvilken gruppe?", QuestionKind.SHORT_TEXT)
    )
    kind = make.certification_kind()
    certification = make.certification(
        person=registration.person, kind=kind, event=event, source="event"
    )
    series = make.series(centre=centre)
    users = {
        "admin": make.user(role="admin")[0],
        "organiser": make.user(role="organiser", centre=centre)[0],
        "other_organiser": make.user(role="organiser", centre=other_centre)[0],
        "municipality": make.user(role="municipality", municipalities=("3107",))[0],
    }
    db.session.commit()
    ids = {
        "event_id": event.id,
        "registration_id": registration.id,
        "person_id": registration.person_id,
        "message_id": message.id,
        "user_id": users["municipality"].id,
        "certification_id": certification.id,
        "kind_id": kind.id,
        "focus_area_id": event.focus_area_id,
        "series_id": series.id,
        "centre_id": centre.id,
        "number": "3107",
        "extension": "xlsx",
        "question_id": question.id,
    }
    return World(users, ids)


def _admin_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")]


def test_every_admin_route_is_listed(app):
    assert {rule.endpoint for rule in _admin_rules(app)} == set(ACCESS)


def _logged_in_rules(app):
    """Routes outside /admin whose views declare roles (accounts/access.py)."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith("/admin") and allowed_roles(app.view_functions[rule.endpoint])
    ]


def test_every_logged_in_route_outside_admin_is_listed(app):
    assert {rule.endpoint for rule in _logged_in_rules(app)} == set(LOGGED_IN_ACCESS)


def _client_as(app, world: World, role: str):
    client = app.test_client()
    if role != "anonymous":
        token = Factories(db.session).login_token(world.users[role])
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
    page = client.get("/").get_data(as_text=True)
    client.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client


def url_for_rule(rule, ids: dict) -> str:
    """The rule's URL with the world's ids filled in."""
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(ids[name]), url)
    return url


def test_a_contact_probing_every_other_municipality_sees_no_roster(app, world):
    """Every number of Norway but their own, on every roster route: 404, never the data."""
    load_municipalities(db.session)
    db.session.commit()
    client = _client_as(app, world, "municipality")
    numbers = list(db.session.scalars(select(Municipality.number)))
    assert len(numbers) == 357
    for rule in _logged_in_rules(app):
        if "number" not in rule.arguments:
            continue
        for number in [*numbers, "0000", "31070", "abcd", "-310"]:
            answer = client.get(url_for_rule(rule, {"number": number}))
            expected = 200 if number == "3107" else 404
            assert answer.status_code == expected, (rule.rule, number)
            if number != "3107":
                assert world.users["municipality"].email.encode() not in answer.data


def _call(client, rule, ids: dict, method: str):
    url = url_for_rule(rule, ids)
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": client.csrf})


@pytest.mark.parametrize("endpoint", sorted(ACCESS) + sorted(LOGGED_IN_ACCESS))
def test_access_is_as_intended(app, world, endpoint):
    (rule,) = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    methods = sorted(rule.methods & {"GET", "POST"})
    expected = {**ACCESS, **LOGGED_IN_ACCESS}[endpoint]
    # Refused visitors first: an allowed POST may change what later requests see.
    for role in ROLES:
        client = _client_as(app, world, role)
        for method in methods:
            response = _call(client, rule, world.ids, method)
            where = f"{method} {rule.rule} as {role}: {response.status_code}"
            if role == "anonymous":
                assert response.status_code == 302, where
                assert "/login" in response.location, where
            elif expected[role] == "ok":
                assert response.status_code not in (401, 403, 404), where
                assert response.status_code < 500, where
            else:
                assert response.status_code == expected[role], where
