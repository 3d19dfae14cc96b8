import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Patient

from .calendar_layout import CSS_COLOR

COLOR_HELP = "A CSS colour, e.g. #2a9d8f."


def new_token():
    return secrets.token_urlsafe(24)


class ClinicSettings(models.Model):
    """Clinic-wide scheduling rules, one row, edited by admins in the staff admin."""

    auto_confirm_online_bookings = models.BooleanField(
        default=True, help_text="Off: online bookings wait as requests for the front desk."
    )
    min_notice_hours = models.PositiveIntegerField(default=12)
    booking_horizon_days = models.PositiveIntegerField(default=90)
    patient_change_cutoff_hours = models.PositiveIntegerField(
        default=24, help_text="Patients may reschedule or cancel online until this many hours before."
    )
    telehealth_base_url = models.URLField(default="https://meet.jit.si")
    slot_grid_minutes = models.PositiveIntegerField(default=15)

    class Meta:
        verbose_name = "clinic settings"
        verbose_name_plural = "clinic settings"

    def __str__(self):
        return "Clinic settings"

    CACHE_KEY = "stride:clinic-settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @classmethod
    def load(cls):
        """The settings row, cached for a minute (every page and slot search reads it)."""
        obj = cache.get(cls.CACHE_KEY)
        if obj is None:
            obj, _ = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, obj, 60)
        return obj


class Location(models.Model):
    name = models.CharField(max_length=100)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    time_zone = models.CharField(max_length=64, default=settings.TIME_ZONE)
    phone = models.CharField(max_length=20, blank=True)
    arrival_notes = models.TextField(blank=True, help_text="Parking, entrance, what to wear.")
    color = models.CharField(
        "colour", max_length=20, blank=True, validators=[RegexValidator(CSS_COLOR, "Type a CSS colour, e.g. #6f42c1.")],
        help_text="Its visits' mark on the calendar when the clinic has more than one location, e.g. #6f42c1. "
                  "Blank: one is chosen for it.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    CACHE_KEY = "stride:active-locations"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_active_locations()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_active_locations()
        return result

    @property
    def address(self):
        return ", ".join(p for p in [self.address_line1, self.address_line2, self.city, self.state] if p) + (
            f" {self.postal_code}" if self.postal_code else ""
        )


def forget_active_locations():
    """The calendar's cached list of locations (scheduling.selectors.active_locations) is drawn again: now, and
    after the commit, so a page drawn meanwhile cannot keep the old list."""
    cache.delete(Location.CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(Location.CACHE_KEY))


class Equipment(models.Model):
    """Something a room has and a visit may need: an instrumented treadmill, an ultrasound unit, a plinth."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "equipment"

    def __str__(self):
        return self.name


class Room(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    equipment = models.ManyToManyField(Equipment, related_name="rooms", blank=True)

    class Meta:
        ordering = ["location", "name"]

    def __str__(self):
        return f"{self.name} ({self.location})"


class Modality(models.TextChoices):
    IN_OFFICE = "in_office", "In-office"
    TELEHEALTH = "telehealth", "Telehealth"


class VisitType(models.Model):
    class Offered(models.TextChoices):
        IN_OFFICE = "in_office", "In-office only"
        TELEHEALTH = "telehealth", "Telehealth only"
        EITHER = "either", "In-office or telehealth"

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    arrival_notes = models.TextField(
        blank=True, help_text="What patients of this visit need to know, with the location's notes: e.g. 'Wear "
                              "shorts and running shoes' for a gait analysis. Sent with the confirmation and reminders.")
    modality = models.CharField(max_length=10, choices=Offered.choices, default=Offered.IN_OFFICE)
    duration_minutes = models.PositiveIntegerField()
    buffer_before_minutes = models.PositiveIntegerField(default=0)
    buffer_after_minutes = models.PositiveIntegerField(default=0)
    color = models.CharField(max_length=20, default="#2a9d8f", help_text=COLOR_HELP)
    bookable_online = models.BooleanField(default=True)
    needs_intake = models.BooleanField(default=False)
    equipment_needed = models.ManyToManyField(
        Equipment, related_name="visit_types", blank=True,
        help_text="The visit gets a room with all of these (and, of those, the one with the least else).",
    )
    price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True, help_text="For display.")
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def offers(self, modality):
        return self.modality == self.Offered.EITHER or self.modality == modality

    @property
    def modalities(self):
        if self.modality == self.Offered.EITHER:
            return [Modality.IN_OFFICE, Modality.TELEHEALTH]
        return [Modality(self.modality)]


def intake_missing(needs_intake, intake_completed_at, status):
    """The visit needs the intake form, the patient has not finished it, and the visit is still ahead."""
    return needs_intake and intake_completed_at is None and status in Appointment.MOVABLE


def clinician_display_name(name, credentials):
    """'Dana Okafor, DPT'."""
    return f"{name}, {credentials}" if credentials else name


def validate_npi(value):
    """A US National Provider Identifier: 10 digits whose last is the Luhn check digit over 80840 + the first 9."""
    if not (len(value) == 10 and value.isascii() and value.isdigit()):
        raise ValidationError(_("An NPI is 10 digits, e.g. 1234567893."))
    digits = [int(d) for d in "80840" + value]
    total = sum(d if i % 2 != len(digits) % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    if total % 10:
        raise ValidationError(_("That NPI's check digit does not match: check each digit against the NPI registry."))


class Clinician(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinician")
    credentials = models.CharField(max_length=60, blank=True, help_text="e.g. PT, DPT, OCS")
    npi = models.CharField(
        "NPI", max_length=10, blank=True, validators=[validate_npi],
        help_text=_("National Provider Identifier (10 digits): printed with the signature on exam reports."),
    )
    bio = models.TextField("short bio", blank=True)
    visit_types = models.ManyToManyField(VisitType, related_name="clinicians", blank=True)
    locations = models.ManyToManyField(Location, related_name="clinicians", blank=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "user__last_name", "user__first_name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return clinician_display_name(self.user.get_full_name() or self.user.email, self.credentials)


class WorkingHours(models.Model):
    """A weekly block when a clinician works at a location, in that location's local time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="working_hours")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    effective_from = models.DateField(default=timezone.localdate)
    effective_until = models.DateField(null=True, blank=True, help_text="Blank: until further notice.")

    class Meta:
        ordering = ["clinician", "weekday", "start_time"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="hours_end_after_start"),
        ]

    def __str__(self):
        return f"{self.clinician} {self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class TimeOff(models.Model):
    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="time_off")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start_at"]
        verbose_name_plural = "time off"
        indexes = [models.Index(fields=["clinician", "end_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=models.F("start_at")), name="timeoff_end_after_start"),
        ]

    def __str__(self):
        return f"{self.clinician} off {self.start_at:%Y-%m-%d}"


class Closure(models.Model):
    """A day the clinic (or one location) is closed, e.g. a public holiday."""

    date = models.DateField(db_index=True)
    name = models.CharField(max_length=100)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, help_text="Blank: every location."
    )

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.name} ({self.date})"


class CancellationReason(models.Model):
    """A reason the front desk picks when cancelling a visit ("Patient ill", "Weather"); the clinic keeps the list
    in the staff admin. The visit stores the reason's words, so renaming or retiring one leaves history as it was."""

    name = models.CharField(max_length=100, unique=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Off: no longer offered when cancelling.")

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class AppointmentSeries(models.Model):
    """Repeating visits booked together, e.g. twice a week for six weeks."""

    description = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "appointment series"

    def __str__(self):
        return self.description


class Appointment(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        BOOKED = "booked", "Booked"
        CONFIRMED = "confirmed", "Confirmed"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    class Source(models.TextChoices):
        ONLINE = "online", "Online"
        FRONT_DESK = "front_desk", "Front desk"

    # The one place that says which status may follow which.
    TRANSITIONS = {
        Status.REQUESTED: {Status.BOOKED, Status.CANCELLED},
        Status.BOOKED: {Status.CONFIRMED, Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
        Status.CONFIRMED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW, Status.BOOKED},
        Status.CHECKED_IN: {Status.COMPLETED, Status.BOOKED, Status.CONFIRMED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
        Status.NO_SHOW: {Status.BOOKED},
    }
    # No visit (with its buffers) is longer than this; it bounds range scans on busy_start_at.
    LONGEST_SPAN = timedelta(hours=12)
    # Statuses that hold the clinician's (and room's) time.
    OCCUPYING = (Status.REQUESTED, Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED)
    MOVABLE = (Status.REQUESTED, Status.BOOKED, Status.CONFIRMED)
    # Statuses of a visit that, once vouched for by staff, put the patient in the clinician's care.
    IN_CARE = (Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW)
    # Moving a visit into one of these, a member of staff vouches for it (a no-show vouches for nothing).
    VOUCHING = (Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED)
    # Statuses of a visit still ahead of the patient (their home page lists these until the visit ends).
    UPCOMING = (Status.REQUESTED, Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN)
    # Statuses after which nothing more happens at the visit: no exam is started, no intake link stays open.
    CLOSED = (Status.CANCELLED, Status.NO_SHOW)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    clinician = models.ForeignKey(Clinician, on_delete=models.PROTECT, related_name="appointments")
    visit_type = models.ForeignKey(VisitType, on_delete=models.PROTECT, related_name="+")
    modality = models.CharField(max_length=10, choices=Modality.choices)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    # start/end widened by the visit type's buffers: the span no other visit of the clinician may touch.
    busy_start_at = models.DateTimeField(editable=False)
    busy_end_at = models.DateTimeField(editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.FRONT_DESK)
    reason = models.TextField("reason for visit", blank=True)
    cancellation_reason = models.CharField(max_length=200, blank=True)
    # Which of the clinic's reasons was picked (empty for "Other", a patient's own or an older cancellation), so
    # cancellations can be counted by reason; the words above are what people read.
    cancelled_because = models.ForeignKey(
        CancellationReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        verbose_name="cancellation reason from the list",
    )
    series = models.ForeignKey(
        AppointmentSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    video_token = models.CharField(max_length=64, blank=True, editable=False)
    intake_completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The member of staff who stood behind the visit: booked it, accepted or confirmed the request, or
    # checked the patient in. Empty for an online booking nobody at the clinic has acted on. It decides
    # whether the visit puts the patient in the clinician's care (patients.care, scheduling.selectors).
    vouched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # The version of the clinic's cancellation policy the patient accepted when booking online, and when. Empty:
    # booked by staff (who do not ask), or online while the clinic had no policy.
    cancellation_policy = models.ForeignKey(
        "clinic.ClinicText", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
        verbose_name=_("cancellation policy accepted"),
    )
    cancellation_policy_accepted_at = models.DateTimeField(_("cancellation policy accepted at"), null=True,
                                                           blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_at"]
        indexes = [
            models.Index(fields=["clinician", "start_at"], name="appt_clinician_start_idx"),
            models.Index(fields=["clinician", "busy_start_at"], name="appt_clinician_busy_idx"),
            models.Index(fields=["start_at"], name="appt_start_idx"),
            models.Index(fields=["patient", "start_at"], name="appt_patient_start_idx"),
            models.Index(fields=["status", "start_at"], name="appt_status_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=models.F("start_at")), name="appt_end_after_start"),
            models.CheckConstraint(
                condition=Q(modality="telehealth") | Q(location__isnull=False), name="appt_in_office_has_location"
            ),
        ]

    def __str__(self):
        return f"{self.visit_type} for {self.patient.full_name} at {self.start_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.busy_start_at = self.start_at - timedelta(minutes=self.visit_type.buffer_before_minutes)
        self.busy_end_at = self.end_at + timedelta(minutes=self.visit_type.buffer_after_minutes)
        if self.modality == Modality.TELEHEALTH and not self.video_token:
            self.video_token = new_token()
        super().save(*args, **kwargs)

    def clean(self):
        if self.room_id and (self.location_id is None or self.room.location_id != self.location_id):
            raise ValidationError({"room": f"{self.room.name} is not at this visit's location; choose a room there."})

    @property
    def arrival_notes(self) -> str:
        """The location's notes (parking, entrance) and this kind of visit's (what to wear), for the patient."""
        parts = [self.location.arrival_notes if self.location_id and not self.is_telehealth else "",
                 self.visit_type.arrival_notes]
        return " ".join(part.strip() for part in parts if part and part.strip())

    @property
    def belongs_in_patients_calendar(self):
        """An .ics file only for a visit that will happen: not a request the clinic has not confirmed, nor one off."""
        return self.status != self.Status.REQUESTED and self.status not in self.CLOSED

    NO_SHOW_TOO_EARLY = "A visit is a no-show only once its start time has passed."

    def _too_early_for(self, status, now=None):
        return status == self.Status.NO_SHOW and self.start_at > (now or timezone.now())

    def can_become(self, status, now=None):
        return status in self.TRANSITIONS[self.status] and not self._too_early_for(status, now)

    def transition_to(self, status):
        """Change the status if the workflow allows it, or raise ValidationError saying why not."""
        if status in self.TRANSITIONS[self.status] and self._too_early_for(status):
            raise ValidationError(self.NO_SHOW_TOO_EARLY)
        if not self.can_become(status):
            raise ValidationError(
                f"A {self.get_status_display().lower()} appointment cannot become {self.Status(status).label.lower()}."
            )
        self.status = status

    @property
    def is_active(self):
        return self.status in self.OCCUPYING

    @property
    def is_telehealth(self):
        return self.modality == Modality.TELEHEALTH

    @property
    def intake_missing(self):
        return intake_missing(self.visit_type.needs_intake, self.intake_completed_at, self.status)

    @property
    def intake_label(self):
        """"Intake 3 of 7" and the like (selectors annotate `intake_steps_saved`; without it, "Intake missing")."""
        from .intake_progress import label

        return label(needs_intake=self.visit_type.needs_intake, completed=self.intake_completed_at is not None,
                     steps_saved=getattr(self, "intake_steps_saved", None), upcoming=self.status in self.MOVABLE)

    @property
    def local_tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.location.time_zone if self.location_id else settings.TIME_ZONE)

    @property
    def video_url(self):
        """The video room itself: the clinician's at any time; the patient's only while it is open (video_open)."""
        if not self.video_token:
            return ""
        return f"{ClinicSettings.load().telehealth_base_url.rstrip('/')}/stride-{self.video_token}"

    # The patient's way into the video room opens this long before the visit and closes at its end, so a link read
    # days early (an email, a text, a calendar entry) leads to the clinic's page, not to an empty room.
    VIDEO_OPENS_BEFORE = timedelta(minutes=15)

    @property
    def video_opens_at(self):
        return self.start_at - self.VIDEO_OPENS_BEFORE

    def video_open(self, now=None):
        now = now or timezone.now()
        return (self.is_telehealth and self.status in (self.Status.BOOKED, self.Status.CONFIRMED, self.Status.CHECKED_IN)
                and self.video_opens_at <= now < self.end_at)


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked"
        REMOVED = "removed", "Removed"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist_entries")
    visit_type = models.ForeignKey(VisitType, on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey(
        Clinician, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="Blank: any."
    )
    earliest_date = models.DateField()
    latest_date = models.DateField()
    notes = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "waitlist entries"
        indexes = [models.Index(fields=["status", "visit_type", "earliest_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(latest_date__gte=models.F("earliest_date")), name="waitlist_window_order"
            ),
        ]

    def __str__(self):
        return f"{self.patient.full_name} waiting for {self.visit_type}"
