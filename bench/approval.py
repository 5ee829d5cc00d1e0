"""Benchmark: bundles (一件事) completed per second through the case services, beside a floor.

Run as ``.venv/bin/python bench/approval.py [--bundles 100] [--max-background 1000000]``.

Builds a throw-away SQLite database (migrated, WAL, the project's own settings) with a
4-member bundle in 4 departments, one applicant and one official per department holding
clerk + reviewer + department_leader. A *bundle* is one applicant's draft saved and
submitted, then accept → forward → approve in each of the 4 departments (12 decisions):
``services.draft_for/save_draft/submit/act``, exactly as the pages call them.

The floor, in the same process and database, drives the same BPMN model
(``bundle_model`` → ``kernel.start/complete/ready_tasks``, i.e. SpiffWorkflow with the
state stored as JSON text) and writes the same rows with plain SQL on the sqlite3
connection: draft, case, sub-cases, process instance, work items, history, hash-chained
audit records, in-app messages, deliveries and their queued tasks, in as many
transactions as the service layer commits (counted from SQLite's statement trace and
printed for both). It reads what a stateless request must read (the work item, the
engine state, the actor's roles, the sub-cases) but validates no form, renders no
translated text and encrypts with a bare AES-GCM call: the ratio is our own overhead
(ORM, checks, rendering, key store).

Other modules' receivers of the approval module's signals (``tongban.cases.signals``:
licences, the rating invitation) are disconnected for the comparison and measured apart
on one line.

Then it bulk-inserts closed background cases (each with 4 approved sub-cases, 12 done
work items, 22 history events and a completed process instance, over 1,000 applicants
and 1,000 past days) up to 10,000 and then ``--max-background`` cases (1,000,000 take
about 4 minutes and 7 GB of disk on a 2-core machine; the whole run about 7 minutes),
and prints the cost per bundle of both paths and of an official's inbox page at each
size: with the right indexes they stay flat. Wall-clock time is printed with the CPU
time of this process, which is the steadier figure on a shared machine. ``--profile``
adds the top entries of a cProfile run of the service layer. Not a test; never part of
``make test``.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import datetime as dt
import hashlib
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEPARTMENTS = [
    ("scjg", "市场监督管理局", "Market Regulation Bureau"),
    ("xf", "消防救援支队", "Fire and Rescue Service"),
    ("hb", "生态环境局", "Ecology and Environment Bureau"),
    ("wj", "卫生健康局", "Health Commission"),
]
FORM_VALUES = {"applicant.name": "陈小明", "applicant.phone": "13800000001"}
STEPS = [("accept", "accept"), ("review", "forward"), ("decide", "approve")]
BACKGROUND_USERS = 1_000
BACKGROUND_BATCH = 20_000  # cases per transaction (800,000 rows)
SCALE_POINTS = (10_000, 1_000_000)


def configure(workdir: Path) -> None:
    os.environ["TONGBAN_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    # The development key-encryption key is fine for a throw-away database; don't warn.
    warnings.filterwarnings("ignore", message="TONGBAN_KEK", category=RuntimeWarning)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)  # "calendar provisional" alerts are not the point here
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@dataclass
class World:
    bundle: Any
    applicant: Any
    departments: list[Any]
    officials: list[Any]  # one per department, clerk + reviewer + leader
    items: list[Any]
    bg_users: list[int] = field(default_factory=list)


def build_world() -> World:
    from tongban.accounts.models import Role, RoleAssignment, User, UserKind
    from tongban.cases.elements import sync_elements
    from tongban.cases.models import DataElement, DefinitionStatus, FormDefinition
    from tongban.catalog.models import Bundle, BundleMember, ItemStatus, ItemType, ServiceItem
    from tongban.core.models import ClassificationLevel
    from tongban.org.models import Department, Region, RegionLevel

    sync_elements(DataElement)
    city = Region.objects.create(
        code="442000", name="中山市", name_en="Zhongshan", level=RegionLevel.PREFECTURE
    )
    departments, items, officials = [], [], []
    for n, (code, name, name_en) in enumerate(DEPARTMENTS):
        department = Department.objects.create(
            code=code,
            name=f"中山市{name}",
            name_en=name_en,
            region=city,
            uscc=f"11442000MB2C{n:04d}X",
        )
        item = ServiceItem.objects.create(  # no materials: nothing to upload
            name=f"{name}许可{n}",
            name_en=f"{name_en} permit",
            basic_code=f"00010{n}000",
            implementation_code=f"11442000MB2C{n:04d}X-442000-{n:04d}",
            item_type=ItemType.LICENSING,
            department=department,
            status=ItemStatus.PUBLISHED,
            promised_limit=5,
            legal_limit=20,
        )
        FormDefinition.objects.create(
            item=item,
            version=1,
            status=DefinitionStatus.PUBLISHED,
            fields=[{"element": code, "required": True} for code in FORM_VALUES],
        )
        official = User.objects.create_user(
            username=f"official-{code}",
            password=None,
            real_name=f"{name}办事员",
            kind=UserKind.OFFICIAL,
            department=department,
            clearance=ClassificationLevel.SENSITIVE,
        )
        for role in (Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_LEADER):
            RoleAssignment.objects.create(user=official, role=role, department=department)
        departments.append(department)
        items.append(item)
        officials.append(official)
    bundle = Bundle.objects.create(
        code="bench-bundle",
        name="开办企业一件事",
        name_en="Opening a business",
        audience="enterprise",
        lead_department=departments[0],
        promised_limit=10,
        status=ItemStatus.PUBLISHED,
    )
    for n, item in enumerate(items, start=1):
        BundleMember.objects.create(bundle=bundle, item=item, sort_order=n)
    applicant = User.objects.create_user(
        username="applicant",
        password=None,
        real_name="陈小明",
        phone=FORM_VALUES["applicant.phone"],
        assurance_level=2,
    )
    return World(bundle, applicant, departments, officials, items)


# --- counting transactions --------------------------------------------------------------


@contextmanager
def counting_commits() -> Iterator[Callable[[], tuple[int, int]]]:
    """Count write transactions from SQLite's statement trace: explicit COMMITs plus
    writes run in autocommit mode (each of those is a transaction of its own); and every
    statement SQLite ran (savepoints included)."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    state = {"open": False, "commits": 0, "statements": 0}

    def trace(sql: str) -> None:
        state["statements"] += 1
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if word == "BEGIN":
            state["open"] = True
        elif word in {"COMMIT", "END"}:
            state["open"] = False
            state["commits"] += 1
        elif word == "ROLLBACK":
            state["open"] = False
        elif word in {"INSERT", "UPDATE", "DELETE", "REPLACE"} and not state["open"]:
            state["commits"] += 1

    raw.set_trace_callback(trace)
    try:
        yield lambda: (state["commits"], state["statements"])
    finally:
        raw.set_trace_callback(None)


def open_work_item(raw: Any, case_id: int, department_id: int, kind: str) -> int:
    """The driver's inbox lookup, the same plain query for both paths."""
    row = raw.execute(
        "SELECT id FROM cases_workitem WHERE case_id = ? AND department_id = ? AND kind = ?"
        " AND status = 'open'",
        (case_id, department_id, kind),
    ).fetchone()
    return int(row[0])


# --- the service layer ------------------------------------------------------------------


class ServicePath:
    def __init__(self, world: World) -> None:
        from django.db import connection

        self.world = world
        self.serial = 0
        connection.ensure_connection()
        self.raw = connection.connection

    def bundle(self) -> None:
        from tongban.cases import actions, services
        from tongban.cases.actions import ActionInput

        world = self.world
        self.serial += 1
        draft = services.draft_for(world.applicant, world.bundle)
        errors = services.save_draft(draft, FORM_VALUES, actor=world.applicant)
        assert not errors, errors
        case = services.submit(draft, actor=world.applicant, idempotency_key=f"s{self.serial}")
        for department, official in zip(world.departments, world.officials, strict=True):
            for kind, action in STEPS:
                work_id = open_work_item(self.raw, case.pk, department.pk, kind)
                actions.act(work_id, ActionInput(action), actor=official)
        self.last_case = case.pk


# --- the floor --------------------------------------------------------------------------


def _ts(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class FloorPath:
    """The same bundle through the kernel and plain SQL (see the module docstring)."""

    KIND_BY_ROLE = {"clerk": "accept", "reviewer": "review", "department_leader": "decide"}
    SUBCASE_AFTER = {"accept": "in_review", "forward": None, "approve": "approved"}
    ENGINE_VALUE = {"accept": ("accept", "accepted"), "forward": ("review", "ok")}
    ENGINE_VALUE["approve"] = ("decision", "approved")

    def __init__(self, world: World) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from django.db import connection
        from django.utils import timezone

        from tongban.cases.engine import kernel
        from tongban.cases.engine.bundle import bundle_model
        from tongban.cases.models import ProcessDefinition
        from tongban.workdays import calc

        self.world = world
        self.kernel = kernel
        self.add_working_days = calc.add_working_days
        connection.ensure_connection()
        self.raw = connection.connection
        members = [(i.implementation_code, i.department.code) for i in world.items]
        xml = bundle_model(members)
        # The service layer stored this definition on its first case; reuse its row.
        definition = ProcessDefinition.objects.get(key=f"bundle-{world.bundle.code}")
        assert definition.bpmn_xml.encode() == xml, "the floor must run the same model"
        self.definition_id = definition.pk
        self.ref = kernel.SpecRef(definition.key, definition.version, xml)
        self.aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.serial = 0
        today = timezone.localdate()
        self.acceptance_due = calc.add_working_days(today, 5).date.isoformat()
        self.promised_due = calc.add_working_days(today, 5).date.isoformat()
        self.statutory_due = calc.add_working_days(today, 20).date.isoformat()
        self.bundle_due = calc.add_working_days(today, world.bundle.promised_limit).date
        self.city = "442000"
        self.dept_names = {d.pk: d.name for d in world.departments}
        self.item_names = {i.implementation_code: i.name for i in world.items}

    # plain helpers -----------------------------------------------------------------------

    def seal(self, aad: str, data: dict[str, Any]) -> str:
        nonce = os.urandom(12)
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
        sealed = self.aead.encrypt(nonce, payload, aad.encode())
        return "bench." + base64.urlsafe_b64encode(nonce + sealed).decode()

    def audit(
        self, actor_id: int | None, label: str, action: str, otype: str, oid: Any, meta: dict
    ) -> None:
        raw = self.raw
        stream = action.split(".", 1)[0]
        head = raw.execute(
            "SELECT seq, hash FROM core_auditstreamhead WHERE stream = ?", (stream,)
        ).fetchone()
        if head is None:
            raw.execute(
                "INSERT INTO core_auditstreamhead (stream, seq, hash) VALUES (?, 0, '')", (stream,)
            )
            head = (0, "")
        seq, prev = head[0] + 1, head[1] or "0" * 64
        now = dt.datetime.now(dt.UTC)
        canonical = [
            stream,
            seq,
            now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            actor_id,
            label,
            action,
            otype,
            str(oid),
            meta,
            prev,
        ]
        digest = hashlib.sha256(
            json.dumps(
                canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":")
            ).encode()
        ).hexdigest()
        raw.execute(
            "INSERT INTO core_auditrecord (stream, seq, occurred_at, actor_id, actor_label,"
            " action, object_type, object_id, meta, alg, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sha256', ?, ?)",
            (
                stream,
                seq,
                _ts(now),
                actor_id,
                label,
                action,
                otype,
                str(oid),
                json.dumps(meta, ensure_ascii=False),
                prev,
                digest,
            ),
        )
        raw.execute(
            "UPDATE core_auditstreamhead SET seq = ?, hash = ? WHERE stream = ?",
            (seq, digest, stream),
        )

    def message(self, case_number: str, code: str, subject: str, body: str) -> int:
        """An in-app message + e-mail (skipped: no address) and SMS deliveries; returns
        the SMS delivery id to queue after commit."""
        raw = self.raw
        now = _ts(dt.datetime.now(dt.UTC))
        applicant = self.world.applicant.pk
        cur = raw.execute(
            "INSERT INTO notify_message (code, subject, body, link, severity, language,"
            " in_inbox, created_at, read_at, recipient_id)"
            " VALUES (?, ?, ?, ?, 'info', 'zh-hans', 1, ?, NULL, ?)",
            (code, subject, body, f"/me/cases/{case_number}/", now, applicant),
        )
        message_id = cur.lastrowid
        raw.execute(
            "INSERT INTO notify_delivery (channel, status, address_hint, attempts, last_error,"
            " next_attempt_at, created_at, sent_at, message_id)"
            " VALUES ('email', 'skipped', '', 0, '', NULL, ?, NULL, ?)",
            (now, message_id),
        )
        cur = raw.execute(
            "INSERT INTO notify_delivery (channel, status, address_hint, attempts, last_error,"
            " next_attempt_at, created_at, sent_at, message_id)"
            " VALUES ('sms', 'pending', '138****0001', 0, '', NULL, ?, NULL, ?)",
            (now, message_id),
        )
        delivery_id = int(cur.lastrowid)
        self.audit(
            None,
            "system",
            "notify.send",
            "notify.message",
            message_id,
            {
                "code": code,
                "recipient": applicant,
                "channels": ["inapp", "email", "sms"],
                "queued": 1,
            },
        )
        return delivery_id

    def enqueue(self, delivery_ids: list[int]) -> None:
        """After commit, one autocommitted task row per SMS (as the task backend does)."""
        now = _ts(dt.datetime.now(dt.UTC))
        for delivery_id in delivery_ids:
            self.raw.execute(
                "INSERT INTO django_tasks_database_dbtaskresult (id, args_kwargs, priority,"
                " task_path, queue_name, backend_name, run_after, enqueued_at, finished_at,"
                " started_at, return_value, exception_class_path, traceback, worker_ids, status)"
                " VALUES (?, ?, 0, 'tongban.notify.tasks.send_delivery', 'default', 'default',"
                " '9999-01-01 00:00:00', ?, NULL, NULL, NULL, '', '', '[]', 'READY')",
                (uuid.uuid4().hex, json.dumps({"args": [delivery_id], "kwargs": {}}), now),
            )

    def insert_work_items(self, case_id: int, subs: dict[str, tuple], ready: list) -> None:
        """Work items for ready tasks that have none yet (``subs``: item code → sub-case row
        (id, department id, promised due, statutory due, acceptance due))."""
        raw = self.raw
        known = {
            r[0]
            for r in raw.execute(
                "SELECT task_id FROM cases_workitem WHERE case_id = ? AND status = 'open'",
                (case_id,),
            )
        }
        now = _ts(dt.datetime.now(dt.UTC))
        for task in ready:
            if task.task_id in known:
                continue
            sub = subs[task.properties["item"]]
            kind = self.KIND_BY_ROLE[task.role]
            due = sub[4] if kind == "accept" else (sub[2] or sub[3])
            raw.execute(
                "INSERT INTO cases_workitem (task_id, spec_name, data_prefix, name, kind, role,"
                " status, opened_at, due_on, closed_at, escalation_level, case_id,"
                " closed_by_id, department_id, subcase_id) VALUES (?, ?, ?, ?, ?, ?, 'open',"
                " ?, ?, NULL, 0, ?, NULL, ?, ?)",
                (
                    task.task_id,
                    task.spec_name,
                    task.properties.get("data_prefix", ""),
                    task.name[:200],
                    kind,
                    task.role,
                    now,
                    due,
                    case_id,
                    sub[1],
                    sub[0],
                ),
            )

    def run_auto(self, state: Any, case_id: int, subs: dict[str, tuple]) -> tuple[Any, list]:
        """Complete automatic tasks (electronic close and delivery) with a history row each."""
        kernel = self.kernel
        while True:
            ready = kernel.ready_tasks(state)
            auto = next((t for t in ready if t.properties.get("auto")), None)
            if auto is None:
                return state, ready
            self.raw.execute(
                "INSERT INTO cases_caseevent (action, note, legal_basis, public, at, actor_id,"
                " case_id, subcase_id) VALUES ('auto', '', '', 0, ?, NULL, ?, ?)",
                (_ts(dt.datetime.now(dt.UTC)), case_id, subs[auto.properties["item"]][0]),
            )
            state = kernel.complete(state, auto.task_id, {}, add_working_days=self.add_working_days)

    def subcases(self, case_id: int) -> dict[str, tuple]:
        rows = self.raw.execute(
            "SELECT s.id, s.department_id, s.promised_due, s.statutory_due, s.acceptance_due,"
            " i.implementation_code, s.status FROM cases_subcase s"
            " JOIN catalog_serviceitem i ON i.id = s.item_id WHERE s.case_id = ?",
            (case_id,),
        )
        return {r[5]: r for r in rows}

    # one bundle --------------------------------------------------------------------------

    def bundle(self) -> None:
        raw, world = self.raw, self.world
        applicant = world.applicant.pk
        self.serial += 1
        key = f"f{self.serial}"

        # draft_for: look up, then create (autocommit)
        raw.execute(
            "SELECT id FROM cases_draft WHERE applicant_id = ? AND organisation_id IS NULL"
            " AND bundle_id = ?",
            (applicant, world.bundle.pk),
        ).fetchone()
        now = _ts(dt.datetime.now(dt.UTC))
        draft_id = raw.execute(
            "INSERT INTO cases_draft (data_token, revision, created_at, updated_at,"
            " applicant_id, bundle_id, item_id, organisation_id)"
            " VALUES ('', 0, ?, ?, ?, ?, NULL, NULL)",
            (now, now, applicant, world.bundle.pk),
        ).lastrowid

        # save_draft
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(
            "UPDATE cases_draft SET data_token = ?, revision = revision + 1, updated_at = ?"
            " WHERE id = ?",
            (self.seal(f"cases.draft|{applicant}|{draft_id}", FORM_VALUES), now, draft_id),
        )
        self.audit(
            applicant,
            "applicant",
            "cases.draft_save",
            "cases.draft",
            draft_id,
            {"fields": sorted(FORM_VALUES)},
        )
        raw.execute("COMMIT")

        # submit
        raw.execute(
            "SELECT id FROM cases_case WHERE applicant_id = ? AND idempotency_key = ?",
            (applicant, key),
        ).fetchone()
        raw.execute("SELECT data_token FROM cases_draft WHERE id = ?", (draft_id,)).fetchone()
        raw.execute("BEGIN IMMEDIATE")
        moment = dt.datetime.now(dt.UTC)
        now = _ts(moment)
        day = moment.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        raw.execute(
            "INSERT INTO cases_casecounter (day, last) VALUES (?, 0) ON CONFLICT (day) DO NOTHING",
            (day.isoformat(),),
        )
        (last,) = raw.execute(
            "UPDATE cases_casecounter SET last = last + 1 WHERE day = ? RETURNING last",
            (day.isoformat(),),
        ).fetchone()
        body = f"{self.city}{day:%Y%m%d}{last:06d}"
        number = f"{self.city}-{day:%Y%m%d}-{last:06d}-{luhn(body)}"
        versions = json.dumps({i.implementation_code: 1 for i in world.items})
        case_id = raw.execute(
            "INSERT INTO cases_case (number, query_code, title, title_en, status, data_token,"
            " form_versions, idempotency_key, classification, submitted_at, promised_due,"
            " due_provisional, completed_at, lock_version, applicant_id, bundle_id, item_id,"
            " organisation_id) VALUES (?, ?, ?, ?, 'submitted', ?, ?, ?, 3, ?, ?, 0, NULL, 0,"
            " ?, ?, NULL, NULL)",
            (
                number,
                uuid.uuid4().hex[:6].upper(),
                world.bundle.name,
                world.bundle.name_en,
                self.seal(f"cases.case|{number}", FORM_VALUES),
                versions,
                key,
                now,
                self.bundle_due.isoformat(),
                applicant,
                world.bundle.pk,
            ),
        ).lastrowid
        for item in world.items:
            raw.execute(
                "INSERT INTO cases_subcase (status, received_at, accepted_at, decided_at, reason,"
                " legal_basis, promised_days, statutory_days, acceptance_due, promised_due,"
                " statutory_due, due_provisional, deadline_state, lock_version, case_id,"
                " decided_by_id, department_id, item_id) VALUES ('received', ?, NULL, NULL,"
                " '', '', 5, 20, ?, ?, ?, 0, 'on_time', 0, ?, NULL, ?, ?)",
                (
                    now,
                    self.acceptance_due,
                    self.promised_due,
                    self.statutory_due,
                    case_id,
                    item.department_id,
                    item.pk,
                ),
            )
        raw.execute(
            "INSERT INTO cases_caseevent (action, note, legal_basis, public, at, actor_id,"
            " case_id, subcase_id) VALUES ('submitted', '', '', 1, ?, ?, ?, NULL)",
            (now, applicant, case_id),
        )
        subs = self.subcases(case_id)
        state = self.kernel.start(self.ref, {}, add_working_days=self.add_working_days)
        state, ready = self.run_auto(state, case_id, subs)
        self.insert_work_items(case_id, subs, ready)
        raw.execute(
            "INSERT INTO cases_processinstance (state, completed, next_due_at, lock_version,"
            " updated_at, case_id, definition_id) VALUES (?, 0, NULL, 1, ?, ?, ?)",
            (state.text, now, case_id, self.definition_id),
        )
        self.audit(
            applicant,
            "applicant",
            "cases.submit",
            "cases.case",
            case_id,
            {"items": [i.implementation_code for i in world.items], "fields": sorted(FORM_VALUES)},
        )
        raw.execute("DELETE FROM cases_draft WHERE id = ?", (draft_id,))
        queued = [
            self.message(
                number,
                "cases.submitted",
                f"申请 {number} 已收到",
                f"您的申请“{world.bundle.name}”已受理登记为办件 {number}。",
            )
        ]
        raw.execute("COMMIT")
        self.enqueue(queued)

        for department, official in zip(world.departments, world.officials, strict=True):
            for kind, action in STEPS:
                work_id = open_work_item(raw, case_id, department.pk, kind)
                self.step(work_id, action, official.pk)

    def step(self, work_id: int, action: str, actor: int) -> None:
        raw = self.raw
        raw.execute("BEGIN IMMEDIATE")
        case_id, task_id, spec_name, kind, department_id, subcase_id, status, role = raw.execute(
            "SELECT case_id, task_id, spec_name, kind, department_id, subcase_id, status, role"
            " FROM cases_workitem WHERE id = ?",
            (work_id,),
        ).fetchone()
        (text,) = raw.execute(
            "SELECT state FROM cases_processinstance WHERE case_id = ?", (case_id,)
        ).fetchone()
        number, case_status = raw.execute(
            "SELECT number, status FROM cases_case WHERE id = ?", (case_id,)
        ).fetchone()
        assert status == "open"
        roles = {
            r[0]
            for r in raw.execute(
                "SELECT role FROM accounts_roleassignment WHERE user_id = ? AND department_id = ?",
                (actor, department_id),
            )
        }
        assert role in roles or "department_leader" in roles
        moment = dt.datetime.now(dt.UTC)
        now = _ts(moment)
        subs = self.subcases(case_id)
        sub = next(s for s in subs.values() if s[0] == subcase_id)
        target = self.SUBCASE_AFTER[action]
        queued = []
        if action == "accept":
            raw.execute(
                "UPDATE cases_subcase SET status = ?, accepted_at = ?, promised_due = ?,"
                " statutory_due = ?, due_provisional = 0, lock_version = lock_version + 1"
                " WHERE id = ?",
                (target, now, self.promised_due, self.statutory_due, subcase_id),
            )
        elif action == "approve":
            raw.execute(
                "UPDATE cases_subcase SET status = ?, decided_at = ?, decided_by_id = ?,"
                " reason = '', legal_basis = '', lock_version = lock_version + 1 WHERE id = ?",
                (target, now, actor, subcase_id),
            )
        else:
            raw.execute(
                "UPDATE cases_subcase SET lock_version = lock_version + 1 WHERE id = ?",
                (subcase_id,),
            )
        raw.execute(
            "INSERT INTO cases_caseevent (action, note, legal_basis, public, at, actor_id,"
            " case_id, subcase_id) VALUES (?, '', '', ?, ?, ?, ?, ?)",
            (action, int(action != "forward"), now, actor, case_id, subcase_id),
        )
        item_name = self.item_names[sub[5]]
        dept_name = self.dept_names[department_id]
        if action == "accept":
            queued.append(
                self.message(
                    number,
                    "cases.accepted",
                    f"办件 {number} 已由{dept_name}受理",
                    f"{dept_name}已受理办件 {number} 中的“{item_name}”。",
                )
            )
        elif action == "approve":
            queued.append(
                self.message(
                    number,
                    "cases.decided",
                    f"办件 {number}：“{item_name}”已准予许可",
                    f"{dept_name}已对办件 {number} 中的“{item_name}”作出准予许可决定。",
                )
            )
        closed = raw.execute(
            "UPDATE cases_workitem SET status = 'done', closed_at = ?, closed_by_id = ?"
            " WHERE id = ? AND status = 'open'",
            (now, actor, work_id),
        ).rowcount
        assert closed == 1
        # the engine step: the decision under the member's data prefix (the step names of
        # a bundle model are "<prefix>_<step>"), then the automatic tasks
        prefix = spec_name.split("_", 1)[0]
        suffix, value = self.ENGINE_VALUE[action]
        state = self.kernel.complete(
            text, task_id, {f"{prefix}_{suffix}": value}, add_working_days=self.add_working_days
        )
        state, ready = self.run_auto(state, case_id, subs)
        self.insert_work_items(case_id, subs, ready)
        raw.execute(
            "UPDATE cases_processinstance SET state = ?, completed = ?, next_due_at = NULL,"
            " lock_version = lock_version + 1, updated_at = ? WHERE case_id = ?",
            (state.text, int(self.kernel.is_completed(state)), now, case_id),
        )
        # the case's status from its sub-cases
        statuses = [
            r[0]
            for r in raw.execute("SELECT status FROM cases_subcase WHERE case_id = ?", (case_id,))
        ]
        final = {"approved", "rejected", "not_accepted", "withdrawn"}
        new_status = (
            "completed"
            if all(s in final for s in statuses)
            else "in_progress"
            if any(s != "received" for s in statuses)
            else "submitted"
        )
        if new_status != case_status:
            raw.execute(
                "UPDATE cases_case SET status = ?, completed_at = ?,"
                " lock_version = lock_version + 1 WHERE id = ?",
                (new_status, now if new_status == "completed" else None, case_id),
            )
            if new_status == "completed":
                raw.execute(
                    "INSERT INTO cases_caseevent (action, note, legal_basis, public, at,"
                    " actor_id, case_id, subcase_id) VALUES ('completed', '', '', 1, ?, NULL,"
                    " ?, NULL)",
                    (now, case_id),
                )
                queued.append(
                    self.message(
                        number,
                        "cases.completed",
                        f"办件 {number} 已办结",
                        f"各相关部门已对您的申请（办件编号 {number}）全部作出决定。",
                    )
                )
        self.audit(
            actor,
            "official",
            f"cases.{action}",
            "cases.subcase",
            subcase_id,
            {"case": number, "work_item": work_id, "kind": kind},
        )
        raw.execute("COMMIT")
        self.enqueue(queued)


def luhn(digits: str) -> str:
    # Imported here like every tongban module in this file: after django.setup().
    from tongban.core.identifiers import luhn_check_digit

    return luhn_check_digit(digits)


# --- background cases -------------------------------------------------------------------


def add_background_users(world: World) -> None:
    from django.contrib.auth.hashers import make_password

    from tongban.accounts.models import User

    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=f"bg-{n:04d}", real_name=f"申请人{n}", password=unusable)
            for n in range(BACKGROUND_USERS)
        ],
        batch_size=500,
    )
    world.bg_users = list(
        User.objects.filter(username__startswith="bg-").values_list("pk", flat=True)
    )


def fill_background(world: World, start: int, stop: int) -> float:
    """Insert closed bundle cases number ``start`` … ``stop - 1`` (counted from 0) with their
    sub-cases, done work items, history and completed process instance; returns seconds.

    The case rows come from Python (numbers with their check digit); the 39 rows that hang
    off each case are generated by SQLite itself (``INSERT … SELECT`` over the new cases
    and small tables of members, steps and events), with ids computed from the case id.
    """
    from django.db import connection

    from tongban.cases.models import ProcessDefinition

    connection.ensure_connection()
    raw = connection.connection
    definition_id = ProcessDefinition.objects.get(key=f"bundle-{world.bundle.code}").pk
    first = {}
    for table in ("cases_case", "cases_subcase", "cases_workitem", "cases_caseevent"):
        first[table] = (raw.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0] or 0) + 1  # noqa: S608
    c0, s0, w0, e0 = (first[t] for t in first)
    raw.execute("CREATE TEMP TABLE IF NOT EXISTS bench_member (k, item, dept)")
    raw.execute("CREATE TEMP TABLE IF NOT EXISTS bench_step (j, kind, role, name)")
    raw.execute("CREATE TEMP TABLE IF NOT EXISTS bench_event (j, action, public)")
    for table in ("bench_member", "bench_step", "bench_event"):
        raw.execute(f"DELETE FROM temp.{table}")  # noqa: S608
    raw.executemany(
        "INSERT INTO temp.bench_member VALUES (?, ?, ?)",
        [(k, item.pk, item.department_id) for k, item in enumerate(world.items)],
    )
    raw.executemany(
        "INSERT INTO temp.bench_step VALUES (?, ?, ?, ?)",
        [
            (0, "accept", "clerk", "受理"),
            (1, "review", "reviewer", "审查"),
            (2, "decide", "department_leader", "决定"),
        ],
    )
    raw.executemany(
        "INSERT INTO temp.bench_event VALUES (?, ?, ?)",
        [(0, "accept", 1), (1, "forward", 0), (2, "approve", 1), (3, "auto", 0), (4, "auto", 0)],
    )
    token = "bench." + "A" * 180
    yesterday = dt.date.today() - dt.timedelta(days=1)
    started = time.perf_counter()
    (cache_size,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute("PRAGMA cache_size = -262144")  # 256 MiB while loading, then back
    # Secondary indexes are dropped for the load and created again from their own SQL
    # afterwards (sorting once beats updating each B-tree per row); unique ones stay.
    indexes = raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('cases_case', 'cases_subcase', 'cases_processinstance',"
        " 'cases_workitem', 'cases_caseevent')"
    ).fetchall()
    for name, _sql in indexes:
        raw.execute(f'DROP INDEX "{name}"')
    for batch_start in range(start, stop, BACKGROUND_BATCH):
        batch_stop = min(stop, batch_start + BACKGROUND_BATCH)
        cases = []
        for n in range(batch_start, batch_stop):
            day = yesterday - dt.timedelta(days=n // 1_000)
            at = f"{day.isoformat()} 02:00:00.000000"
            serial = f"{9_000 + n % 1_000:06d}"
            number = f"442000-{day:%Y%m%d}-{serial}-{luhn(f'442000{day:%Y%m%d}{serial}')}"
            cases.append(
                (
                    c0 + n - start,
                    number,
                    token,
                    f"bg{n}",
                    at,
                    (day + dt.timedelta(days=14)).isoformat(),
                    at,
                    world.bg_users[n % len(world.bg_users)],
                    world.bundle.pk,
                )
            )
        low, high = c0 + batch_start - start, c0 + batch_stop - start - 1
        ids = {"c0": c0, "s0": s0, "w0": w0, "e0": e0, "low": low, "high": high}
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany(
            "INSERT INTO cases_case (id, number, query_code, title, title_en, status, data_token,"
            " form_versions, idempotency_key, classification, submitted_at, promised_due,"
            " due_provisional, completed_at, lock_version, applicant_id, bundle_id, item_id,"
            " organisation_id) VALUES (?, ?, 'BGBGBG', '开办企业一件事', 'Opening a business',"
            " 'completed', ?, '{}', ?, 3, ?, ?, 0, ?, 2, ?, ?, NULL, NULL)",
            cases,
        )
        raw.execute(
            "INSERT INTO cases_processinstance (state, completed, next_due_at, lock_version,"
            " updated_at, case_id, definition_id) SELECT '{\"bg\": true}', 1, NULL, 13,"
            " c.completed_at, c.id, :definition FROM cases_case c WHERE c.id BETWEEN :low AND"
            " :high",
            {**ids, "definition": definition_id},
        )
        raw.execute(
            "INSERT INTO cases_subcase (id, status, received_at, accepted_at, decided_at, reason,"
            " legal_basis, promised_days, statutory_days, acceptance_due, promised_due,"
            " statutory_due, due_provisional, deadline_state, lock_version, case_id,"
            " decided_by_id, department_id, item_id)"
            " SELECT :s0 + (c.id - :c0) * 4 + m.k, 'approved', c.submitted_at, c.submitted_at,"
            " c.completed_at, '', '', 5, 20, c.promised_due, c.promised_due, c.promised_due, 0,"
            " 'on_time', 3, c.id, NULL, m.dept, m.item"
            " FROM cases_case c, temp.bench_member m WHERE c.id BETWEEN :low AND :high",
            ids,
        )
        raw.execute(
            "INSERT INTO cases_workitem (id, task_id, spec_name, data_prefix, name, kind, role,"
            " status, opened_at, due_on, closed_at, escalation_level, case_id, closed_by_id,"
            " department_id, subcase_id)"
            " SELECT :w0 + ((c.id - :c0) * 4 + m.k) * 3 + s.j,"
            " 'bg-' || c.id || '-m' || (m.k + 1) || '-' || s.kind, 'm' || (m.k + 1) || '_'"
            " || s.kind, 'm' || (m.k + 1), s.name, s.kind, s.role, 'done', c.submitted_at,"
            " c.promised_due, c.completed_at, 0, c.id, NULL, m.dept, :s0 + (c.id - :c0) * 4 + m.k"
            " FROM cases_case c, temp.bench_member m, temp.bench_step s"
            " WHERE c.id BETWEEN :low AND :high",
            ids,
        )
        raw.execute(
            "INSERT INTO cases_caseevent (id, action, note, legal_basis, public, at, actor_id,"
            " case_id, subcase_id)"
            " SELECT :e0 + (c.id - :c0) * 22, 'submitted', '', '', 1, c.submitted_at,"
            " c.applicant_id, c.id, NULL FROM cases_case c WHERE c.id BETWEEN :low AND :high"
            " UNION ALL"
            " SELECT :e0 + (c.id - :c0) * 22 + 1 + m.k * 5 + e.j, e.action, '', '', e.public,"
            " c.completed_at, NULL, c.id, :s0 + (c.id - :c0) * 4 + m.k"
            " FROM cases_case c, temp.bench_member m, temp.bench_event e"
            " WHERE c.id BETWEEN :low AND :high"
            " UNION ALL"
            " SELECT :e0 + (c.id - :c0) * 22 + 21, 'completed', '', '', 1, c.completed_at,"
            " NULL, c.id, NULL FROM cases_case c WHERE c.id BETWEEN :low AND :high",
            ids,
        )
        raw.execute("COMMIT")
    for _name, sql in indexes:
        raw.execute(sql)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.execute(f"PRAGMA cache_size = {int(cache_size)}")
    return time.perf_counter() - started


# --- measuring --------------------------------------------------------------------------


@dataclass
class Measured:
    """Seconds per bundle, wall clock and CPU of this process, for both paths."""

    label: str
    service_wall: float = 0.0
    service_cpu: float = 0.0
    floor_wall: float = 0.0
    floor_cpu: float = 0.0
    bundles: int = 0
    inbox_ms: float = 0.0


def measure(
    label: str, service: ServicePath, floor: FloorPath, n: int, chunk: int = 10
) -> Measured:
    """``n`` bundles through each path, alternating in chunks so that other load on the
    machine falls on both alike."""
    out = Measured(label)
    done = 0
    while done < n:
        k = min(chunk, n - done)
        for path, attr in ((service, "service"), (floor, "floor")):
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(k):
                path.bundle()
            setattr(out, f"{attr}_wall", getattr(out, f"{attr}_wall") + time.perf_counter() - wall)
            setattr(out, f"{attr}_cpu", getattr(out, f"{attr}_cpu") + time.process_time() - cpu)
        done += k
    for attr in ("service_wall", "service_cpu", "floor_wall", "floor_cpu"):
        setattr(out, attr, getattr(out, attr) / n)
    out.bundles = n
    return out


def inbox_ms(world: World, repeats: int = 50) -> float:
    """Median ms for the first page of an official's inbox (open work items, ordered)."""
    from tongban.cases import queries

    official = world.officials[0]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        list(queries.inbox(official)[:20])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def leave_open_work(world: World, count: int) -> None:
    """A few submitted, unhandled bundles so that inboxes are not empty."""
    from tongban.cases import services

    for n in range(count):
        draft = services.draft_for(world.applicant, world.bundle)
        services.save_draft(draft, FORM_VALUES, actor=world.applicant)
        services.submit(draft, actor=world.applicant, idempotency_key=f"open{n}")


def table_counts() -> dict[str, int]:
    """Rows in every table (run on the small database only: COUNT(*) reads the table)."""
    from django.db import connection

    raw = connection.connection
    tables = [
        row[0]
        for row in raw.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name != 'django_migrations' ORDER BY name"
        )
    ]
    return {t: raw.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


_RECEIVERS: dict[Any, list] = {}


@contextmanager
def platform_receivers(connected: bool) -> Iterator[None]:
    """Connect or disconnect what other modules hang on the approval module's signals
    (``tongban.cases.signals``: licences issued on a decision, the rating invitation on
    completion), restoring the previous state afterwards."""
    from tongban.cases import signals

    chosen = (signals.subcase_decided, signals.case_completed)
    for signal in chosen:
        _RECEIVERS.setdefault(signal, list(signal.receivers))  # as the modules connected them
    saved = [(signal, signal.receivers) for signal in chosen]
    try:
        for signal in chosen:
            with signal.lock:
                signal.receivers = list(_RECEIVERS[signal]) if connected else []
                signal.sender_receivers_cache.clear()
        yield
    finally:
        for signal, receivers in saved:
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()


def probe(path: ServicePath | FloorPath) -> tuple[tuple[int, int], dict[str, int]]:
    """One bundle, untimed: the transactions it commits and the rows it adds per table."""
    before = table_counts()
    with counting_commits() as commits:
        path.bundle()
        n = commits()
    after = table_counts()
    return n, {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=100, help="bundles per timed run")
    parser.add_argument(
        "--scale-bundles", type=int, default=40, help="bundles per run at each background size"
    )
    parser.add_argument(
        "--max-background",
        type=int,
        default=1_000_000,
        help="largest number of closed background cases (default 1,000,000)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile the service run and print the top entries of tongban code",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database directory")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tongban-bench-approval-"))
    try:
        configure(workdir)
        world = build_world()
        with platform_receivers(connected=False):
            run(args, workdir, world)
    finally:
        if args.keep:
            print("database kept in", workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path, world: World) -> None:
    service = ServicePath(world)
    for _ in range(3):  # warm-up: caches, compiled spec, the stored definition
        service.bundle()
    floor_path = FloorPath(world)
    for _ in range(3):
        floor_path.bundle()
    s_commits, s_rows = probe(service)
    f_commits, f_rows = probe(floor_path)
    print(
        f"bundle: {len(world.items)} items in {len(world.departments)} departments;"
        " per bundle: save draft + submit + accept/forward/approve per department"
    )
    print(
        f"per bundle: service {s_commits[0]} transactions, {s_commits[1]} SQL statements;"
        f" floor {f_commits[0]} transactions, {f_commits[1]} SQL statements"
    )
    print(f"{'rows per bundle':36} {'service':>8} {'floor':>8}")
    for table in sorted(s_rows.keys() | f_rows.keys()):
        print(f"  {table:34} {s_rows.get(table, 0):>8} {f_rows.get(table, 0):>8}")
    if s_rows != f_rows or s_commits[0] != f_commits[0]:
        print("WARNING: the floor does not write the same rows in as many transactions")

    leave_open_work(world, 10)
    base = measure("0", service, floor_path, args.bundles)
    base.inbox_ms = inbox_ms(world)
    results = [base]
    print()
    print(f"{args.bundles} bundles through each path (1 submission + 12 decisions each),")
    print("alternating in chunks of 10; SQLite in WAL mode, synchronous=NORMAL")
    for name, wall, cpu in (
        ("service layer", base.service_wall, base.service_cpu),
        ("floor", base.floor_wall, base.floor_cpu),
    ):
        print(
            f"  {name:14} {1 / wall:6.2f} bundles/s  ({1000 * wall:6.1f} ms wall,"
            f" {1000 * cpu:6.1f} ms CPU per bundle)"
        )
    print(
        f"  ratio service/floor: {base.floor_wall / base.service_wall:.2f} wall clock,"
        f" {base.floor_cpu / base.service_cpu:.2f} CPU (aim >= 0.5)"
    )

    with platform_receivers(connected=True):
        r_commits, r_rows = probe(service)
        n = max(10, args.bundles // 5)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            service.bundle()
        wall, cpu = (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n
    extra = {t: r_rows.get(t, 0) - s_rows.get(t, 0) for t in r_rows | s_rows}
    print(
        f"  with the other modules' receivers connected (rating invitation; licences: the"
        f" bench items name no licence type):"
        f" {1 / wall:.2f} bundles/s ({1000 * wall:.1f} ms wall, {1000 * cpu:.1f} ms CPU"
        f" per bundle, {n} bundles), {r_commits[0]} transactions,"
        f" more rows: {', '.join(f'{t} {d:+d}' for t, d in sorted(extra.items()) if d)}"
    )

    from tongban.core.audit import verify

    problems = verify()  # the floor's records must chain with the service layer's
    print(f"  audit chain after both runs: {'intact' if not problems else problems[0]}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(min(args.bundles, 30)):
            service.bundle()
        profiler.disable()
        print("\nprofile of the service layer (cumulative, tongban code only):")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(r"tongban/", 15)

    print()
    add_background_users(world)
    existing = 0
    for target in sorted({min(p, args.max_background) for p in SCALE_POINTS}):
        seconds = fill_background(world, existing, target)
        print(
            f"inserted {target - existing:,} closed background cases in {seconds:.0f} s"
            f" ({(target - existing) / seconds:,.0f} cases/s, 40 rows each)",
            flush=True,
        )
        existing = target
        point = measure(f"{target:,}", service, floor_path, args.scale_bundles)
        point.inbox_ms = inbox_ms(world)
        results.append(point)
    size = (workdir / "bench.sqlite3").stat().st_size
    print(f"database file: {size / 1e9:.2f} GB")
    print()
    print("cost per bundle as the tables grow (ms; the inbox page: an official's first 20")
    print("open work items)")
    print(
        f"{'background':>10} {'bundles':>8} {'service':>8} {'service':>8} {'floor':>7}"
        f" {'floor':>7} {'ratio':>6} {'inbox':>6}"
    )
    print(
        f"{'cases':>10} {'timed':>8} {'wall':>8} {'CPU':>8} {'wall':>7} {'CPU':>7}"
        f" {'CPU':>6} {'page':>6}"
    )
    for r in results:
        print(
            f"{r.label:>10} {r.bundles:>8} {1000 * r.service_wall:>8.1f}"
            f" {1000 * r.service_cpu:>8.1f} {1000 * r.floor_wall:>7.1f}"
            f" {1000 * r.floor_cpu:>7.1f} {r.floor_cpu / r.service_cpu:>6.2f}"
            f" {r.inbox_ms:>6.2f}"
        )
    last = results[-1]
    print(
        f"service CPU per bundle at {last.label} background cases vs. none:"
        f" {last.service_cpu / base.service_cpu:.2f}x; floor"
        f" {last.floor_cpu / base.floor_cpu:.2f}x (flat: close to 1)"
    )


if __name__ == "__main__":
    main()
