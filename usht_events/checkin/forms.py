"""The forms of the check-in desk: the walk-in's details; scans and undo are plain posts."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField

from usht_events.registration.admin_forms import AddRegistrationForm


class WalkInForm(AddRegistrationForm):
    """The organiser's form for someone at the door, with the choice to go over capacity."""

    over_capacity = BooleanField(
        _l("Gi personen plass selv om arrangementet er fullt (over kapasiteten)")
    )
    session = HiddenField()
