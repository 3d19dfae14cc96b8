"""The one place that bounds every date and instant a request carries, where it is parsed.

Python's datetime ends at year 9999 and begins at year 1: a visit on 9999-12-31 plus its duration, or year 1 moved to
UTC, raises OverflowError, and anything before 1883 comes back in local mean time (New York's -04:56:02), which no
client can read. So forms, API serializers and query parameters take dates through these fields, which refuse what
lies outside the clinic's calendar with a message next to the field:

- visit days and instants (bookings, moves, calendar and availability ranges, waitlists): 2000-01-01 to 2099-12-31;
- birth dates: 1900-01-01 to today;
- other past dates a patient gives (when a problem began): from 1900-01-01 (the form refuses a future one).
"""

from datetime import UTC, date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
FIRST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
END_INSTANT = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive
FIRST_BIRTH_DAY = date(1900, 1, 1)

VISIT_RANGE = _("Choose a date between 2000-01-01 and 2099-12-31.")  # FIRST_DAY and LAST_DAY
BIRTH_FUTURE = _("The date of birth cannot be in the future; check the year.")
BIRTH_EARLY = _("Check the year of the date of birth: it is before 1900.")
PAST_RANGE = _("Check the year: choose a date after 1900.")
UNREADABLE = _("Enter a real date and time, for example 2027-03-09T14:30:00-05:00.")


def day_error(day):
    """Why a visit or range day is refused, or None."""
    if not FIRST_DAY <= day <= LAST_DAY:
        return VISIT_RANGE
    return None


def instant_error(instant):
    """Why a visit instant is refused, or None (an aware datetime; a naive one is read as UTC)."""
    try:
        utc = instant.astimezone(UTC) if timezone.is_aware(instant) else instant.replace(tzinfo=UTC)
    except OverflowError:
        return VISIT_RANGE
    if not FIRST_INSTANT <= utc < END_INSTANT:
        return VISIT_RANGE
    return None


def birth_date_error(day):
    if day > timezone.localdate():
        return BIRTH_FUTURE
    if day < FIRST_BIRTH_DAY:
        return BIRTH_EARLY
    return None


def past_date_error(day):
    """A day a patient remembers (a problem's onset): not before 1900; the form says what a future one means."""
    if day < FIRST_BIRTH_DAY:
        return PAST_RANGE
    return None


def parse_day(text):
    """A visit day from a query parameter (YYYY-MM-DD) inside the bounds, or None."""
    try:
        day = date.fromisoformat(text or "")
    except (TypeError, ValueError):
        return None
    return None if day_error(day) else day


def check_instant(instant):
    """Raise ValidationError for a visit instant outside the bounds (the services' own guard)."""
    error = instant_error(instant)
    if error:
        raise ValidationError({"start": error})


# Form fields ------------------------------------------------------------------------------------------------


class _BoundedFormDate(forms.DateField):
    check = staticmethod(day_error)

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None:
            error = self.check(day)
            if error:
                raise ValidationError(error, code="out_of_range")
        return day


class DayField(_BoundedFormDate):
    """A visit day on a form (booking, move, series, waitlist, calendar steps)."""


class BirthDateField(_BoundedFormDate):
    check = staticmethod(birth_date_error)


class PastDateField(_BoundedFormDate):
    check = staticmethod(past_date_error)


class InstantField(forms.DateTimeField):
    """A visit instant typed on a form, in the current time zone."""

    def to_python(self, value):
        try:
            instant = super().to_python(value)
        except OverflowError:
            raise ValidationError(UNREADABLE, code="invalid") from None
        if instant is not None:
            error = instant_error(instant)
            if error:
                raise ValidationError(error, code="out_of_range")
        return instant


# API fields -----------------------------------------------------------------------------------------------


class ApiDayField(serializers.DateField):
    """A visit or range day in a request body or query string."""

    check = staticmethod(day_error)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        error = self.check(day)
        if error:
            raise serializers.ValidationError(error, code="out_of_range")
        return day


class ApiBirthDateField(ApiDayField):
    check = staticmethod(birth_date_error)


class ApiInstantField(serializers.DateTimeField):
    """A visit instant in a request: ISO 8601, refused outside the bounds before any arithmetic can overflow."""

    default_error_messages = {"overflow": VISIT_RANGE}  # DRF's own word for an instant its zone cannot hold

    def to_internal_value(self, value):
        try:
            instant = super().to_internal_value(value)
        except OverflowError:
            raise serializers.ValidationError(UNREADABLE, code="invalid") from None
        error = instant_error(instant)
        if error:
            raise serializers.ValidationError(error, code="out_of_range")
        return instant
