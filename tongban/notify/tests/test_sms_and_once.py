"""Text messages carry the city's signature and a link that is never cut; a message sent
``once`` under a key is written once, whatever retries and races happen."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tongban import notify
from tongban.accounts.sms import sms_signature
from tongban.notify import channels
from tongban.notify.models import Delivery, Message

pytestmark = pytest.mark.django_db

SITE = "https://zwfw.example.gov.cn"


@pytest.fixture
def site(settings):
    settings.TONGBAN_SITE_URL = SITE
    settings.TONGBAN_SMS_SIGNATURE = ""
    settings.TONGBAN_CITY_NAME = ""
    return settings


def test_sms_carry_the_configured_signature_and_the_absolute_link(
    citizen, sms_outbox, site, django_capture_on_commit_callbacks
):
    site.TONGBAN_SMS_SIGNATURE = "【样板市政务服务】"  # brackets given or not, shown once
    with django_capture_on_commit_callbacks(execute=True):
        notify.send(citizen, "case.received", "办件已受理", "正文", link="/me/cases/X-1/")
    (sms,) = sms_outbox()
    assert sms["text"] == f"【样板市政务服务】办件已受理 详情：{SITE}/me/cases/X-1/"


def test_the_signature_defaults_to_the_city_name_then_to_the_city_region(city, site):
    assert sms_signature() == "中山市"  # the prefecture of the region tree
    site.TONGBAN_CITY_NAME = "样板市"
    assert sms_signature() == "样板市"
    site.TONGBAN_SMS_SIGNATURE = "样板市人民政府"
    assert sms_signature() == "样板市人民政府"


def test_a_long_subject_is_shortened_never_the_link_or_the_signature():
    link = f"{SITE}/me/cases/442000-20261208-000001-7/"
    text = channels.sms_text("很长的标题" * 40, link, "中山市")
    assert len(text) <= channels.SMS_MAX_CHARS
    assert text.startswith("【中山市】很长的标题") and text.endswith(link)
    assert "…" in text
    short = channels.sms_text("办件已办结", link, "中山市")
    assert "…" not in short and short.endswith(link)


def test_without_a_site_address_the_sms_says_where_to_read_it(citizen, sms_outbox, site):
    site.TONGBAN_SITE_URL = ""
    text = channels.sms_text("办件已受理", channels.absolute_link("/me/cases/X-1/"), "中山市")
    assert text.startswith("【中山市】办件已受理") and "http" not in text


def test_a_message_sent_once_is_written_once(
    citizen, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify.send(citizen, "cases.completed", "办结", "正文", once="cases.completed:1")
        again = notify.send(citizen, "cases.completed", "办结", "正文", once="cases.completed:1")
        other = notify.send(citizen, "cases.completed", "办结", "正文", once="cases.completed:2")
    assert again.pk == first.pk and other.pk != first.pk
    assert Message.objects.filter(recipient=citizen).count() == 2
    assert Delivery.objects.filter(channel="sms").count() == 2
    assert len(sms_outbox()) == 2
    assert notify.services.was_sent(citizen.pk, "cases.completed:1")
    assert not notify.services.was_sent(citizen.pk, "cases.completed:3")


def test_the_database_keeps_the_once_key_unique_per_recipient(citizen, other_citizen):
    notify.send(citizen, "x", "s", "b", channels=("inapp",), once="k")
    notify.send(other_citizen, "x", "s", "b", channels=("inapp",), once="k")  # another person
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(recipient=citizen, code="x", subject="s", once_key="k")
    # Messages without a key are never deduplicated.
    notify.send(citizen, "x", "s", "b", channels=("inapp",))
    notify.send(citizen, "x", "s", "b", channels=("inapp",))
    assert Message.objects.filter(recipient=citizen).count() == 3


def test_a_missing_site_address_is_a_system_check_warning(settings):
    from tongban.notify.checks import site_url_for_links

    settings.TONGBAN_SITE_URL = ""
    assert [w.id for w in site_url_for_links()] == ["tongban.notify.W001"]
    settings.TONGBAN_SITE_URL = SITE
    assert site_url_for_links() == []
