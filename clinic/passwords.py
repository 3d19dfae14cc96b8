"""Password length by role: staff reach every patient's record, so their passwords are longer."""

from django.core.exceptions import ValidationError

from . import roles


class RoleMinimumLengthValidator:
    """At least 12 characters for staff, 8 for patients (and for an account with no role yet: 12)."""

    def __init__(self, staff_length=12, patient_length=8):
        self.staff_length, self.patient_length = staff_length, patient_length

    def _minimum(self, user):
        names = getattr(user, "role_names", set()) if user is not None and user.pk else set()
        is_patient_only = roles.PATIENT in names and not names & set(roles.STAFF_ROLES) and not user.is_staff
        return self.patient_length if is_patient_only else self.staff_length

    def validate(self, password, user=None):
        minimum = self._minimum(user)
        if len(password) < minimum:
            raise ValidationError(
                f"This password is too short. It must contain at least {minimum} characters.",
                code="password_too_short", params={"min_length": minimum},
            )

    def get_help_text(self):
        return (f"At least {self.staff_length} characters for staff, {self.patient_length} for patients; "
                "a few words strung together make a strong, memorable password.")
