"""Print a staff member's current sign-in code: for trying the demo without an authenticator app."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current 6-digit sign-in code of a demo staff member (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("Only for the demo (DEBUG=1): real staff use their authenticator app.")
        # The confirmed device, else the one being set up on the sign-in page right now.
        device = TOTPDevice.objects.filter(user__email__iexact=email).order_by("-confirmed", "pk").first()
        if device is None:
            raise CommandError(f"{email} has no sign-in codes yet: sign in with the password first.")
        otp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{otp.token():0{device.digits}d}")
