"""The inbox pages: signed-in only, one's own messages only, read state, the header count."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tongban import notify
from tongban.core.models import AuditRecord
from tongban.notify.models import Message, Preference

pytestmark = pytest.mark.django_db

INBOX = reverse("notify:inbox")


def message_for(user, subject="Application received", **kwargs):
    return notify.send(user, "case.received", subject, "Body text", channels=("inapp",), **kwargs)


def test_anonymous_visitors_are_sent_to_sign_in(client, citizen):
    message = message_for(citizen)
    for url in (INBOX, reverse("notify:message", args=[message.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(reverse("notify:read_all")).status_code == 302
    message.refresh_from_db()
    assert message.read_at is None


def test_the_inbox_lists_own_messages_unread_first(client, citizen, other_citizen):
    old = message_for(citizen, "Older, unread")
    read = message_for(citizen, "Newest, read")
    notify.services.mark_read(read, actor=citizen)
    message_for(other_citizen, "Someone else's secret")
    client.force_login(citizen)
    html = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Someone else&#x27;s secret" not in html and "Someone else's secret" not in html
    assert html.index("Older, unread") < html.index("Newest, read")
    assert "You have 1 unread message." in html
    assert reverse("notify:message", args=[old.pk]) in html


def test_the_inbox_is_paginated(client, citizen):
    for i in range(23):
        message_for(citizen, f"Message {i:02d}")
    client.force_login(citizen)
    first = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first.count('class="tb-result"') == 20
    assert "Page 1 of 2" in first
    second = client.get(INBOX + "?page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert second.count('class="tb-result"') == 3


def test_opening_a_message_marks_it_read(client, citizen):
    message = message_for(citizen, link="/accounts/me/")
    client.force_login(citizen)
    response = client.get(reverse("notify:message", args=[message.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Application received" in html and "Body text" in html
    assert 'href="/accounts/me/"' in html
    message.refresh_from_db()
    assert message.read_at is not None
    assert AuditRecord.objects.filter(action="notify.read", object_id=str(message.pk)).count() == 1
    client.get(reverse("notify:message", args=[message.pk]))  # again: nothing new
    assert AuditRecord.objects.filter(action="notify.read").count() == 1


def test_someone_elses_message_is_not_found_and_stays_unread(client, citizen, other_citizen):
    theirs = message_for(other_citizen, "Private to B")
    client.force_login(citizen)
    for pk in (theirs.pk, theirs.pk + 1000, 2**63):
        response = client.get(f"/messages/{pk}/")
        assert response.status_code == 404
        assert "Private to B" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_needs_post_and_csrf_and_touches_only_own(client, citizen, other_citizen):
    mine = [message_for(citizen) for _ in range(3)]
    theirs = message_for(other_citizen)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(citizen)
    assert strict.post(reverse("notify:read_all")).status_code == 403  # no CSRF token
    assert strict.get(reverse("notify:read_all")).status_code == 405
    assert Message.objects.filter(read_at__isnull=True).count() == 4
    page = strict.get(INBOX).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = strict.post(reverse("notify:read_all"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == INBOX
    assert not Message.objects.filter(pk__in=[m.pk for m in mine], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_header_shows_the_unread_count_to_signed_in_people(client, citizen):
    client.force_login(citizen)
    html = client.get(reverse("accounts:me"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{INBOX}"' in html and "tb-tag--red" not in html  # the link, no count
    for _ in range(2):
        message_for(citizen)
    html = client.get(reverse("accounts:me"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'My messages <span class="tb-tag tb-tag--red">2<span', html)
    client.logout()
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{INBOX}"' not in html


def test_choosing_the_language_of_messages(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("notify:language"), {"language": "en"})
    assert response.status_code == 302
    assert Preference.objects.get(user=citizen).language == "en"
    citizen.refresh_from_db()
    assert notify.services.recipient_language(citizen) == "en"
    bad = client.post(reverse("notify:language"), {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    assert Preference.objects.get(user=citizen).language == "en"


def test_the_inbox_is_in_chinese_by_default_and_complete_in_english(client, citizen):
    message_for(citizen)
    client.force_login(citizen)
    zh = client.get(INBOX).content.decode()
    assert "我的消息" in zh and "全部标为已读" in zh and "消息语言" in zh
    en = client.get(INBOX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My messages" in en and "Mark all as read" in en
    assert not re.search(
        r"[\u4e00-\u9fff]", en.split("<main", 1)[1].split("</main>")[0].replace("简体中文", "")
    )
