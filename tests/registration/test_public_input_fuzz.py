"""Whatever a stranger types or links to, the public side answers without a server error,
and a refused sign-up leaves nothing behind. Hypothesis writes the input; both databases.
"""

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from usht_events.core.db import db
from usht_events.registration.models import Person, Profession, Registration

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Any text at all, with the characters that break things made likely.
nasty_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("\x00\x1f\u202e\ufeff<>\"'&%;/\\ ÆØÅæøå"), max_size=40),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "x" * 5000, "💉🩺", ""]),
)


@pytest.fixture
def open_event(any_app, make):
    for number in ("3101", "3107"):
        make.municipality(number)
    event = make.event(capacity=2, eligible=("3101", "3107"))
    db.session.commit()
    return event


def _counts() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(Registration.id))),
        db.session.scalar(select(func.count(Person.id))),
    )


@FUZZ
@given(text=nasty_text)
def test_public_addresses_never_answer_with_a_server_error(any_app, open_event, text):
    client = any_app.test_client()
    piece = quote(text, safe="")
    paths = [
        f"/r/{piece}",
        f"/r/{piece}/cancel",
        f"/t/{piece}",
        f"/calendar/personal/{piece}.ics",
        f"/events?q={piece}&centre={piece}&focus={piece}&kind={piece}",
        f"/events?municipality={piece}&from={piece}&to={piece}&page={piece}",
        f"/api/v1/events?q={piece}&municipality={piece}&from={piece}&page={piece}",
        f"/calendar.ics?centre={piece}&focus={piece}&kind={piece}",
        f"/events/{open_event.id}?lang={piece}",
    ]
    for path in paths:
        status = client.get(path).status_code
        assert status < 500, f"{path} answered {status}"


signups = st.fixed_dictionaries(
    {
        "name": st.one_of(st.just("Kari Nordmann"), nasty_text),
        "email": st.one_of(st.emails(), nasty_text),
        "phone": st.one_of(st.sampled_from(["", "912 34 567", "+47 912 34 567"]), nasty_text),
        "municipality": st.one_of(
            st.sampled_from(["3101", "3107", "0301", "9999", ""]), nasty_text
        ),
        "workplace": st.one_of(st.just("Gressvik sykehjem"), nasty_text),
        "profession": st.one_of(st.sampled_from([p.value for p in Profession]), nasty_text),
        "needs": st.one_of(st.just(""), nasty_text),
        "consent": st.sampled_from(["y", "", "on", "nei"]),
        "form_key": st.one_of(st.from_regex(r"\A[A-Za-z0-9_-]{16,64}\Z"), nasty_text),
    }
)


@FUZZ
@given(signup=signups)
def test_any_sign_up_form_is_answered_and_a_refusal_stores_nothing(any_app, open_event, signup):
    client = any_app.test_client()
    page = client.get(f"/events/{open_event.id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    registrations, people = _counts()
    response = client.post(f"/events/{open_event.id}/register", data=signup | {"csrf_token": csrf})
    status = response.status_code
    assert status in {200, 303, 403, 409, 422}, status
    after = _counts()
    if status == 303:
        # A new place, or the same place again: this person's place on this event, made
        # by this very form.
        replayed = db.session.scalar(
            select(func.count(Registration.id))
            .join(Person, Person.id == Registration.person_id)
            .where(
                Registration.event_id == open_event.id,
                Registration.is_active,
                Registration.idempotency_key == signup["form_key"],
                Person.email == signup["email"].lower(),
            )
        )
        assert after[0] == registrations + 1 or (after[0] == registrations and replayed == 1)
    else:
        # 200 is "check your e-mail" for an address that already has a place.
        assert after == (registrations, people), (status, signup)


@pytest.mark.parametrize(
    "path",
    [
        "/r/ab%00cd",
        "/r/ab%00cd/cancel",
        "/t/AB%00CD",
        "/calendar/personal/a%00b.ics",
        "/calendar.ics?centre=%00",
        "/events?page=%C2%B9",  # "¹", a digit to str.isdigit but not to int()
    ],
)
def test_addresses_that_once_gave_a_server_error(any_app, path):
    """Found by the tests above on PostgreSQL, which refuses text with a NUL in it."""
    assert any_app.test_client().get(path).status_code in {200, 400}
