"""A person's page: what an organiser or administrator may see of their history."""

import pytest

from usht_events.certification.models import CertificationSource
from usht_events.core.db import db
from usht_events.registration.models import Attendance
from usht_events.reports.people import person_overview


@pytest.fixture
def two_centres(make):
    """One person registered at Østfold (attended one of two days) and at Buskerud."""
    ostfold, buskerud = make.centre("ostfold", region=("3107",)), make.centre("buskerud")
    person = make.person()
    here = make.registration(make.event(centre=ostfold, days=2), person)
    db.session.add(Attendance(registration=here, session=here.event.sessions[0]))
    there = make.registration(make.event(centre=buskerud), person)
    return person, here, there


def test_person_overview_shows_an_organiser_only_their_centre(app, make, two_centres):
    person, here, _ = two_centres
    user, _ = make.user(role="organiser", centre=here.event.centre)
    overview = person_overview(db.session, user, person.id)
    (item,) = overview.registrations
    assert (item.registration, item.attended, item.sessions) == (here, 1, 2)


def test_person_overview_shows_an_administrator_everything(app, make, two_centres):
    person, *_ = two_centres
    user, _ = make.user(role="admin")
    assert len(person_overview(db.session, user, person.id).registrations) == 2


def test_person_overview_is_none_for_a_person_of_another_centre(app, make, two_centres):
    person, *_ = two_centres
    user, _ = make.user(role="organiser", centre=make.centre("vestfold"))
    assert person_overview(db.session, user, person.id) is None


def test_person_overview_shows_certifications_from_own_events_or_region(app, make, two_centres):
    person, here, there = two_centres
    kind = make.certification_kind()
    own = make.certification(person, kind=kind, event=here.event, source=CertificationSource.EVENT)
    imported = make.certification(person, kind=kind, municipality_number="3107")
    make.certification(
        person,
        kind=kind,
        event=there.event,
        source=CertificationSource.EVENT,
        municipality_number=make.municipality("3301").number,
    )
    user, _ = make.user(role="organiser", centre=here.event.centre)
    overview = person_overview(db.session, user, person.id)
    assert {item.id for item in overview.certifications} == {own.id, imported.id}
