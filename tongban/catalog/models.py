"""The catalogue of service items (政务服务事项) and bundles (一件事).

Field names follow the national exchange schema (see ``docs/catalogue-fields.md``):
基本编码 ``basic_code``, 实施编码 ``implementation_code``, 事项类型 ``item_type`` and so on.
Multi-valued code fields (online depth 网办深度, service objects 服务对象, handling forms
办理形式) are stored as JSON lists of code strings.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.classification import ClassificationLevel, Classified, classification_field
from tongban.core.localise import localised
from tongban.org.models import Department, LocalisedName, Region


class ItemType(models.TextChoices):
    """事项类型, national codes."""

    LICENSING = "01", _("Administrative licensing")  # 行政许可
    PENALTY = "02", _("Administrative penalty")  # 行政处罚
    ENFORCEMENT = "03", _("Administrative enforcement")  # 行政强制
    LEVY = "04", _("Administrative levy")  # 行政征收
    BENEFIT = "05", _("Administrative benefit payment")  # 行政给付
    INSPECTION = "06", _("Administrative inspection")  # 行政检查
    CONFIRMATION = "07", _("Administrative confirmation")  # 行政确认
    REWARD = "08", _("Administrative reward")  # 行政奖励
    ADJUDICATION = "09", _("Administrative adjudication")  # 行政裁决
    OTHER_POWER = "10", _("Other administrative power")  # 其他行政权力
    PUBLIC_SERVICE = "20", _("Public service")  # 公共服务


class ExerciseLevel(models.TextChoices):
    """行使层级."""

    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Town or street")
    COMMUNITY = "community", _("Village or community")


class HandlingType(models.TextChoices):
    """办件类型."""

    IMMEDIATE = "1", _("Immediate (handled on the spot)")  # 即办件
    PROMISED = "2", _("Promised (handled within a promised time)")  # 承诺件


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    MONTHS = "months", _("months")


class OnlineDepth(models.TextChoices):
    """网上办理深度, national multi-select codes."""

    CONSULT = "1", _("Online consultation")  # 互联网咨询
    COLLECT = "2", _("Online submission of materials")  # 互联网收件
    PRE_REVIEW = "3", _("Online pre-review")  # 互联网预审
    ACCEPT = "4", _("Online acceptance")  # 互联网受理
    HANDLE = "5", _("Online handling")  # 互联网办理
    RESULT_FEEDBACK = "6", _("Online result notification")  # 互联网办理结果信息反馈
    LICENCE_FEEDBACK = "7", _("Electronic licence delivered online")  # 互联网电子证照反馈
    OTHER = "8", _("Other")  # 其他


class ProvincialLevel(models.IntegerChoices):
    """Provincial graded scale Ⅰ–Ⅳ derived from the national codes; Ⅳ = 全程网办."""

    NONE = 0, _("Not online")
    I = 1, _("Level I: guide and consultation online")  # noqa: E741
    II = 2, _("Level II: materials submitted online")
    III = 3, _("Level III: accepted and pre-reviewed online")
    IV = 4, _("Level IV: fully online")


class ServiceObject(models.TextChoices):
    """服务对象 / 申请人类型."""

    PERSON = "1", _("Natural person")
    ENTERPRISE = "2", _("Enterprise legal person")
    INSTITUTION = "3", _("Public institution legal person")
    SOCIAL = "4", _("Social organisation legal person")
    NON_LEGAL_ENTERPRISE = "5", _("Unincorporated enterprise")
    AUTHORITY = "6", _("Government authority")
    OTHER = "9", _("Other organisation")


class HandlingForm(models.TextChoices):
    """办理形式."""

    WINDOW = "window", _("At a service window")
    ONLINE = "online", _("Online")
    POSTAL = "postal", _("By post or courier")
    KIOSK = "kiosk", _("At a self-service kiosk")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ServiceScope(models.TextChoices):
    """通办范围."""

    NATIONAL = "national", _("Anywhere in the country")
    CROSS_PROVINCE = "cross_province", _("Across provinces")
    PROVINCE = "province", _("Anywhere in the province")
    CITY = "city", _("Anywhere in the city")
    LOCAL = "local", _("At the implementing office only")


class RequiredAssurance(models.IntegerChoices):
    """How sure the platform must be of an applicant's identity before they apply online.

    The values are those of ``tongban.accounts.models.AssuranceLevel`` (an account's
    ``assurance_level``), so an account may apply online when its level is at least the
    item's (``queries.assurance_gap``); a test keeps the two lists equal. The default is
    VERIFIED: an online application is a legal act in the applicant's name, so a
    self-declared account is not enough unless the catalogue says so for a low-risk item.
    """

    SELF_DECLARED = 1, _("Any account (self-declared identity)")
    VERIFIED = 2, _("A verified identity")
    IN_PERSON = 3, _("An identity verified in person at a counter")


class Audience(models.TextChoices):
    PERSON = "person", _("Individuals")
    ENTERPRISE = "enterprise", _("Businesses")


class Theme(LocalisedName):
    """A life event (出生, 上学 …) or an enterprise life-cycle stage (开办, 注销 …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["audience", "sort_order", "code"]


def derive_provincial_level(depth_codes: list[str]) -> int:
    """Map national online-depth codes to the provincial Ⅰ–Ⅳ scale.

    Ⅳ (全程网办) needs online acceptance, handling and result delivery (4, 5 and 6);
    Ⅲ needs online pre-review or acceptance (3 or 4); Ⅱ online submission (2);
    Ⅰ online consultation only (1). The exact wording of Ⅰ–Ⅲ is local practice.
    """
    codes = set(depth_codes or [])
    if {"4", "5", "6"} <= codes:
        return ProvincialLevel.IV
    if codes & {"3", "4"}:
        return ProvincialLevel.III
    if "2" in codes:
        return ProvincialLevel.II
    if "1" in codes:
        return ProvincialLevel.I
    return ProvincialLevel.NONE


class ServiceItem(Classified):
    """One service item. ``classification`` (``core.classification``): a PUBLIC item is on
    the portal for everyone; an INTERNAL one (services for officials only) is shown only
    to officials whose clearance reaches it, and never to anonymous visitors or citizens."""

    # Identity (A/B of the national schema)
    name = models.CharField(_("item name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    basic_code = models.CharField(_("basic code"), max_length=40)
    implementation_code = models.CharField(_("implementation code"), max_length=80, unique=True)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("implementing department"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    exercise_level = models.CharField(
        _("exercise level"),
        max_length=16,
        choices=ExerciseLevel.choices,
        default=ExerciseLevel.MUNICIPAL,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    summary = models.TextField(_("summary"), blank=True)

    # Rules
    acceptance_conditions = models.TextField(_("acceptance conditions"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    # English twins of the texts a citizen reads (``<field>_en``; see core.localise).
    summary_en = models.TextField(_("summary (English)"), blank=True)
    acceptance_conditions_en = models.TextField(_("acceptance conditions (English)"), blank=True)
    legal_basis_en = models.TextField(_("legal basis (English)"), blank=True)

    # Time limits
    legal_limit = models.PositiveIntegerField(_("statutory time limit"), null=True, blank=True)
    legal_limit_unit = models.CharField(
        _("statutory time limit unit"),
        max_length=16,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAYS,
    )
    legal_limit_note = models.CharField(_("statutory time limit note"), max_length=300, blank=True)
    legal_limit_note_en = models.CharField(
        _("statutory time limit note (English)"), max_length=400, blank=True
    )
    promised_limit = models.PositiveIntegerField(_("promised time limit"), null=True, blank=True)
    promised_limit_unit = models.CharField(
        _("promised time limit unit"),
        max_length=16,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAYS,
    )
    promised_limit_note = models.CharField(
        _("promised time limit note"), max_length=300, blank=True
    )
    promised_limit_note_en = models.CharField(
        _("promised time limit note (English)"), max_length=400, blank=True
    )
    handling_type = models.CharField(
        _("handling type"),
        max_length=1,
        choices=HandlingType.choices,
        default=HandlingType.PROMISED,
    )

    # Fees
    has_fee = models.BooleanField(_("charges a fee"), default=False)
    fee_basis = models.TextField(_("fee basis"), blank=True)
    fee_basis_en = models.TextField(_("fee basis (English)"), blank=True)

    # Process and channels
    handling_forms = models.JSONField(_("handling forms"), default=list, blank=True)
    visits_on_site = models.PositiveSmallIntegerField(_("visits on site"), default=0)
    on_site_reason = models.CharField(_("why a visit is needed"), max_length=300, blank=True)
    location = models.TextField(_("where to go"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    on_site_reason_en = models.CharField(
        _("why a visit is needed (English)"), max_length=400, blank=True
    )
    location_en = models.TextField(_("where to go (English)"), blank=True)
    hours_en = models.CharField(_("opening hours (English)"), max_length=300, blank=True)
    online_depth = models.JSONField(_("online depth"), default=list, blank=True)
    online_url = models.URLField(_("online service address"), blank=True)
    mobile_url = models.URLField(_("mobile service address"), blank=True)
    supports_appointment = models.BooleanField(_("appointments"), default=False)
    supports_online_payment = models.BooleanField(_("online payment"), default=False)
    supports_express = models.BooleanField(_("delivery by courier"), default=False)
    supports_kiosk = models.BooleanField(_("self-service kiosk"), default=False)
    in_service_hall = models.BooleanField(_("in the service hall"), default=True)
    scope = models.CharField(
        _("where it can be handled"),
        max_length=20,
        choices=ServiceScope.choices,
        default=ServiceScope.CITY,
    )
    quantity_limit = models.CharField(_("quantity limit"), max_length=200, blank=True)
    special_procedures = models.TextField(_("special procedures"), blank=True)
    intermediary_services = models.TextField(_("intermediary services"), blank=True)
    quantity_limit_en = models.CharField(_("quantity limit (English)"), max_length=300, blank=True)
    special_procedures_en = models.TextField(_("special procedures (English)"), blank=True)
    intermediary_services_en = models.TextField(_("intermediary services (English)"), blank=True)

    # Contact
    consult_phone = models.CharField(_("consultation phone"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=40, blank=True)

    # Audience and classification
    service_objects = models.JSONField(_("service objects"), default=list, blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="items"
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("towns where it is handled"), blank=True, related_name="items"
    )

    # Who may see the item (core.classification), and who may apply online
    classification = classification_field(
        help_text=_(
            "Public items are shown to everyone. Internal items (services for officials "
            "only) are shown only to officials whose clearance reaches that level: never on "
            "the public portal, in search, the API or exports of public records."
        )
    )
    required_assurance = models.PositiveSmallIntegerField(
        _("identity required to apply online"),
        choices=RequiredAssurance.choices,
        default=RequiredAssurance.VERIFIED,
        help_text=_(
            "The identity assurance an account needs to apply online. Items whose result "
            "carries high risk (property registration, for example) need in-person "
            "verification."
        ),
    )

    # Result
    result_name = models.CharField(_("result name"), max_length=200, blank=True)
    result_type = models.CharField(_("result type"), max_length=40, blank=True)
    result_sample = models.CharField(_("result sample"), max_length=300, blank=True)
    result_name_en = models.CharField(_("result name (English)"), max_length=300, blank=True)
    result_type_en = models.CharField(_("result type (English)"), max_length=100, blank=True)
    result_sample_en = models.CharField(_("result sample (English)"), max_length=400, blank=True)

    # Derived from online_depth and service_objects on save, stored so that the catalogue
    # can filter on them in SQL on every database.
    online_level = models.PositiveSmallIntegerField(
        _("online level"),
        choices=ProvincialLevel.choices,
        default=ProvincialLevel.NONE,
        editable=False,
    )
    for_persons = models.BooleanField(_("for individuals"), default=False, editable=False)
    for_organisations = models.BooleanField(_("for organisations"), default=False, editable=False)

    popularity = models.PositiveIntegerField(_("popularity"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["department__sort_order", "basic_code", "implementation_code"]
        indexes = [
            models.Index(fields=["status", "item_type"]),
            models.Index(fields=["status", "-popularity"]),
            models.Index(fields=["status", "online_level"]),
            models.Index(fields=["status", "classification"]),
        ]

    #: Texts a citizen reads, each with an English twin ``<field>_en`` (core.localise).
    TRANSLATED: ClassVar[tuple[str, ...]] = (
        "name", "summary", "acceptance_conditions", "legal_basis", "legal_limit_note",
        "promised_limit_note", "fee_basis", "on_site_reason", "location", "hours",
        "quantity_limit", "special_procedures", "intermediary_services", "result_name",
        "result_type", "result_sample",
    )  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.online_level = derive_provincial_level(self.online_depth)
        objects = set(self.service_objects or [])
        self.for_persons = ServiceObject.PERSON in objects
        self.for_organisations = bool(objects - {ServiceObject.PERSON})
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "online_level",
                "for_persons",
                "for_organisations",
            }
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return localised(self, "name")

    @property
    def provincial_level(self) -> int:
        return derive_provincial_level(self.online_depth)

    @property
    def is_fully_online(self) -> bool:
        return self.provincial_level == ProvincialLevel.IV


class MaterialNecessity(models.TextChoices):
    REQUIRED = "required", _("Required")
    CONDITIONAL = "conditional", _("Required in some cases")
    OPTIONAL = "optional", _("Optional")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    ORIGINAL_AND_COPY = "original_and_copy", _("Original and copy")
    ELECTRONIC = "electronic", _("Electronic")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("Prepared by the applicant")
    GOVERNMENT = "government", _("Issued by a government department")
    INTERMEDIARY = "intermediary", _("Issued by an intermediary")
    OTHER = "other", _("Other")


class Material(models.Model):
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    # Materials with the same code are the same document: a bundle lists them once.
    code = models.CharField(_("material code"), max_length=40)
    name = models.CharField(_("material name"), max_length=200)
    necessity = models.CharField(
        _("necessity"),
        max_length=16,
        choices=MaterialNecessity.choices,
        default=MaterialNecessity.REQUIRED,
    )
    form = models.CharField(
        _("form"), max_length=20, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    source_note = models.CharField(_("source note"), max_length=300, blank=True)
    paper_spec = models.CharField(_("paper size"), max_length=40, blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    blank_form = models.CharField(_("blank form"), max_length=300, blank=True)
    sample = models.CharField(_("sample"), max_length=300, blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    name_en = models.CharField(_("material name (English)"), max_length=300, blank=True)
    source_note_en = models.CharField(_("source note (English)"), max_length=400, blank=True)
    blank_form_en = models.CharField(_("blank form (English)"), max_length=400, blank=True)
    sample_en = models.CharField(_("sample (English)"), max_length=400, blank=True)
    requirements_en = models.TextField(_("requirements (English)"), blank=True)
    can_be_waived = models.BooleanField(_("obtainable through data sharing"), default=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["item", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="material_code_per_item")
        ]

    TRANSLATED: ClassVar[tuple[str, ...]] = (
        "name", "source_note", "blank_form", "sample", "requirements",
    )  # fmt: skip

    def __str__(self) -> str:
        return self.name


class FeeItem(models.Model):
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="fees",
    )
    name = models.CharField(_("fee name"), max_length=200)
    standard = models.CharField(_("fee standard"), max_length=300)
    amount_fen = models.PositiveIntegerField(_("amount (fen)"), null=True, blank=True)
    basis = models.TextField(_("fee basis"))
    can_reduce = models.BooleanField(_("can be reduced or waived"), default=False)
    reduce_basis = models.TextField(_("basis for reduction"), blank=True)
    name_en = models.CharField(_("fee name (English)"), max_length=300, blank=True)
    standard_en = models.CharField(_("fee standard (English)"), max_length=400, blank=True)
    basis_en = models.TextField(_("fee basis (English)"), blank=True)
    reduce_basis_en = models.TextField(_("basis for reduction (English)"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["item", "sort_order", "id"]

    TRANSLATED: ClassVar[tuple[str, ...]] = ("name", "standard", "basis", "reduce_basis")

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    seq = models.PositiveSmallIntegerField(_("step"))
    name = models.CharField(_("step name"), max_length=100)
    description = models.TextField(_("what happens"), blank=True)
    handler = models.CharField(_("handled by"), max_length=100, blank=True)
    time_limit = models.CharField(_("time limit"), max_length=100, blank=True)
    standard = models.TextField(_("review standard"), blank=True)
    result = models.CharField(_("result"), max_length=200, blank=True)
    name_en = models.CharField(_("step name (English)"), max_length=150, blank=True)
    description_en = models.TextField(_("what happens (English)"), blank=True)
    handler_en = models.CharField(_("handled by (English)"), max_length=150, blank=True)
    time_limit_en = models.CharField(_("time limit (English)"), max_length=150, blank=True)
    standard_en = models.TextField(_("review standard (English)"), blank=True)
    result_en = models.CharField(_("result (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["item", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["item", "seq"], name="process_step_seq_unique")
        ]

    TRANSLATED: ClassVar[tuple[str, ...]] = (
        "name", "description", "handler", "time_limit", "standard", "result",
    )  # fmt: skip

    def __str__(self) -> str:
        return f"{self.seq}. {self.name}"


class FAQ(models.Model):
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.CASCADE,
        related_name="faqs",
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    question_en = models.CharField(_("question (English)"), max_length=400, blank=True)
    answer_en = models.TextField(_("answer (English)"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("frequently asked question")
        verbose_name_plural = _("frequently asked questions")
        ordering = ["item", "sort_order", "id"]

    TRANSLATED: ClassVar[tuple[str, ...]] = ("question", "answer")

    def __str__(self) -> str:
        return self.question


class Bundle(models.Model):
    """一件事: several departments' items applied for with one form, handled in parallel."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        related_name="led_bundles",
    )
    partner_departments = models.ManyToManyField(
        Department,
        verbose_name=_("partner departments"),
        blank=True,
        related_name="partner_bundles",
    )
    members: models.ManyToManyField[ServiceItem, BundleMember] = models.ManyToManyField(
        ServiceItem,
        verbose_name=_("member items"),
        through="BundleMember",
        related_name="bundles",
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="bundles"
    )
    promised_limit = models.PositiveIntegerField(_("promised time limit (working days)"))
    visits_on_site = models.PositiveSmallIntegerField(_("visits on site"), default=0)
    location = models.TextField(_("where to go"), blank=True)
    location_en = models.TextField(_("where to go (English)"), blank=True)
    consult_phone = models.CharField(_("consultation phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    popularity = models.PositiveIntegerField(_("popularity"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bundle")
        verbose_name_plural = _("bundles")
        ordering = ["code"]

    TRANSLATED: ClassVar[tuple[str, ...]] = ("name", "summary", "location")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return localised(self, "name")

    @property
    def required_assurance(self) -> int:
        """The identity needed to apply online: the highest of all its member items'.

        Members hidden from the reader count too (the application covers them all);
        VERIFIED for a bundle without members. ``queries.get_published_bundle`` annotates it
        (``members_required_assurance``); otherwise it is read with one query.
        """
        if "members_required_assurance" in self.__dict__:
            level = self.__dict__["members_required_assurance"]
            return int(level) if level is not None else int(RequiredAssurance.VERIFIED)
        level = ServiceItem.objects.filter(bundle_memberships__bundle=self).aggregate(
            level=models.Max("required_assurance")
        )["level"]
        return int(level) if level is not None else int(RequiredAssurance.VERIFIED)

    def get_required_assurance_display(self) -> str:
        return str(RequiredAssurance(self.required_assurance).label)


class BundleMember(models.Model):
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("bundle"), on_delete=models.CASCADE, related_name="memberships"
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="bundle_memberships",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    depends_on = models.ForeignKey(
        "self",
        verbose_name=_("waits for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
        help_text=_(
            "Another member of this bundle whose approval this item needs before it can "
            "start, e.g. household registration waits for the medical birth certificate. "
            "Leave empty when the item can be handled in parallel."
        ),
    )

    class Meta:
        verbose_name = _("bundle member")
        verbose_name_plural = _("bundle members")
        ordering = ["bundle", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="bundle_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.item}"

    def clean(self) -> None:
        """A member waits for a sibling, never for itself, and never in a circle."""
        other = self.depends_on
        if other is None:
            return
        if self.pk is not None and other.pk == self.pk:
            raise ValidationError({"depends_on": _("A member cannot wait for itself.")})
        if other.bundle_id != self.bundle_id:
            raise ValidationError(
                {"depends_on": _("Choose a member of the same bundle to wait for.")}
            )
        if self.pk is None:
            return  # nothing can wait for a member that is not saved yet
        edges = dict(
            BundleMember.objects.filter(bundle_id=self.bundle_id).values_list("pk", "depends_on")
        )
        edges[self.pk] = other.pk
        circle = dependency_cycle(edges)
        if circle:
            names = dict(BundleMember.objects.filter(pk__in=circle).values_list("pk", "item__name"))
            raise ValidationError(
                {"depends_on": cycle_message([names.get(pk, str(pk)) for pk in circle])}
            )


def dependency_cycle(edges: dict[Any, Any]) -> list[Any]:
    """The members of one circle in ``edges`` (member → the member it waits for, or None),
    in waiting order; empty when nobody waits in a circle."""
    done: set[Any] = set()
    for start in edges:
        path: list[Any] = []
        on_path: set[Any] = set()
        node = start
        while node is not None and node not in done:
            if node in on_path:
                return path[path.index(node) :]
            path.append(node)
            on_path.add(node)
            node = edges.get(node)
        done.update(path)
    return []


def cycle_message(names: list[str]) -> str:
    """The message for members that would wait for each other in a circle."""
    return str(
        _(
            "These members would wait for each other in a circle and never start: %(chain)s. "
            "Remove one of the waits."
        )
        % {"chain": " → ".join([*names, names[0]])}
    )


class Severity(models.TextChoices):
    ERROR = "error", _("Error (blocks saving and import)")
    WARNING = "warning", _("Warning (shown, does not block)")
    OFF = "off", _("Off")


class QualityRuleSetting(models.Model):
    """An administrator's choice of severity for one data-quality rule (local practice)."""

    code = models.CharField(_("rule code"), max_length=20, unique=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quality rule setting")
        verbose_name_plural = _("quality rule settings")

    def __str__(self) -> str:
        return f"{self.code}: {self.severity}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Failed: nothing was imported")


class CatalogImport(models.Model):
    """One upload of the catalogue spreadsheet or JSON; progress shown while it runs."""

    file = models.FileField(_("file"), upload_to="catalog-imports/%Y/%m/")
    file_format = models.CharField(_("format"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_format} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class CatalogExport(models.Model):
    """One export of the catalogue (JSON or Excel), kept so that it can be downloaded again.

    ``classification`` is the highest level of the items it contains: downloading it needs
    at least that clearance (``core.classification.can_see``), whoever made it.
    ``public_only`` says that the administrator asked for public records only.
    """

    file = models.FileField(_("file"), upload_to="catalog-exports/%Y/%m/")
    file_format = models.CharField(_("format"), max_length=8)
    public_only = models.BooleanField(_("public records only"), default=False)
    classification = classification_field(
        default=ClassificationLevel.PUBLIC,
        help_text=_("The highest classification of the records in the file."),
    )
    item_count = models.PositiveIntegerField(_("items"), default=0)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("exported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("catalogue export")
        verbose_name_plural = _("catalogue exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_format} {self.created_at:%Y-%m-%d %H:%M}"


class SearchSynonym(models.Model):
    """An everyday word people type and the catalogue's words it stands for (驾照 → 驾驶证).

    Search widens a query containing ``term`` (or its pinyin or initials) to
    ``expands_to``; several words may be listed, separated by commas or 、.
    """

    term = models.CharField(
        _("what people type"),
        max_length=60,
        unique=True,
        help_text=_("An everyday word people type, such as a short name for a licence."),
    )
    expands_to = models.CharField(
        _("catalogue words"),
        max_length=200,
        help_text=_("The official words the catalogue uses for it. Separate several with commas."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.expands_to}"
