from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from intake import services
from intake.checks import odi_notice
from intake.selectors import active_instruments


class Command(BaseCommand):
    help = ("Load an instrument definition file (YAML, docs/instrument-files.md): the intake asks it from now on. "
            "Every problem in the file is printed with its line, and nothing is loaded.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The instrument file, e.g. odi-licensed.yaml.")
        parser.add_argument("--by", default="", help="Email of the staff member loading it (kept with the version).")

    def handle(self, *args, file, by, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        actor = None
        if by:
            actor = get_user_model().objects.filter(email__iexact=by).first()
            if actor is None:
                raise CommandError(f"No staff member with the email {by}.")
        try:
            row = services.instrument_load(content=path.read_bytes(), source_name=path.name, actor=actor)
        except services.InstrumentFileInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(f"{exc.message} ({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''})") from None
        wording = "DEMO WORDING (scores marked demo wording, never shown as this instrument's score)" if row.demo_wording \
            else "licensed wording"
        self.stdout.write(self.style.SUCCESS(f"Loaded {row.title}, version {row.version} ({row.code}, {wording}). "
                                             f"The intake form asks it from now on."))
        notice = odi_notice(active_instruments())
        if notice:
            self.stdout.write(self.style.WARNING(notice))
