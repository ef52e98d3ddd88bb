"""Text typed into any form of ours may not hold NUL or other control characters.

PostgreSQL refuses text with a NUL in it, so before every text field was checked a NUL in
the login or reset e-mail was a server error there. Now each field says so beside itself,
the answer is 400 (422 for the public sign-up), and nothing is written.
"""

import re

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField, HiddenField, StringField, TextAreaField

from tests.catalogue.test_admin_views import new_event_form
from tests.conftest import AuthActions, _csrf_token
from tests.registration.test_signup_views import _form_fields, _valid
from usht_events.accounts.models import User
from usht_events.catalogue.models import Event
from usht_events.core.db import db
from usht_events.core.outbox import OutboxMessage
from usht_events.registration.models import Person, Registration

MESSAGE = "Feltet inneholder usynlige tegn eller kontrolltegn som ikke er tillatt."
# NUL, escape, DEL, and a right-to-left override that would turn the text around.
BAD = ("\x00", "\x1b", "\x7f", "\u202e")


def _all_form_classes() -> list[type]:
    found, pending = [], [FlaskForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("usht_events."):
                found.append(sub)
    return found


def _text_fields(form):
    """Every field a person types text into, nested rows included; not hidden fields."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _text_fields(entry.form if isinstance(entry, FormField) else [entry])
        elif isinstance(field, FormField):
            yield from _text_fields(field.form)
        elif isinstance(field, StringField) and not isinstance(field, HiddenField):
            yield field


def _filled(form_class, char: str):
    """The form posted with every text field holding `char`, every choice list empty."""
    blank = form_class(formdata=MultiDict(), meta={"csrf": False})
    names = [field.name for field in _text_fields(blank)]
    form = form_class(formdata=MultiDict(dict.fromkeys(names, f"a{char}b")), meta={"csrf": False})
    for field in form:
        if getattr(field, "choices", ()) is None:
            field.choices = []
    return form


def test_the_project_has_the_forms_this_test_expects(app):
    names = {cls.__name__ for cls in _all_form_classes()}
    assert {"LoginForm", "ResetRequestForm", "UserForm", "EventForm", "SignUpForm"} <= names


@pytest.mark.parametrize("char", BAD)
def test_every_text_field_of_every_form_refuses_control_characters(app, char):
    checked = []
    with app.test_request_context(method="POST"):
        for form_class in _all_form_classes():
            form = _filled(form_class, char)
            assert not form.validate() or not list(_text_fields(form)), form_class.__name__
            for field in _text_fields(form):
                where = f"{form_class.__name__}.{field.name}"
                assert field.errors[:1] == [MESSAGE], f"{where}: {field.errors}"
                checked.append(where)
    assert "EventForm.sessions-0-venue" in checked
    assert "ChangePasswordForm.new_password" in checked


@pytest.mark.parametrize("allowed", ["første linje\nandre linje", "kolonne\tkolonne", "a\r\nb"])
def test_multi_line_fields_keep_line_breaks_and_tabs(app, allowed):
    with app.test_request_context(method="POST"):
        for form_class in _all_form_classes():
            blank = form_class(formdata=MultiDict(), meta={"csrf": False})
            for field in _text_fields(blank):
                if not isinstance(field, TextAreaField):
                    continue
                field.process(MultiDict({field.name: allowed}))
                field.validate(blank)
                assert MESSAGE not in field.errors, f"{form_class.__name__}.{field.name}"


def test_a_one_line_field_refuses_a_line_break(app):
    from usht_events.accounts.forms import UserForm

    with app.test_request_context(method="POST"):
        form = UserForm(formdata=MultiDict({"name": "Kari\nNordmann"}), meta={"csrf": False})
        form.validate()
        assert form.name.errors == [MESSAGE]


# Over HTTP, on both databases


def _beside(page: str, field_id: str) -> bool:
    pattern = rf'id="{re.escape(field_id)}-error">{re.escape(MESSAGE)}</p>'
    return re.search(pattern, page) is not None


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _logged_in(app, make, role: str, **bindings):
    user, password = make.user(role=role, **bindings)
    db.session.commit()
    client = app.test_client()
    assert AuthActions(client).login(user.email, password).status_code == 302
    client.user = user
    return client


def _csrf(client, path: str) -> str:
    return _csrf_token(client.get(path).get_data(as_text=True))


@pytest.mark.parametrize("char", BAD)
@pytest.mark.parametrize("field", ["email", "password"])
def test_login_refuses_control_characters_beside_the_field(any_app, make, field, char):
    user, password = make.user(email="kari@usht.test")
    db.session.commit()
    client = any_app.test_client()
    data = {"email": user.email, "password": password} | {field: f"kari{char}@usht.test"}
    response = client.post("/login", data=data | {"csrf_token": _csrf(client, "/login")})
    assert response.status_code == 400
    assert _beside(response.get_data(as_text=True), field)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is None


@pytest.mark.parametrize("char", BAD)
def test_reset_request_refuses_control_characters_and_sends_nothing(any_app, make, char):
    make.user(email="kari@usht.test")
    db.session.commit()
    client = any_app.test_client()
    data = {"email": f"kari@usht.test{char}", "csrf_token": _csrf(client, "/login/reset")}
    response = client.post("/login/reset", data=data)
    assert response.status_code == 400
    assert _beside(response.get_data(as_text=True), "email")
    assert _count(OutboxMessage) == 0


@pytest.mark.parametrize("field", ["email", "name"])
def test_new_user_with_a_control_character_is_refused_and_not_created(any_app, make, field):
    admin = _logged_in(any_app, make, "admin")
    data = {"email": "ny@usht.test", "name": "Ny Bruker", "role": "admin", "send_link": "y"}
    data[field] = data[field].replace("@", "\x00@").replace(" ", "\x00 ")
    data["csrf_token"] = _csrf(admin, "/admin/users/new")
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == 400
    assert _beside(response.get_data(as_text=True), field)
    assert _count(User) == 1
    assert _count(OutboxMessage) == 0


def test_renaming_a_user_with_a_control_character_changes_nothing(any_app, make):
    admin = _logged_in(any_app, make, "admin")
    path = f"/admin/users/{admin.user.id}"
    data = {"name": "Ola\x1b[31m", "role": "admin", "active": "y"}
    response = admin.post(path, data=data | {"csrf_token": _csrf(admin, path)})
    assert response.status_code == 400
    assert _beside(response.get_data(as_text=True), "name")
    db.session.expire_all()
    assert db.session.get(User, admin.user.id).name == "Test Administrator"


@pytest.mark.parametrize(
    "field", ["title", "summary", "description", "venue", "contact_email", "sessions-0-venue"]
)
def test_event_editor_refuses_control_characters_and_saves_nothing(any_app, make, field):
    make.focus_area()
    make.certification_kind()
    centre = make.centre("ostfold", region=("3101", "3107"))
    organiser = _logged_in(any_app, make, "organiser", centre=centre)
    data = new_event_form(make, _csrf(organiser, "/admin/events/new"), **{field: "Mysen\x00"})
    response = organiser.post("/admin/events/new", data=data)
    assert response.status_code == 400
    assert _beside(response.get_data(as_text=True), field)
    assert _count(Event) == 0


def test_event_editor_keeps_line_breaks_and_tabs_in_the_description(any_app, make):
    make.focus_area()
    make.certification_kind()
    centre = make.centre("ostfold", region=("3101", "3107"))
    organiser = _logged_in(any_app, make, "organiser", centre=centre)
    text = "Dag 1:\n\tTeori\r\nDag 2:\n\tPraksis"
    data = new_event_form(make, _csrf(organiser, "/admin/events/new"), description=text)
    assert organiser.post("/admin/events/new", data=data).status_code == 302
    assert db.session.scalar(select(Event.description)) == "Dag 1:\n\tTeori\r\nDag 2:\n\tPraksis"


@pytest.mark.parametrize("field", ["name", "email", "phone", "workplace", "needs"])
def test_sign_up_refuses_control_characters_and_stores_nothing(any_app, make, field):
    make.municipality("3107")
    event = make.event(capacity=5)
    db.session.commit()
    client = any_app.test_client()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    data = _form_fields(page) | _valid(
        **{field: "912 34 567\x00" if field == "phone" else "a\x00b"}
    )
    response = client.post(f"/events/{event.id}/register", data=data)
    assert response.status_code == 422
    assert _beside(response.get_data(as_text=True), field)
    assert (_count(Registration), _count(Person)) == (0, 0)
