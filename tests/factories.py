import datetime
import time

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.models import User
from patients.models import Patient

PASSWORD = "Correct-Horse-Battery-9"

# What the front desk types into the new-patient form.
PATIENT_FORM = {
    "first_name": "Lena",
    "last_name": "Kowalski",
    "date_of_birth": "1988-04-12",
    "sex": "female",
    "email": "lena.k@example.com",
    "mobile_phone": "(617) 555-0199",
    "preferred_channel": "email",
    "reminder_email_consent": "on",
    "country": "US",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@stride.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Sequence(lambda n: datetime.date(1950, 1, 1) + datetime.timedelta(days=(97 * n) % 20_000))
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    mobile_phone = factory.Sequence(lambda n: f"+1617555{n % 10000:04d}")
    sex = Patient.Sex.FEMALE


def sign_in(client, user):
    """Sign `user` in on a test client as the app would after both steps: staff also pass the code step."""
    from clinic import two_factor

    client.force_login(user)
    if two_factor.needs_second_factor(User.objects.get(pk=user.pk)):
        session = client.session
        session[two_factor.VERIFIED_DEVICE] = staff_device(user).pk
        session.save()
    return client


def next_sign_in_code(device):
    """A code the device accepts now: the current one, or the next step's if the current one was used."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    otp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    otp.time = time.time()
    if device.last_t is not None and otp.t() <= device.last_t:
        if device.last_t > otp.t():  # this and the next step are used: tests sign in more often than people do
            device.last_t, device.drift = -1, 0
            device.save(update_fields=["last_t", "drift"])
            otp.drift = 0
        else:  # the next step's code, within the device's tolerance of one step (t() adds the drift)
            otp.time = (device.last_t + 1 - device.drift) * device.step + device.t0
    return f"{otp.token():0{device.digits}d}"


def staff_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )


def on_the_grid(instant):
    """`instant` moved forward to the clinic's 15-minute grid, as a bookable start must be."""
    instant = instant.replace(second=0, microsecond=0)
    return instant + datetime.timedelta(minutes=-instant.minute % 15)


def linked_ids(text, prefix, read):
    """The ids the signed links in `text` after `prefix` open, read back with `read` (an app's token reader).

    A signed link carries the second it was made, so a link computed again a second later has other bytes:
    tests compare what a link opens, never its text.
    """
    import re

    return [read(token) for token in re.findall(re.escape(prefix) + r"([A-Za-z0-9_\-:]+)", text)]


def has_started(appointment, minutes_ago=20):
    """The visit as if its start had passed (bookings are refused in the past, so it is moved there directly)."""
    start = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    length = appointment.end_at - appointment.start_at
    from scheduling.models import Appointment

    Appointment.objects.filter(pk=appointment.pk).update(start_at=start, end_at=start + length, busy_start_at=start,
                                                         busy_end_at=start + length)
    appointment.refresh_from_db()
    return appointment


def wait_for(condition, *, timeout=20.0, every=0.1, message="condition"):
    """Poll `condition` until it returns something true (and return that), or fail after `timeout` seconds: for
    what another process (a worker, a server) does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
