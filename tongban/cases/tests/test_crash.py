"""An acknowledged submission survives the server being killed (SIGKILL) right after it
answered: a real server process, a real HTTP submission, ``kill -9``, a restart, a look."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from conftest import subprocess_database_url
from tongban.cases import sealed
from tongban.cases.models import Case
from tongban.cases.tests.conftest import pdf_upload

# Every URL here is http://127.0.0.1:<port> of the server this test started.
# ruff: noqa: S310

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(port: int, tmp_path: Path) -> subprocess.Popen[bytes]:
    from django.conf import settings

    env = os.environ.copy()
    env.update(
        # The same install: sessions and the development key-encryption key hang on these.
        SECRET_KEY=settings.SECRET_KEY,
        TONGBAN_KEK=settings.TONGBAN_KEK,
        TONGBAN_KEK_FILE=settings.TONGBAN_KEK_FILE,
        DATABASE_URL=subprocess_database_url(),
        TONGBAN_VAR_DIR=str(tmp_path / "var"),
        CASES_UPLOAD_DIR=str(tmp_path / "uploads"),
        PYTHONPATH=str(ROOT),
    )
    env.pop("TONGBAN_TESTING", None)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "tongban", "runserver", f"127.0.0.1:{port}", "--noreload",
         "--skip-checks"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(tmp_path / "server.log").open("ab"),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except urllib.error.HTTPError:  # it answers (503: no worker runs here): it is up
            return process
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    process.kill()
    raise AssertionError(
        "the server did not start: " + (tmp_path / "server.log").read_text()[-2000:]
    )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.mark.django_db(transaction=True)
def test_acknowledged_submission_survives_kill_9(world, tmp_path, settings):
    settings.CASES_UPLOAD_DIR = str(tmp_path / "uploads")
    draft = world.new_draft()  # form data and materials saved, nothing submitted yet
    client = Client()
    client.force_login(world.applicant)
    session = client.cookies["sessionid"].value
    port = _free_port()
    server = _start(port, tmp_path)
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/apply/item/{world.item_a.implementation_code}/"
        request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
        try:
            page = opener.open(request, timeout=30).read().decode()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"GET {url}: {exc.code} {exc.headers.get('Location')}") from exc
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        assert token
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "f_applicant__name": "陈小明",
                "f_shop__area": "45",
                "idempotency_key": "crash-1",
                "submit": "1",
            }
        ).encode()
        post = urllib.request.Request(
            url,
            data=body,
            headers={
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
                "Referer": url,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            opener.open(post, timeout=30)
            raise AssertionError("expected the redirect to the new case")
        except urllib.error.HTTPError as answer:
            assert answer.code == 302, answer.read()[:500]
            location = answer.headers["Location"]
        # Acknowledged: kill the server at once, without any chance to clean up.
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        # The redirect goes to the confirmation page, /me/cases/<number>/submitted/.
        found = re.fullmatch(r".*/me/cases/([^/]+)/submitted/", location)
        assert found, location
        number = found[1]
        server = _start(port, tmp_path)
        after = urllib.request.Request(
            f"{base}/me/cases/{number}/", headers={"Cookie": f"sessionid={session}"}
        )
        assert opener.open(after, timeout=30).status == 200
    finally:
        server.kill()
        server.wait(timeout=10)
    case = Case.objects.get(number=number)
    assert case.applicant == world.applicant and case.subcases.count() == 1
    assert sealed.case_data(case)["shop.area"] == "45"
    assert not type(draft).objects.filter(pk=draft.pk).exists()
    assert pdf_upload  # the materials uploaded beforehand went with the case
    assert case.materials.count() == 2
