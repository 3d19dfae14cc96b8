from django.conf import settings

from . import kiosk, roles, two_factor


def stride(request):
    user = request.user
    names = user.role_names if user.is_authenticated else set()
    return {
        "CLINIC_NAME": settings.CLINIC_NAME,
        "is_admin": user.is_authenticated and (user.is_superuser or roles.ADMIN in names),
        "is_front_desk": roles.FRONT_DESK in names,
        "is_clinician": roles.CLINICIAN in names,
        "is_patient_user": roles.PATIENT in names,
        # Signed in with a password only: the menu would lead nowhere until the code is entered.
        "awaiting_code": two_factor.needs_second_factor(user) and not two_factor.is_verified(request),
        # Handed to a patient: no staff menu, and the form's pages offer the way to unlock.
        "kiosk_locked": kiosk.state(request) is not None,
    }
