"""Phone numbers: parsed leniently as typed, stored in E.164."""

from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError


def to_e164(raw):
    """Return `raw` as +15551234567, or raise ValidationError saying how to fix it."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError("Enter a phone number with its area code, for example (617) 555-0134.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("That is not a valid phone number; check the area code and the digit count.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=20_000)
def pretty(e164):
    """+16175550134 as (617) 555-0134 at home, in international form otherwise (cached: parsing is slow)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.PHONE_DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
