"""Demo personas: citizens, a business, officials, leaders and three administrators.

Every ID number and credit code is invented (checksum-valid, region 442000). All personas
share one password, printed by ``tongban demo_logins``; officials and administrators
also share one authenticator-app secret (``DEMO_TOTP_SECRET``) for their second factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tongban.demo.ids import resident_id, uscc

DEMO_PASSWORD = "Demo-2026!"  # noqa: S105 - published demo password, never used in production


@dataclass(frozen=True)
class PersonaData:
    username: str
    real_name: str
    kind: str  # UserKind value
    try_this: str
    id_number: str | None = None
    phone: str | None = None
    department: str | None = None  # department code
    roles: tuple[tuple[str, str | None], ...] = ()  # (role, region code or None)
    is_superuser: bool = False
    assurance_level: int = 1
    email: str = ""
    clearance: int = 1  # officials who handle cases need 3 (sensitive: personal data)


P = PersonaData
CITIZENS: list[PersonaData] = [
    P(
        "chen.xiaoming",
        "陈小明",
        "citizen",
        "Citizen: apply for the newborn bundle, track a case, rate a service",
        id_number=resident_id("442000", "19880315", 135),
        phone="13907601001",
        assurance_level=3,
    ),
    P(
        "li.fang",
        "李芳",
        "citizen",
        "Citizen: renew a driving licence, apply for a social security card",
        id_number=resident_id("442000", "19920708", 246),
        phone="13907601002",
        assurance_level=2,
    ),
    P(
        "huang.zhiqiang",
        "黄志强",
        "citizen",
        "Legal representative of the Xiaolan hardware company: act for the business",
        id_number=resident_id("442000", "19791123", 317),
        phone="13907601003",
        assurance_level=3,
    ),
    P(
        "liang.jiaxin",
        "梁嘉欣",
        "citizen",
        "Agent of the Xiaolan hardware company: file for the business",
        id_number=resident_id("442000", "19960502", 428),
        phone="13907601004",
        assurance_level=2,
    ),
]

OFFICIALS: list[PersonaData] = [
    P(
        "scjg.wang",
        "王建华",
        "official",
        "Market regulation reviewer: review applications",
        department="scjg",
        roles=(("reviewer", None),),
        clearance=3,
    ),
    P(
        "scjg.liu",
        "刘晓玲",
        "official",
        "Market regulation window clerk: accept applications",
        department="scjg",
        roles=(("clerk", None),),
        clearance=3,
    ),
    P(
        "scjg.zhang",
        "张国栋",
        "official",
        "Market regulation leader: decide, overdue work is escalated here",
        department="scjg",
        roles=(("department_leader", None),),
        clearance=3,
    ),
    P(
        "ga.zhao",
        "赵志勇",
        "official",
        "Public security: accept, review and decide seals, household register, permits",
        department="ga",
        roles=(("reviewer", None), ("clerk", None), ("department_leader", None)),
        clearance=3,
    ),
    P(
        "sw.zhou",
        "周静",
        "official",
        "Tax: accept, review and decide new-taxpayer and invoice items",
        department="sw",
        roles=(("reviewer", None), ("clerk", None), ("department_leader", None)),
        clearance=3,
    ),
    P(
        "rs.huang",
        "黄伟",
        "official",
        "HR and social security: social insurance, benefits, employment",
        department="rs",
        roles=(("reviewer", None), ("clerk", None), ("department_leader", None)),
        clearance=3,
    ),
    P(
        "wj.lin",
        "林晓岚",
        "official",
        "Health: birth certificates, vaccination, hygiene permits",
        department="wj",
        roles=(("reviewer", None), ("clerk", None), ("department_leader", None)),
        clearance=3,
    ),
    P(
        "yb.chen",
        "陈丽",
        "official",
        "Healthcare security: insurance registration for employers and newborns",
        department="yb",
        roles=(("clerk", None), ("reviewer", None), ("department_leader", None)),
        clearance=3,
    ),
    P(
        "gjj.wu",
        "吴建国",
        "official",
        "Housing provident fund: employer registration, withdrawals",
        department="gjj",
        roles=(("clerk", None), ("reviewer", None), ("department_leader", None)),
        clearance=3,
    ),
    P(
        "xf.deng",
        "邓志刚",
        "official",
        "Fire and rescue: fire safety checks before opening",
        department="xf",
        roles=(("clerk", None), ("reviewer", None), ("department_leader", None)),
        clearance=3,
    ),
    P(
        "zj.ye",
        "叶秀英",
        "official",
        "Housing and construction: drainage permits",
        department="zj",
        roles=(("clerk", None), ("reviewer", None), ("department_leader", None)),
        clearance=3,
    ),
    P(
        "cg.mo",
        "莫少华",
        "official",
        "Urban management: signboards",
        department="cg",
        roles=(("clerk", None), ("reviewer", None), ("department_leader", None)),
        clearance=3,
    ),
    P(
        "leader.he",
        "何志明",
        "official",
        "City leader: dashboards for the whole city",
        department="zssj",
        roles=(("city_leader", "442000"),),
        clearance=3,
    ),
    P(
        "zssj.xu",
        "许文博",
        "official",
        "Data administrator: register member systems, issue their keys, settle share disputes",
        department="zssj",
        roles=(("data_admin", None),),
        clearance=3,
    ),
    # Separation of duties (三员): three administrators, one duty each, no superuser.
    P(
        "sysadmin",
        "系统管理员",
        "admin",
        "System administrator: Django admin (/admin/), organisation, catalogue and quality rules",
        department="zssj",
        roles=(("system_admin", None), ("catalog_admin", None)),
    ),
    P(
        "secadmin",
        "安全管理员",
        "admin",
        "Security administrator: accounts, roles, second factors, sessions, lock-outs",
        department="zssj",
        roles=(("security_admin", None),),
    ),
    P(
        "auditor",
        "审计管理员",
        "admin",
        "Audit administrator: read the audit trail, sign-in attempts and role assignments",
        department="zssj",
        roles=(("audit_admin", None),),
    ),
]

#: Personas of earlier demo versions: disabled (and stripped of superuser) on reload.
RETIRED_PERSONAS: tuple[str, ...] = ("admin",)

#: The authenticator-app secret of every demo official and administrator (RFC 6238, base32).
#: Published like the demo password: add it to an app, or read the current code from
#: ``tongban demo_logins``. Never used outside the demo.
DEMO_TOTP_SECRET = "KRHU4R2CIFHCARCFJVHSAMRQGI3CAVCPKRIA"  # noqa: S105 - "TONGBAN DEMO 2026 TOTP"

PERSONAS: list[PersonaData] = CITIZENS + OFFICIALS


@dataclass(frozen=True)
class BusinessData:
    name: str
    uscc: str
    legal_representative: str  # username of the persona
    agents: tuple[str, ...]
    region: str
    address: str
    established_on: str
    business_scope: str
    org_type: str = "2"
    extra: dict[str, str] = field(default_factory=dict)


BUSINESSES: list[BusinessData] = [
    BusinessData(
        name="中山市小榄五金制品有限公司",
        uscc=uscc("91", "442000", "MA55K3R2"),
        legal_representative="huang.zhiqiang",
        agents=("liang.jiaxin",),
        region="442000100000",
        address="中山市小榄镇工业大道南42号",
        established_on="2016-04-12",
        business_scope="五金制品、锁具、门窗配件的研发、生产和销售；货物进出口。",
    ),
]
