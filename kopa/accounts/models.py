from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from kopa.core.countries import country_name, validate_country
from kopa.core.i18n import TranslatedField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An account needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password: the invitee sets one
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["is_project_admin"] = True
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """A person who logs in. Participants mostly have no account; they use private links."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("language for mail"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Messages from the platform are sent in this language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_project_admin = models.BooleanField(
        _("project admin"),
        default=False,
        help_text=_("Sees and manages everything, including the administration pages."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Raised by "log out everywhere": it is part of the session hash, so every session signed
    # with the old value stops being valid (docs/security.md).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's session hash covers the password; ours also covers the session epoch, so
        both a new password and "log out everywhere" end every other session."""
        return salted_hmac(
            "kopa.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Django's admin asks these; only project admins may use it.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_project_admin

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class Organisation(models.Model):
    class Kind(models.TextChoices):
        LIBRARY = "library", _("Library")
        MUNICIPALITY = "municipality", _("Municipality")
        NGO = "ngo", _("Non-governmental organisation")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    name = TranslatedField(_("name"), max_length=200)
    original_language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    region = models.CharField(_("town or region"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = TranslatedField(_("description"), multiline=True, blank=True, max_length=4000)
    is_demo = models.BooleanField(
        _("fictional demo record"),
        default=False,
        help_text=_("Made up for demonstration; never real people or organisations."),
    )
    # Optimistic locking: a save that started from an older version is refused, not merged.
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["slug"]

    def __str__(self) -> str:
        return str(self.name)

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", kwargs={"slug": self.slug})

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class Membership(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        EDITOR = "editor", _("Editor")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]
        ordering = ["organisation", "user"]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class TwoFactorDevice(models.Model):
    """A person's authenticator app (TOTP, kopa.accounts.totp): asked for after the password.

    The secret must be readable to check codes, so it is stored as issued; whoever can read the
    database can read it (docs/security.md says how backups are kept).
    """

    user = models.OneToOneField(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="two_factor"
    )
    secret = models.CharField(max_length=64)
    # The time step of the last accepted code: a code is never accepted twice.
    last_used_step = models.BigIntegerField(default=-1)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("two-step login")
        verbose_name_plural = _("two-step logins")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A one-time code for when the phone is lost; only a salted hash is kept."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} · {self.pk}"
