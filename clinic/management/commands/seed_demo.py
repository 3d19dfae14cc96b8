import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinic import roles
from clinic.demo import STORIES, seed_patient_stories
from intake.demo import load_demo_instruments
from patients.demo import demo_mrn, demo_patient
from patients.models import Patient
from scheduling.demo import seed_schedule

DEMO_PASSWORD = "StrideDemo-2026"
STAFF = [
    ("admin@stride.test", "Alex", "Admin", roles.ADMIN),
    ("frontdesk@stride.test", "Frankie", "Desk", roles.FRONT_DESK),
    ("dr.rivera@stride.test", "Sam", "Rivera", roles.CLINICIAN),
    ("dr.chen@stride.test", "Jordan", "Chen", roles.CLINICIAN),
    ("dr.okafor@stride.test", "Amara", "Okafor", roles.CLINICIAN),
    ("dr.novak@stride.test", "Petra", "Novak", roles.CLINICIAN),
]
PATIENT_LOGIN = "patient@stride.test"


class Command(BaseCommand):
    help = "Create a synthetic demo clinic: staff logins for each role, patients and a schedule. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=200, help="How many demo patients (default 200).")
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument(
            "--staging", action="store_true",
            help="Allow it without DEBUG (a staging copy, never production): every demo login gets a new random "
                 "password, printed once.",
        )

    def handle(self, *args, patients, batch, staging=False, **options):
        if not settings.DEBUG and not staging:
            raise CommandError(
                "seed_demo makes logins with a published password, so it runs only with DEBUG=1. For a staging "
                "copy add --staging (random passwords, printed once); for production see the README's first admin."
            )
        # Without DEBUG the published password would open a real server: each login gets its own instead.
        self.passwords = {} if settings.DEBUG else None
        self.random_passwords = {}
        with transaction.atomic():
            logins = self._staff()
            # Placeholder ODI and LEFS, marked demo wording, loaded as a clinic loads its licensed files.
            load_demo_instruments()
        count = patients
        created = self._patients(patients, batch)
        with transaction.atomic():
            logins.append(self._patient_login())
            clinicians = [u for u in self._users_in(roles.CLINICIAN)]
            mrns = [demo_mrn(i) for i in range(min(count, 200))]
            demo_patients = sorted(Patient.objects.filter(mrn__in=mrns), key=lambda p: mrns.index(p.mrn))
            desk = next(iter(self._users_in(roles.FRONT_DESK)), None)
            # The first few patients have a history (intake, signed exams, scores over weeks); the rest fill the days.
            story_patients, others = demo_patients[:len(STORIES)], demo_patients[len(STORIES):] or demo_patients
            visits = seed_schedule(clinicians, others, front_desk=desk, before_visits=lambda found: seed_patient_stories(
                patients=story_patients, clinicians=found, front_desk=desk))
        self.stdout.write(f"Schedule: 2 locations, {len(clinicians)} clinicians, {visits} new appointments; "
                          f"{min(len(STORIES), len(demo_patients))} patients with intakes, exams and scores.")
        self.stdout.write(self.style.SUCCESS(f"Demo clinic ready: {created} new patients, {patients} in all."))
        if self.passwords is None:
            self.stdout.write("Sign in at /accounts/login/ with these passwords (shown only now, keep them safe):")
            for email, role in logins:
                self.stdout.write(f"  {role:<11} {email:<24} {self.random_passwords[email]}")
            return
        self.stdout.write(f"Sign in at /accounts/login/ with password {DEMO_PASSWORD!r}:")
        for email, role in logins:
            self.stdout.write(f"  {role:<11} {email}")

    def _user(self, email, first, last, role):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last, "is_staff": role == roles.ADMIN}
        )
        if self.passwords is None:
            self.random_passwords[email] = secrets.token_urlsafe(12)
            user.set_password(self.random_passwords[email])
            user.save()
        elif created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        return user

    def _users_in(self, role):
        emails = [email for email, _, _, r in STAFF if r == role]
        return sorted(get_user_model().objects.filter(email__in=emails), key=lambda u: emails.index(u.email))

    def _staff(self):
        return [(self._user(email, first, last, role).email, role) for email, first, last, role in STAFF]

    def _patients(self, count, batch):
        existing = set(Patient.objects.filter(mrn__in=[demo_mrn(i) for i in range(count)]).values_list("mrn", flat=True))
        missing = [i for i in range(count) if demo_mrn(i) not in existing]
        for start in range(0, len(missing), batch):
            Patient.objects.bulk_create(
                [demo_patient(i) for i in missing[start : start + batch]], ignore_conflicts=True
            )
            if len(missing) > batch:
                self.stdout.write(f"  patients {min(start + batch, len(missing))}/{len(missing)}")
        return len(missing)

    def _patient_login(self):
        user = self._user(PATIENT_LOGIN, "Avery", "Patient", roles.PATIENT)
        patient = Patient.objects.get(mrn=demo_mrn(0))
        if patient.user_id is None and not hasattr(user, "patient"):
            patient.user = user
            patient.save(update_fields=["user"])
        return user.email, roles.PATIENT
