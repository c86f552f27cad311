import datetime
from decimal import Decimal

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role, role_can


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class Language(models.TextChoices):
    EN = "en", _("English")
    NB = "nb", _("Norwegian Bokmål")
    SV = "sv", _("Swedish")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, blank=True
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class ConsolidationApproach(models.TextChoices):
    OPERATIONAL = "operational", _("Operational control")
    FINANCIAL = "financial", _("Financial control")
    EQUITY = "equity", _("Equity share")


class GwpSet(models.TextChoices):
    AR4 = "AR4", _("IPCC AR4 (100-year)")
    AR5 = "AR5", _("IPCC AR5 (100-year)")
    AR6 = "AR6", _("IPCC AR6 (100-year)")


class Scope2Headline(models.TextChoices):
    MARKET = "market", _("Market-based")
    LOCATION = "location", _("Location-based")


slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lower-case letters, digits and single hyphens."),
)


def lei_is_valid(value: str) -> bool:
    """Return whether a text is an LEI: ISO 17442 form and check digits.

    Twenty characters, the last two digits; letters count 10 (A) to 35 (Z)
    and the whole number modulo 97 is 1 (ISO 7064 MOD 97-10).
    """
    if len(value) != 20 or not value.isascii() or not value.isalnum():
        return False
    if value != value.upper() or not value[-2:].isdigit():
        return False
    return int("".join(str(int(char, 36)) for char in value)) % 97 == 1


def validate_lei(value: str) -> None:
    if not lei_is_valid(value):
        raise ValidationError(
            _(
                "An LEI has 20 letters and digits and ends in two check digits "
                "(ISO 17442); check the code on your LEI certificate."
            ),
            code="invalid_lei",
        )


class OrgNumberScheme(models.TextChoices):
    """National register numbers, named by their ISO 6523 scheme."""

    NO_ORG = "NO:ORG", _("Norway: organisasjonsnummer (Brønnøysund)")
    SE_ORGNR = "SE:ORGNR", _("Sweden: organisationsnummer (Bolagsverket)")
    DK_CVR = "DK:CVR", _("Denmark: CVR number")


# The ISO 6523 international code designator of each scheme, and the number
# of digits of its numbers.
ORG_NUMBER_SCHEMES = {
    OrgNumberScheme.NO_ORG: ("0192", 9),
    OrgNumberScheme.SE_ORGNR: ("0007", 10),
    OrgNumberScheme.DK_CVR: ("0184", 8),
}
currency_validator = RegexValidator(
    r"^[A-Z]{3}\Z", _("Use the three-letter ISO 4217 code, e.g. NOK, SEK or EUR.")
)


class Organisation(models.Model):
    """The tenant: a company that keeps its inventory here."""

    slug = models.SlugField(
        _("slug"), max_length=60, unique=True, validators=[slug_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=40, blank=True)
    # Identifiers for disclosures (VSME, inline XBRL).
    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_("As registered; reports use the name above when empty."),
    )
    lei = models.CharField(
        _("LEI"),
        max_length=20,
        blank=True,
        validators=[validate_lei],
        help_text=_("Legal Entity Identifier (ISO 17442), 20 characters."),
    )
    org_number_scheme = models.CharField(
        _("register of the organisation number"),
        max_length=10,
        choices=OrgNumberScheme.choices,
        blank=True,
    )
    reporting_currency = models.CharField(
        _("reporting currency"),
        max_length=3,
        blank=True,
        validators=[currency_validator],
        help_text=_("ISO 4217 code of the revenue that intensities are given per."),
    )
    country = models.CharField(_("country"), max_length=2, default="NO")
    base_year = models.PositiveSmallIntegerField(
        _("base year"),
        default=2019,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    consolidation_approach = models.CharField(
        _("consolidation approach"),
        max_length=20,
        choices=ConsolidationApproach.choices,
        default=ConsolidationApproach.OPERATIONAL,
    )
    gwp_set = models.CharField(
        _("GWP set"), max_length=3, choices=GwpSet.choices, default=GwpSet.AR5
    )
    language = models.CharField(
        _("report language"),
        max_length=5,
        choices=Language.choices,
        default=Language.EN,
    )
    scope2_headline = models.CharField(
        _("scope 2 in the headline total"),
        max_length=10,
        choices=Scope2Headline.choices,
        default=Scope2Headline.MARKET,
    )
    include_wtt = models.BooleanField(
        _("include well-to-tank (scope 3 category 3)"), default=False
    )
    include_td_losses = models.BooleanField(
        _("include transmission and distribution losses"), default=False
    )
    # The readiness review asks for a comment on every change against the
    # previous year larger than this (emissions.readiness.changes).
    change_comment_threshold_pct = models.DecimalField(
        _("changes against last year that need a comment (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
        help_text=_(
            "Submitting a year needs a comment on every change of a scope total, "
            "or of one of the largest changes by business unit and activity, "
            "larger than this share of last year's figure."
        ),
    )
    # Four eyes where there is only one: see emissions.services.years.
    allow_self_approval = models.BooleanField(
        _("a sole administrator may approve a year they submitted"),
        default=False,
        help_text=_(
            "Only while no other member may approve years. The approval is "
            "recorded as approved without a second person, in the year's "
            "history and in the report."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.org_number_scheme:
            _icd, length = ORG_NUMBER_SCHEMES[self.org_number_scheme]
            compact = self.org_number.replace(" ", "").replace("-", "")
            if len(compact) != length or not compact.isdigit():
                raise ValidationError(
                    {
                        "org_number": _(
                            "A number of this register has %(digits)s digits."
                        )
                        % {"digits": length}
                    }
                )

    @property
    def org_number_digits(self) -> str:
        return "".join(char for char in self.org_number if char.isdigit())

    @property
    def reporting_name(self) -> str:
        return self.legal_name or self.name


# A unit's code is part of page addresses (the grid, the unit's settings),
# file names and import files: letters A-Z, digits, "-" and "_" only.
UNIT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*\Z"
unit_code_validator = RegexValidator(
    UNIT_CODE_PATTERN,
    _(
        "Use letters A-Z, digits, hyphens and underscores only, starting with a "
        "letter or a digit (e.g. NO-OSL)."
    ),
    code="invalid_unit_code",
)


class BusinessUnit(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="business_units"
    )
    code = models.CharField(_("code"), max_length=30, validators=[unit_code_validator])
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    equity_share = models.DecimalField(
        _("equity share %"),
        max_digits=7,
        decimal_places=4,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    year_joined = models.PositiveSmallIntegerField(
        _("year joined"), null=True, blank=True
    )
    year_left = models.PositiveSmallIntegerField(_("year left"), null=True, blank=True)
    ets_installation = models.BooleanField(
        _("installation under a regulated emission trading scheme"),
        default=False,
        help_text=_(
            "E.g. the EU ETS: the unit's scope 1 emissions count as emissions "
            "from regulated emission trading schemes (ESRS E1-6)."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("business unit")
        verbose_name_plural = _("business units")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="business_unit_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(equity_share__gte=0) & Q(equity_share__lte=100),
                name="business_unit_equity_share_range",
            ),
            models.CheckConstraint(
                condition=Q(year_left__isnull=True)
                | Q(year_joined__isnull=True)
                | Q(year_left__gte=models.F("year_joined")),
                name="business_unit_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def active_in(self, year: int) -> bool:
        """Return whether the unit belonged to the organisation in a year."""
        if self.year_joined and year < self.year_joined:
            return False
        return not (self.year_left and year > self.year_left)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    business_units = models.ManyToManyField(
        BusinessUnit,
        blank=True,
        related_name="+",
        verbose_name=_("limited to business units"),
        help_text=_("Leave empty for every business unit."),
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    # A named approver approves years without being an administrator (e.g. the
    # managing director of a company with one administrator).
    may_approve = models.BooleanField(
        _("named approver"),
        default=False,
        help_text=_(
            "May approve, return and unlock years without being an administrator."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    def is_current(self, today: datetime.date | None = None) -> bool:
        """Return whether the membership has not expired."""
        today = today or timezone.localdate()
        return self.expires_on is None or self.expires_on >= today

    def can(self, capability: str) -> bool:
        return role_can(self.role, capability, named_approver=self.may_approve)


class Invitation(models.Model):
    """An invitation by e-mail to join an organisation in a role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(_("membership expires on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"
