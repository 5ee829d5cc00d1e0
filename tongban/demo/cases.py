"""Demo applications in every state, so that inboxes, "my applications" and the public
status page have something to show the moment the demo starts.

Everything goes through the real services (drafts, uploads, submission, officials'
actions), as the personas themselves; one case is backdated and swept so the department
leader sees an escalation. Idempotent: a case is made once per idempotency key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import User
from tongban.cases import actions, deadlines, materials, services
from tongban.cases.actions import ActionInput
from tongban.cases.models import Case, SubCase, WorkItem, WorkKind, WorkStatus
from tongban.cases.transitions import Action
from tongban.catalog.models import Bundle, ServiceItem
from tongban.demo.catalogue.build import item_definitions
from tongban.demo.ids import resident_id

# A one-page PDF, enough for a material's sniffing and download.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

PERSON_VALUES = {
    "child.name": "陈安安",
    "child.sex": "f",
    # Born 17 days before the demo is loaded: a newborn is never born in the future.
    "child.birth_date": dt.date.fromordinal(timezone.localdate().toordinal() - 17).isoformat(),
    "child.birth_place": "中山市人民医院",
    "mother.name": "林秀梅",
    "mother.id_number": resident_id("442000", "19900612", 248),
    "father.name": "陈小明",
    "household.address": "中山市石岐街道民生路18号",
    "applicant.address": "中山市东区中山四路88号",
    "vehicle.licence_number": "4420 8803 1500 17",
    "travel.destination": "hk",
    "travel.purpose": "tourism",
    "certificate.purpose": "出国留学",
    "bank.account_bank": "中国工商银行中山分行",
    "house.address": "中山市东区兴中道6号3栋1201",
    "house.price": "168",
    "application.reason": "劳动合同期满离职，正在求职。",
    "employment.employer": "中山市小榄五金制品有限公司",
    "employment.start_date": "2026-10-08",
}
BUSINESS_VALUES = {
    "enterprise.name": "中山市岐江智造科技有限公司",
    "enterprise.address": "中山市火炬开发区科技东路39号",
    "enterprise.legal_representative": "黄志强",
    "enterprise.type": "llc",
    "enterprise.registered_capital": "200",
    "enterprise.business_scope": "智能家居产品的研发、生产和销售；软件开发；技术服务。",
    "enterprise.employees": "12",
    "seal.count": "3",
    "tax.taxpayer_type": "small",
    "tax.invoice_type": "ordinary",
    "social.start_month": timezone.localdate().strftime("%Y-%m"),
    "gjj.deposit_rate": "5",
    "bank.account_bank": "中国银行中山分行",
}
RESTAURANT_VALUES = {
    "operator.name": "梁嘉欣",
    "enterprise.business_scope": "餐饮服务。",
    "shop.name": "小榄梁记粥粉面店",
    "shop.address": "中山市小榄镇新市路12号",
    "shop.area": "60",
    "food.category": "hot",
    "drainage.volume": "2",
    "signboard.size": "4×0.8",
    "staff.count": "4",
}


@dataclass
class DemoCase:
    key: str
    applicant: str
    target: str  # item key or "bundle:<code>"
    values: dict[str, str]
    steps: list[Callable[[Case], None]] = field(default_factory=list)
    backdate_days: int = 0


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _do(
    department: str, kind: str, action: str, username: str, **kw: Any
) -> Callable[[Case], None]:
    """Do ``action`` on every open step of ``kind`` the department has in the case (a
    department with two items in a bundle, like tax, has two)."""

    def step(case: Case) -> None:
        rows = WorkItem.objects.filter(
            case=case, kind=kind, status=WorkStatus.OPEN, department__code=department
        ).order_by("pk")
        for pk in list(rows.values_list("pk", flat=True)):
            actions.act(pk, ActionInput(action, **kw), actor=_user(username))

    return step


def accept(department: str, username: str) -> Callable[[Case], None]:
    return _do(department, WorkKind.ACCEPT, Action.ACCEPT, username)


def forward(department: str, username: str) -> Callable[[Case], None]:
    return _do(department, WorkKind.REVIEW, Action.FORWARD, username, note="材料齐全，符合条件。")


def approve(department: str, username: str) -> Callable[[Case], None]:
    return _do(department, WorkKind.DECIDE, Action.APPROVE, username, note="准予。")


def through(
    department: str, clerk: str, reviewer: str, leader: str
) -> list[Callable[[Case], None]]:
    return [accept(department, clerk), forward(department, reviewer), approve(department, leader)]


CASES: list[DemoCase] = [
    # 新生儿出生一件事: the birth certificate is issued, so the household registration (which
    # waits for it) has started and is accepted; the social security card waits for that.
    DemoCase(
        "demo-newborn",
        "chen.xiaoming",
        "bundle:newborn",
        PERSON_VALUES,
        [*through("wj", "wj.lin", "wj.lin", "wj.lin"), accept("ga", "ga.zhao")],
    ),
    # 开办企业一件事: market regulation asked for a correction of the registration; the seal,
    # tax and social insurance matters wait for the registration's result.
    DemoCase(
        "demo-start-business",
        "huang.zhiqiang",
        "bundle:start-a-business",
        BUSINESS_VALUES,
        [
            _do(
                "scjg",
                WorkKind.ACCEPT,
                Action.CORRECTION,
                "scjg.liu",
                corrections=[
                    {"material": "公司章程", "reason": "缺少全体股东签字页。"},
                    {
                        "material": "法定代表人、董事、监事和经理的任职文件",
                        "reason": "监事任职文件未写明任期。",
                    },
                ],
                note="请一次性补正以上两项。",
            ),
        ],
    ),
    # 开办餐饮店一件事: just submitted, every department's inbox shows it as new.
    DemoCase("demo-restaurant", "liang.jiaxin", "bundle:open-a-restaurant", RESTAURANT_VALUES),
    # Single items in other states.
    DemoCase(
        "demo-driving-licence",
        "li.fang",
        "driving-licence-renewal",
        PERSON_VALUES,
        through("ga", "ga.zhao", "ga.zhao", "ga.zhao"),
    ),
    DemoCase(
        "demo-social-card",
        "li.fang",
        "social-security-card",
        PERSON_VALUES,
        [accept("rs", "rs.huang")],
    ),
    DemoCase(
        "demo-no-crime",
        "chen.xiaoming",
        "no-crime-record",
        PERSON_VALUES,
        [
            accept("ga", "ga.zhao"),
            forward("ga", "ga.zhao"),
            _do(
                "ga",
                WorkKind.DECIDE,
                Action.REJECT,
                "ga.zhao",
                note="申请开具的用途不属于本机关出具无犯罪记录证明的范围。",
                legal_basis="《公安机关办理无犯罪记录证明工作规定》第三条",
            ),
        ],
    ),
    DemoCase(
        "demo-hk-permit",
        "chen.xiaoming",
        "hk-macao-permit",
        PERSON_VALUES,
        [accept("ga", "ga.zhao"), forward("ga", "ga.zhao")],
    ),
    DemoCase(
        "demo-gjj-purchase",
        "huang.zhiqiang",
        "gjj-purchase",
        PERSON_VALUES,
        [
            accept("gjj", "gjj.wu"),
            _do(
                "gjj",
                WorkKind.REVIEW,
                Action.START_SPECIAL,
                "gjj.wu",
                pause_kind="inspection",
                note="需现场核实房屋交易情况。",
            ),
        ],
    ),
    DemoCase(
        "demo-employment",
        "li.fang",
        "employment-registration",
        PERSON_VALUES,
        [
            _do(
                "rs",
                WorkKind.ACCEPT,
                Action.NOT_ACCEPT,
                "rs.huang",
                note="申请人已在外市办理就业登记，不属本机关管辖。",
                legal_basis="《就业服务与就业管理规定》第六十二条",
            )
        ],
    ),
    # Accepted a month ago and never decided: overdue, escalated to the leader.
    DemoCase(
        "demo-unemployment-overdue",
        "li.fang",
        "unemployment-benefit",
        PERSON_VALUES,
        [accept("rs", "rs.huang")],
        backdate_days=30,
    ),
]


def _target(key: str) -> ServiceItem | Bundle:
    if key.startswith("bundle:"):
        return Bundle.objects.get(code=key.removeprefix("bundle:"))
    code = item_definitions()[key]["implementation_code"]
    return ServiceItem.objects.get(implementation_code=code)


def _backdate(case: Case, days: int) -> None:
    """Move a case ``days`` calendar days into the past, clocks included."""
    shift = dt.timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(submitted_at=case.submitted_at - shift)
    for sub in SubCase.objects.filter(case=case):
        fields: dict[str, Any] = {"received_at": sub.received_at - shift}
        if sub.accepted_at:
            fields["accepted_at"] = sub.accepted_at - shift
        for name in ("acceptance_due", "promised_due", "statutory_due"):
            value = getattr(sub, name)
            if value:
                fields[name] = value - shift
        SubCase.objects.filter(pk=sub.pk).update(**fields)
    for work in WorkItem.objects.filter(case=case):
        WorkItem.objects.filter(pk=work.pk).update(
            opened_at=work.opened_at - shift,
            due_on=(work.due_on - shift) if work.due_on else None,
        )


def load_demo_cases() -> int:
    """Create the demo cases that do not exist yet; returns how many were made."""
    call_command("calendar", "seed", verbosity=0)
    made = 0
    for spec in CASES:
        applicant = _user(spec.applicant)
        if Case.objects.filter(applicant=applicant, idempotency_key=spec.key).exists():
            continue
        with transaction.atomic():
            target = _target(spec.target)
            draft = services.draft_for(applicant, target)
            values = {
                **services.dataforms.prefill(services.dataforms.build_form(target), applicant)
            }
            values.update(spec.values)
            services.save_draft(draft, values, actor=applicant)
            for material in materials.required_materials(target):
                upload = SimpleUploadedFile(f"{material.code}.pdf", DEMO_PDF, "application/pdf")
                materials.upload_material(draft, material.code, upload, actor=applicant)
            case = services.submit(draft, actor=applicant, idempotency_key=spec.key)
            for step in spec.steps:
                step(case)
            if spec.backdate_days:
                _backdate(case, spec.backdate_days)
            made += 1
    if made:
        deadlines.sweep(timezone.now())
    return made
