"""Rating rules, the rectification clock, escalation and appeals, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongban.cases.models import CorrectionNotice
from tongban.cases.transitions import Action
from tongban.core.errors import ServiceError
from tongban.core.models import AuditRecord
from tongban.notify.models import Message
from tongban.ratings import services
from tongban.ratings.models import (
    Appeal,
    AppealStatus,
    FollowUp,
    Level,
    Rating,
    RatingChannel,
    Rectification,
    Step,
    Tag,
    TicketStatus,
)
from tongban.ratings.services import RatingInput
from tongban.workdays import calc

from .conftest import act, approve, completed_case, open_item

pytestmark = pytest.mark.django_db


def rate(case, level=Level.SATISFIED, actor=None, **kw):
    return services.rate(case, RatingInput(level=level, **kw), actor=actor or case.applicant)


def snapshot():
    return (Rating.objects.count(), Rectification.objects.count(), FollowUp.objects.count())


# --- who, when, how often -----------------------------------------------------------------


def test_the_applicant_rates_a_completed_case_and_it_is_audited(done):
    rating = rate(done, Level.VERY_SATISFIED, efficiency=5, usability=4,
                  channel=RatingChannel.SMS)  # fmt: skip
    assert rating.step == Step.CASE and rating.subcase is None
    assert rating.department_id == done.item.department_id and rating.item_id == done.item_id
    assert (rating.efficiency, rating.guide_accuracy, rating.usability) == (5, None, 4)
    assert not hasattr(rating, "rectification")
    record = AuditRecord.objects.get(action="ratings.rate")
    assert record.meta["level"] == 5 and record.meta["channel"] == "sms"
    assert record.meta["indicators"] == ["efficiency", "usability"]


def test_someone_elses_case_is_refused_and_nothing_changes(done, other_citizen, world):
    before = snapshot()
    for outsider in (other_citizen, world.leader_a):
        with pytest.raises(ServiceError) as err:
            rate(done, actor=outsider)
        assert "case" in err.value.message_dict
    assert snapshot() == before


def test_the_whole_case_is_rated_only_after_completion(world):
    case = world.submit()
    with pytest.raises(ServiceError) as err:
        rate(case)
    assert "办结" in str(err.value.message_dict["step"])
    assert Rating.objects.count() == 0


def test_a_second_rating_of_the_same_step_is_refused(done):
    rate(done)
    with pytest.raises(ServiceError) as err:
        rate(done, Level.VERY_DISSATISFIED, reason="改主意了")
    assert "已经评价" in str(err.value.message_dict["step"])
    assert Rating.objects.count() == 1 and Rectification.objects.count() == 0


@pytest.mark.parametrize("level", [Level.DISSATISFIED, Level.VERY_DISSATISFIED])
def test_a_bad_rating_needs_a_tag_or_a_reason(done, level):
    with pytest.raises(ServiceError) as err:
        rate(done, level, reason="   ")
    assert "reason" in err.value.message_dict
    assert snapshot() == (0, 0, 0)
    rating = rate(done, level, tags=[Tag.TOO_SLOW])
    assert rating.rectification.status == TicketStatus.OPEN


def test_a_basically_satisfied_rating_needs_no_reason_and_opens_no_ticket(done):
    rating = rate(done, Level.BASICALLY_SATISFIED)
    assert not Rectification.objects.filter(rating=rating).exists()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"level": None}, "level"),
        ({"level": 6}, "level"),
        ({"level": "abc"}, "level"),
        ({"level": 4, "efficiency": 0}, "efficiency"),
        ({"level": 4, "usability": 9}, "usability"),
        ({"level": 4, "tags": ["bribery"]}, "tags"),
        ({"level": 4, "reason": "x" * 1001}, "reason"),
        ({"level": 4, "channel": "fax"}, "channel"),
        ({"level": 4, "step": "payment"}, "step"),
    ],
)
def test_bad_input_names_its_field_and_changes_nothing(done, kw, field):
    with pytest.raises(ServiceError) as err:
        services.rate(done, RatingInput(**kw), actor=done.applicant)
    assert field in err.value.message_dict
    assert snapshot() == (0, 0, 0)


def test_an_id_number_typed_into_the_reason_is_masked(done):
    number = done.applicant.id_number
    rating = rate(done, Level.DISSATISFIED, reason=f"我的身份证是{number}，被拒了三次")
    assert number not in rating.reason and "********" in rating.reason


# --- steps ---------------------------------------------------------------------------------


def test_a_decided_step_of_a_bundle_can_be_rated_before_the_case_completes(world):
    case = world.submit(world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    approve(world, case, sub_a)
    assert [(o.step, o.subcase) for o in services.rateable_steps(case)] == [(Step.DECISION, sub_a)]
    with pytest.raises(ServiceError) as err:
        rate(case, step=Step.DECISION, subcase_id=sub_b.pk)
    assert "作出决定" in str(err.value.message_dict["step"])
    rating = rate(case, Level.VERY_DISSATISFIED, step=Step.DECISION, subcase_id=sub_a.pk,
                  reason="审批很慢")  # fmt: skip
    assert rating.department == sub_a.department
    assert rating.rectification.department == sub_a.department
    # The whole case still waits for department B; another case's sub-case is not a step.
    with pytest.raises(ServiceError):
        rate(case)
    other = world.submit()
    with pytest.raises(ServiceError) as err:
        rate(case, step=Step.DECISION, subcase_id=other.subcases.get().pk)
    assert "subcase" in err.value.message_dict


def test_a_bad_bundle_rating_names_its_member_and_goes_to_that_department(world):
    case = completed_case(world, world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    assert world.bundle.lead_department == sub_a.department != sub_b.department
    assert services.members(case) == [sub_a, sub_b]
    with pytest.raises(ServiceError) as err:  # bad, but about which part?
        rate(case, Level.DISSATISFIED, tags=[Tag.MANY_TRIPS])
    assert list(err.value.message_dict) == ["member"]
    other = completed_case(world, world.bundle)
    with pytest.raises(ServiceError) as err:  # a member of another case
        rate(case, Level.DISSATISFIED, tags=[Tag.MANY_TRIPS],
             member_id=other.subcases.order_by("pk")[1].pk)  # fmt: skip
    assert "member" in err.value.message_dict
    assert (
        snapshot() == (0, 0, 0) and not AuditRecord.objects.filter(action="ratings.rate").exists()
    )
    rating = rate(case, Level.DISSATISFIED, tags=[Tag.MANY_TRIPS], member_id=sub_b.pk)
    assert rating.member == sub_b and rating.department == sub_b.department
    assert rating.bundle == world.bundle and rating.item is None
    assert rating.rectification.department == sub_b.department  # not the lead department
    assert AuditRecord.objects.get(action="ratings.rate").meta["member"] == sub_b.pk


def test_a_good_bundle_rating_may_name_a_member_or_none(world):
    case = completed_case(world, world.bundle)
    rating = rate(case, Level.SATISFIED)
    assert rating.member is None and rating.department == world.bundle.lead_department
    second = completed_case(world, world.bundle)
    sub_b = second.subcases.order_by("pk")[1]
    rating = rate(second, Level.VERY_SATISFIED, member_id=sub_b.pk)
    assert rating.member == sub_b and rating.department == sub_b.department
    assert not Rectification.objects.exists()


def test_only_a_bundles_whole_case_names_a_member(done, world):
    with pytest.raises(ServiceError) as err:  # a single item's case has no parts to name
        rate(done, Level.DISSATISFIED, reason="慢", member_id=done.subcases.get().pk)
    assert "member" in err.value.message_dict
    case = world.submit(world.bundle)
    sub_a, sub_b = case.subcases.order_by("pk")
    approve(world, case, sub_a)
    with pytest.raises(ServiceError) as err:  # one department's step is already named
        rate(case, Level.DISSATISFIED, reason="慢", step=Step.DECISION, subcase_id=sub_a.pk,
             member_id=sub_b.pk)  # fmt: skip
    assert "member" in err.value.message_dict
    assert snapshot() == (0, 0, 0)


def test_a_correction_step_can_be_rated_once_a_notice_was_sent(world):
    case = world.submit()
    sub = case.subcases.get()
    with pytest.raises(ServiceError):
        rate(case, step=Step.CORRECTION, subcase_id=sub.pk)
    act(open_item(case, "accept", sub), Action.CORRECTION, world.clerk_a,
        corrections=[{"material": "材料M-A", "reason": "缺页"}], note="请补正")  # fmt: skip
    assert CorrectionNotice.objects.filter(subcase=sub).exists()
    rating = rate(case, Level.SATISFIED, step=Step.CORRECTION, subcase_id=sub.pk)
    assert rating.step == Step.CORRECTION
    with pytest.raises(ServiceError):
        rate(case, step=Step.CORRECTION, subcase_id=sub.pk)


# --- follow-up ---------------------------------------------------------------------------


def test_one_follow_up_per_rating_by_the_rater_only(done, other_citizen):
    rating = rate(done, Level.DISSATISFIED, reason="太慢")
    with pytest.raises(ServiceError) as err:
        services.add_follow_up(rating, actor=other_citizen, level=5)
    assert "rating" in err.value.message_dict
    with pytest.raises(ServiceError) as err:
        services.add_follow_up(rating, actor=done.applicant, level=1)
    assert "reason" in err.value.message_dict
    services.add_follow_up(rating, actor=done.applicant, level=4, reason="已解决")
    with pytest.raises(ServiceError) as err:
        services.add_follow_up(rating, actor=done.applicant, level=5)
    assert "已经追评" in str(err.value.message_dict["rating"])
    assert FollowUp.objects.get().level == 4


# --- the rectification ticket -------------------------------------------------------------


def test_the_due_date_counts_working_days_and_follows_the_setting(done, settings):
    now = timezone.now()
    rating = services.rate(done, RatingInput(level=1, reason="差"), actor=done.applicant, now=now)
    expected = calc.add_working_days(calc.local_date(now), 15).date
    assert rating.rectification.due_on == expected
    settings.TONGBAN_RATING_FIX_DAYS = 5
    assert services.fix_days() == 5
    assert calc.add_working_days(calc.local_date(now), 5).date < expected


def test_a_bad_rating_alerts_the_department_leader(done, world):
    rate(done, Level.VERY_DISSATISFIED, tags=[Tag.ATTITUDE])
    record = AuditRecord.objects.get(action="alert.ratings.bad_rating")
    assert record.meta["audience"] == "department_leader"
    assert record.meta["department"] == done.item.department_id


def test_the_ticket_runs_call_back_fix_reply_close_in_order(
    done, world, django_capture_on_commit_callbacks
):
    ticket = rate(done, Level.DISSATISFIED, reason="窗口态度差").rectification
    official = world.reviewer_a
    with pytest.raises(ServiceError) as err:
        services.record_fix(ticket, actor=official, finding="a", fix="b")
    assert "finding" in err.value.message_dict
    with pytest.raises(ServiceError) as err:
        services.send_reply(ticket, actor=official, reply="x")
    assert "reply" in err.value.message_dict
    with pytest.raises(ServiceError) as err:
        services.record_call_back(ticket, actor=official, note="  ")
    assert "call_back_note" in err.value.message_dict
    ticket = services.record_call_back(ticket, actor=official, note="已回访，属实")
    assert ticket.status == TicketStatus.CALLED_BACK and ticket.called_back_by == official
    with pytest.raises(ServiceError) as err:
        services.record_fix(ticket, actor=official, finding="", fix="")
    assert set(err.value.message_dict) == {"finding", "fix"}
    ticket = services.record_fix(ticket, actor=official, finding="窗口人员解释不清",
                                 fix="已对窗口人员培训")  # fmt: skip
    with pytest.raises(ServiceError):
        services.close_ticket(ticket, actor=official)
    ticket = services.send_reply(ticket, actor=official, reply="您反映的问题已整改，谢谢监督。")
    assert ticket.status == TicketStatus.REPLIED and ticket.fixed_in_time
    message = Message.objects.get(code="ratings.reply")
    assert message.recipient == done.applicant and "已整改" in message.body
    assert message.link.endswith(f"/follow-up/{ticket.rating_id}/")
    ticket = services.close_ticket(ticket, actor=official)
    assert ticket.status == TicketStatus.CLOSED
    with pytest.raises(ServiceError):
        services.record_call_back(ticket, actor=official, note="again")
    actions = list(
        AuditRecord.objects.filter(action__startswith="ratings.").values_list("action", flat=True)
    )
    assert actions == ["ratings.rate", "ratings.ticket_opened", "ratings.call_back",
                       "ratings.fix", "ratings.reply", "ratings.close"]  # fmt: skip


def test_another_department_cannot_touch_the_ticket(done, world, other_citizen):
    ticket = rate(done, Level.DISSATISFIED, reason="慢").rectification
    for outsider in (world.all_b, other_citizen, done.applicant):
        with pytest.raises(ServiceError) as err:
            services.record_call_back(ticket, actor=outsider, note="x")
        assert "ticket" in err.value.message_dict
    ticket.refresh_from_db()
    assert ticket.called_back_at is None and ticket.lock_version == 0


def test_a_stale_form_is_refused(done, world):
    ticket = rate(done, Level.DISSATISFIED, reason="慢").rectification
    services.record_call_back(ticket, actor=world.clerk_a, note="回访", version=0)
    with pytest.raises(ServiceError) as err:
        services.record_fix(ticket, actor=world.reviewer_a, finding="a", fix="b", version=0)
    assert "其他人修改" in str(err.value.message_dict["ticket"])


def test_overdue_tickets_escalate_once_to_the_department_leader(done, world):
    ticket = rate(done, Level.DISSATISFIED, reason="慢").rectification
    after_due = calc.deadline_at(ticket.due_on) + dt.timedelta(days=1)
    assert services.escalate_overdue(calc.deadline_at(ticket.due_on)) == []
    assert services.escalate_overdue(after_due) == [ticket.pk]
    assert services.escalate_overdue(after_due + dt.timedelta(hours=1)) == []  # once
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ESCALATED and ticket.escalated_at
    alerts = AuditRecord.objects.filter(action="alert.ratings.overdue")
    assert alerts.count() == 1
    assert alerts.get().meta == {"audience": "department_leader", "severity": "warning",
                                 "department": done.item.department_id}  # fmt: skip
    # Work goes on after escalation; a late reply is not "in time".
    services.record_call_back(ticket, actor=world.leader_a, note="回访")
    ticket = services.record_fix(ticket, actor=world.leader_a, finding="f", fix="x")
    assert ticket.status == TicketStatus.ESCALATED
    ticket = services.send_reply(ticket, actor=world.leader_a, reply="r")
    assert ticket.status == TicketStatus.REPLIED
    Rectification.objects.filter(pk=ticket.pk).update(replied_at=after_due)
    ticket.refresh_from_db()
    assert not ticket.fixed_in_time


def test_answered_and_excluded_tickets_do_not_escalate(done, world, ratings_admin):
    ticket = rate(done, Level.DISSATISFIED, reason="慢").rectification
    later = calc.deadline_at(ticket.due_on) + dt.timedelta(days=3)
    appeal = services.request_appeal(ticket.rating, actor=world.leader_a,
                                     reason="评价人评错了办件，所述情况与本件无关。")  # fmt: skip
    services.decide_appeal(appeal, actor=ratings_admin, accept=True, note="核实属误评")
    assert services.escalate_overdue(later) == []


def test_the_escalation_job_is_registered():
    from tongban.core.scheduling import get_job

    job = get_job("ratings.escalate")
    assert job is not None and job.every == dt.timedelta(minutes=15)


# --- appeals ------------------------------------------------------------------------------


def test_appeal_rules_and_an_audited_decision(done, world, ratings_admin, other_citizen):
    good = rate(completed_case(world), Level.VERY_SATISFIED)
    bad = rate(done, Level.VERY_DISSATISFIED, reason="乱说一通")
    with pytest.raises(ServiceError) as err:
        services.request_appeal(bad, actor=world.all_b, reason="不是我们的事" * 3)
    assert "rating" in err.value.message_dict
    with pytest.raises(ServiceError):
        services.request_appeal(good, actor=world.leader_a, reason="好评也想申诉一下试试")
    with pytest.raises(ServiceError) as err:
        services.request_appeal(bad, actor=world.leader_a, reason="恶意")
    assert "reason" in err.value.message_dict
    appeal = services.request_appeal(bad, actor=world.reviewer_a,
                                     reason="评价内容与办理事项无关，系恶意差评。")  # fmt: skip
    with pytest.raises(ServiceError):
        services.request_appeal(bad, actor=world.leader_a, reason="再申诉一次，理由同上。")
    for outsider in (world.leader_a, other_citizen):
        with pytest.raises(ServiceError) as err:
            services.decide_appeal(appeal, actor=outsider, accept=True, note="同意")
        assert "appeal" in err.value.message_dict
    with pytest.raises(ServiceError) as err:
        services.decide_appeal(appeal, actor=ratings_admin, accept=True, note="")
    assert "decision_note" in err.value.message_dict
    assert Appeal.objects.get().status == AppealStatus.PENDING
    services.decide_appeal(appeal, actor=ratings_admin, accept=True, note="经核实属恶意评价")
    bad.refresh_from_db()
    assert bad.excluded and bad.rectification.status == TicketStatus.CLOSED
    with pytest.raises(ServiceError):
        services.decide_appeal(appeal, actor=ratings_admin, accept=False, note="反悔")
    record = AuditRecord.objects.get(action="ratings.appeal_decided")
    assert record.meta == {"rating": bad.pk, "accepted": True, "from": "pending", "to": "accepted"}
    assert record.actor_id == ratings_admin.pk


def test_a_refused_appeal_keeps_the_rating_counted(done, world, admin_user):
    bad = rate(done, Level.DISSATISFIED, reason="慢")
    appeal = services.request_appeal(
        bad, actor=world.leader_a, reason="我们认为办理并不慢，符合时限。"
    )
    services.decide_appeal(appeal, actor=admin_user, accept=False, note="评价属实")
    bad.refresh_from_db()
    assert not bad.excluded and bad.rectification.closed_at is None


# --- invitation ---------------------------------------------------------------------------


def test_the_completion_message_invites_the_applicant_to_rate(
    world, django_capture_on_commit_callbacks
):
    """The invitation is part of the case's one completion message (sent by the outbox after
    the last decision), with the rating page's address; a rated case is not invited again."""
    with django_capture_on_commit_callbacks(execute=True):
        case = completed_case(world)
    done = Message.objects.get(code="cases.completed", recipient=case.applicant)
    assert f"/rate/{case.number}/?via=web" in done.body
    assert services.on_case_completed(None, case) is not None
    rate(case)
    assert services.on_case_completed(None, case) is None


def test_an_unfinished_case_gets_no_invitation(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.submit()
    assert not Message.objects.filter(code="cases.completed").exists()
    assert not Message.objects.filter(body__contains="/rate/").exists()
