"""Service ratings (政务服务"好差评", 国办发〔2019〕51号) and what follows a bad one.

- ``Rating``: the person served rates a case (办件) after it completes, or one service step
  of it (a correction notice, a decision) afterwards; five levels with the official wording;
  the level is the overall satisfaction (整体满意度), the four other evaluation indicators
  of the online channel are optional scores. One rating per case and step.
  A bundle (一件事) is one 办件 with one case number, so its whole application is rated
  once too (网上服务"一事一评", 国办发〔2019〕51号); the rating names the ``member`` (the
  department's part) it concerns, so that the department that handled it answers for it
  (谁办理、谁负责). A bad rating must name it, a good one may. Each member's own steps
  (correction, decision) are rated apart, as before.
- ``FollowUp``: one later rating (追评) of the same rating by the same person.
- ``Rectification``: the ticket a bad rating (不满意, 非常不满意) opens for the responsible
  department: call back (回访), finding, fix, reply to the rater, on a working-day clock.
- ``Appeal``: the department asks to exclude a malicious or mistaken rating (申诉复核);
  an administrator decides. Excluded ratings stay visible, counted apart.

See docs/ratings.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case, SubCase
from tongban.catalog.models import Bundle, ServiceItem
from tongban.org.models import Department
from tongban.workdays.calc import current_calendar


class Level(models.IntegerChoices):
    """The five levels of 51号, best first. 1–2 are bad ratings (差评)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


#: Levels counted as a bad rating (差评): a tag or a reason is required, a ticket opens.
BAD_MAX = Level.DISSATISFIED
#: Lowest level counted as a good rating (好评) by the national scale.
GOOD_MIN = Level.BASICALLY_SATISFIED
#: Lowest level counted as satisfied (满意率).
SATISFIED_MIN = Level.SATISFIED


class Step(models.TextChoices):
    """The service step rated (服务环节)."""

    CASE = "case", _("The whole application")
    CORRECTION = "correction", _("Correction notice")
    DECISION = "decision", _("Decision")


class RatingChannel(models.TextChoices):
    WEB = "web", _("Website")
    STATUS_PAGE = "status", _("Case status page")
    SMS = "sms", _("Text message link")


class Tag(models.TextChoices):
    """Problem tags a rater can pick (the detail of a 差评)."""

    MANY_TRIPS = "many_trips", _("Had to go to the office several times")
    REPEATED_MATERIALS = "repeated_materials", _("Had to hand in the same materials again")
    TOO_SLOW = "too_slow", _("Took too long")
    ATTITUDE = "attitude", _("Unfriendly or careless staff")
    GUIDE_WRONG = "guide_wrong", _("The service guide was inaccurate")
    UNCLEAR_NOTICE = "unclear_notice", _("The correction notice was unclear or incomplete")
    SYSTEM_HARD = "system_hard", _("The website was hard to use")
    NO_ANSWER = "no_answer", _("Questions went unanswered")


def _level_check(field: str, *, optional: bool) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
    if optional:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"rating_{field}_1_to_5")


class Rating(models.Model):
    """One rating of one case and service step by the applicant."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="ratings"
    )
    subcase = models.ForeignKey(
        SubCase,
        verbose_name=_("service step of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    step = models.CharField(_("service step"), max_length=12, choices=Step.choices)
    member = models.ForeignKey(
        SubCase,
        verbose_name=_("part of the bundle concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_ratings",
        help_text=_("For the whole application of a bundle: the member the rating is about."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name=_("bundle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    level = models.PositiveSmallIntegerField(_("overall satisfaction"), choices=Level.choices)
    efficiency = models.PositiveSmallIntegerField(
        _("efficiency"), choices=Level.choices, null=True, blank=True
    )
    guide_accuracy = models.PositiveSmallIntegerField(
        _("accuracy of the service guide"), choices=Level.choices, null=True, blank=True
    )
    convenience = models.PositiveSmallIntegerField(
        _("convenience"), choices=Level.choices, null=True, blank=True
    )
    usability = models.PositiveSmallIntegerField(
        _("ease of use of the platform"), choices=Level.choices, null=True, blank=True
    )
    tags = models.JSONField(_("problem tags"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=8, choices=RatingChannel.choices, default=RatingChannel.WEB
    )
    created_at = models.DateTimeField(_("rated at"))
    excluded = models.BooleanField(_("excluded after appeal"), default=False)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                condition=Q(subcase__isnull=True),
                name="rating_one_per_case_step",
                violation_error_message=_("This step of the case has already been rated."),
            ),
            models.UniqueConstraint(
                fields=["case", "subcase", "step"],
                condition=Q(subcase__isnull=False),
                name="rating_one_per_subcase_step",
                violation_error_message=_("This step of the case has already been rated."),
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=True) | Q(step="case", subcase__isnull=True),
                name="rating_member_only_for_the_whole_case",
            ),
            _level_check("level", optional=False),
            _level_check("efficiency", optional=True),
            _level_check("guide_accuracy", optional=True),
            _level_check("convenience", optional=True),
            _level_check("usability", optional=True),
        ]
        indexes = [
            models.Index(fields=["department", "created_at"]),
            models.Index(fields=["item", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.step} {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level <= BAD_MAX

    @property
    def tag_labels(self) -> list[str]:
        labels = dict(Tag.choices)
        return [str(labels.get(code, code)) for code in self.tags]


class FollowUp(models.Model):
    """The rater's one later rating (追评), e.g. after the department replied."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("rating"), on_delete=models.CASCADE, related_name="follow_up"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    reason = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("follow-up rating")
        verbose_name_plural = _("follow-up ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="followup_level_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating} + {self.level}"


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open: call the rater back")
    CALLED_BACK = "called_back", _("Called back")
    FIXED = "fixed", _("Fixed")
    REPLIED = "replied", _("Replied to the rater")
    CLOSED = "closed", _("Closed")
    ESCALATED = "escalated", _("Overdue: escalated to the department leader")


class Rectification(models.Model):
    """The ticket of one bad rating (差评整改): who called back, what was found and fixed,
    what the rater was told, by when."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("rating"), on_delete=models.CASCADE, related_name="rectification"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"))
    due_on = models.DateField(_("due"))
    due_provisional = models.BooleanField(_("deadline provisional"), default=False)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called back by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    call_back_note = models.TextField(_("call-back note"), blank=True)
    finding = models.TextField(_("finding"), blank=True)
    fix = models.TextField(_("what was fixed"), blank=True)
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fixed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply = models.TextField(_("reply to the rater"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("rectification ticket")
        verbose_name_plural = _("rectification tickets")
        ordering = ["due_on", "opened_at"]
        indexes = [models.Index(fields=["department", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.rating.case.number} ({self.get_status_display()})"

    @property
    def fixed_in_time(self) -> bool:
        """Fixed and replied before the ticket's clock ran out (``clocks.outcome``)."""
        from .clocks import Outcome, outcome  # the clocks module reads this model

        if self.replied_at is None:
            return False
        found = outcome(
            self.opened_at, self.due_on, self.replied_at, self.replied_at,
            calendar=current_calendar(),
        )  # fmt: skip
        return found == Outcome.FIXED_IN_TIME


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted: rating excluded")
    REFUSED = "refused", _("Refused: rating counts")


class Appeal(models.Model):
    """A department's request to exclude a malicious or mistaken rating (申诉复核)."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("rating"), on_delete=models.CASCADE, related_name="appeal"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason for the appeal"))
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-requested_at"]
        permissions = [("decide_appeal", _("Can decide appeals against ratings"))]

    def __str__(self) -> str:
        return f"{self.rating.case.number} ({self.get_status_display()})"
