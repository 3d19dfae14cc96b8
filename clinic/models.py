from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def end_sessions(self, pk):
        """End every session of user `pk` from before now (a sign-out everywhere, a deactivation)."""
        from . import signed_in

        self.filter(pk=pk).update(session_epoch=models.F("session_epoch") + 1)
        signed_in.user_changed(pk)  # a bare update sends no signal

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in: staff of any role, or a patient with a portal login."""

    username = None
    email = models.EmailField("email address", unique=True)
    session_epoch = models.PositiveIntegerField(
        default=0, editable=False, help_text="Raised at sign-out: every session from before it ends.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.is_active:
            # Deactivation ends every session for good: they stay ended if the account is turned back on.
            type(self).objects.end_sessions(self.pk)
            self.refresh_from_db(fields=["session_epoch"])

    def get_session_auth_hash(self):
        # The signed-in user from the cache (clinic.signed_in) carries its session hash, not its password hash.
        if "password" not in self.__dict__ and "session_auth_hash" in self.__dict__:
            return self.__dict__["session_auth_hash"]
        return super().get_session_auth_hash()

    @cached_property
    def role_names(self):
        from .backends import load_access

        return load_access(self) if self.pk else set()


class AuditEvent(models.Model):
    """One read or write of patient data: who, when, what, from where. Never edited."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed"
        # A clinic device handed to the patient for their form (clinic.kiosk), and taken back by its owner.
        HAND_OVER = "handover", "Handed to the patient"
        TAKE_BACK = "takeback", "Taken back by staff"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="Who, kept if the user is deleted.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, help_text="The patient whose data this is.")
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["patient_id", "-at"]),
        ]

    def __str__(self):
        return f"{self.actor_label or 'system'} {self.get_action_display().lower()} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the heartbeat task (shown by /healthz)."""

    seen_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class IdempotentRequest(models.Model):
    """The first answer to an API write sent with an Idempotency-Key header, replayed to its retries."""

    key_hash = models.CharField(max_length=64, unique=True, help_text="Endpoint, caller and key, hashed.")
    request_hash = models.CharField(max_length=64, help_text="The request body, hashed: a key is for one request.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty while in progress.")
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"{self.key_hash[:12]}… {self.status_code or 'in progress'}"


class ClinicText(models.Model):
    """A text the clinic owns that patients read or agree to: the privacy notice, consent wording, the
    cancellation policy. Never edited in place: each change is a new version (clinic.texts.publish), the newest
    is in force, and what a patient agreed to (patients.Consent.text) keeps pointing at the words they saw."""

    class Kind(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("Notice of privacy practices")
        TREATMENT_CONSENT = "treatment_consent", _("Consent to evaluation and treatment")
        TELEHEALTH_CONSENT = "telehealth_consent", _("Consent to telehealth visits")
        CANCELLATION_POLICY = "cancellation_policy", _("Cancellation policy")

    kind = models.CharField(_("text"), max_length=24, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text in English"), help_text=_("Plain text; a blank line starts a new paragraph."))
    body_es = models.TextField(_("text in Spanish"), blank=True,
                               help_text=_("Shown to patients reading in Spanish; without it they see the English."))
    published_at = models.DateTimeField(_("in force from"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("published by"))

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="clinic_text_one_per_version")]
        verbose_name = _("clinic text")
        verbose_name_plural = _("clinic texts (privacy notice, consents, policies)")

    def __str__(self):
        return f"{self.get_kind_display()}, version {self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("A published text is never changed: publish a new version.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """This very version (what a consent links to); `in_force_url` is the newest."""
        from django.urls import reverse

        return reverse("clinic-text-version", args=[self.kind.replace("_", "-"), self.version])

    @property
    def in_force_url(self):
        from django.urls import reverse

        return reverse("clinic-text", args=[self.kind.replace("_", "-")])

    def body_in(self, language: str) -> str:
        return self.body_es if language.startswith("es") and self.body_es.strip() else self.body

    def paragraphs_in(self, language: str) -> list[str]:
        return [p.strip() for p in self.body_in(language).replace("\r\n", "\n").split("\n\n") if p.strip()]
class TrustedDevice(models.Model):
    """A browser on a clinic computer where one staff member skips the sign-in code until it expires (the
    password is still asked). The browser holds a signed cookie with the row's id and a secret; only the
    secret's hash is kept here, so a copy of the table remembers no computer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_devices")
    label = models.CharField(max_length=120, help_text="The browser and system it was remembered on.")
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField("remembered", default=timezone.now)
    last_used_at = models.DateTimeField("last used", null=True, blank=True)
    expires_at = models.DateTimeField("expires")
    revoked = models.BooleanField(default=False, help_text="Ask for the sign-in code on this computer again.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "remembered computer"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.label}, remembered {timezone.localtime(self.created_at):%b %-d, %Y}"

    def save(self, *args, **kwargs):
        if self.revoked and self.revoked_at is None:
            self.revoked_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_active(self):
        return not self.revoked and self.expires_at > timezone.now()
