"""Bundles (一件事): one form, one set of materials, several departments in parallel."""

from __future__ import annotations

from typing import Any

from tongban.demo.catalogue.dsl import at, at_en

ONE_THING_WINDOW = at("C10") + '（"一件事"综合窗口），也可在粤省事、粤商通在线申请'
ONE_THING_WINDOW_EN = (
    at_en(at("C10")) + " (the one-stop service window). You can also apply online in the "
    "Yueshengshi or Yueshangtong app"
)

# English summaries, by bundle code.
SUMMARIES_EN: dict[str, str] = {
    "start-a-business": "Apply once to register a company, have its seals made, deal with "
    "its first tax matters, and register for social insurance, medical insurance and the "
    "housing provident fund. The business licence, seals and invoices can be posted together.",
    "newborn": "After your baby is born, apply once, at the hospital or online, for the "
    "medical birth certificate, the vaccination record card, household registration, medical "
    "insurance and its premium, and a social security card.",
    "open-a-restaurant": "Apply once for everything a new restaurant needs: business "
    "licence, food business permit, fire safety inspection, drainage permit, shop sign and "
    "staff health certificates, handled by the departments at the same time.",
    "close-a-business": "Apply once to settle taxes and close social insurance and housing "
    "provident fund accounts; the registration office then deregisters the company. No "
    "going from one department to the next.",
    "retirement": "Apply once when you retire to claim your pension, have your medical "
    "insurance as a retiree confirmed and withdraw your housing provident fund.",
    "after-a-death": "After a relative dies, apply once to cancel their household "
    "registration, claim the funeral grant and survivors' benefit, and have basic funeral "
    "services free of charge.",
}

# code, name, English name, summary, audience, lead, partners, member item keys, themes,
# promised working days, visits, popularity
_BUNDLES: list[
    tuple[str, str, str, str, str, str, list[str], list[str], list[str], int, int, int]
] = [
    (
        "start-a-business",
        "开办企业一件事",
        "Start a business",
        "一次提交即可完成企业设立登记、公章刻制、涉税事项、社保和医保登记、公积金缴存登记，"
        "营业执照、印章和发票可一并邮寄。",
        "enterprise",
        "scjg",
        ["ga", "sw", "rs", "yb", "gjj"],
        [
            "company-setup",
            "seal-filing",
            "tax-first-registration",
            "invoice-type",
            "employer-social-insurance",
            "employer-medical",
            "gjj-employer-registration",
        ],
        ["biz-start"],
        1,
        0,
        6420,
    ),
    (
        "newborn",
        "新生儿出生一件事",
        "Having a baby",
        "孩子出生后，在医院或线上一次申请，即可办理出生医学证明、预防接种证、户口登记、医保参保"
        "缴费和社会保障卡。",
        "person",
        "wj",
        ["ga", "rs", "yb", "sw"],
        [
            "birth-certificate",
            "vaccination-card",
            "birth-hukou",
            "resident-medical-registration",
            "resident-medical-premium",
            "social-security-card",
        ],
        ["birth"],
        5,
        0,
        9870,
    ),
    (
        "open-a-restaurant",
        "开办餐饮店一件事",
        "Open a restaurant",
        "开餐饮店所需的营业执照、食品经营许可、消防安全检查、排水许可、招牌设置和从业人员健康"
        "证明一次申请、并联审批。",
        "enterprise",
        "scjg",
        ["xf", "zj", "cg", "wj"],
        [
            "sole-trader-setup",
            "food-business-permit",
            "fire-safety-check",
            "drainage-permit",
            "signboard",
            "food-worker-health",
        ],
        ["biz-start", "biz-permit"],
        5,
        0,
        3150,
    ),
    (
        "close-a-business",
        "企业注销一件事",
        "Close a business",
        "一次申请完成清税、社保和公积金注销，再由登记机关办理注销登记，无需在各部门之间往返。",
        "enterprise",
        "scjg",
        ["sw", "rs", "gjj"],
        ["tax-clearance", "employer-si-deregister", "gjj-employer-close", "company-deregister"],
        ["biz-close"],
        3,
        0,
        1290,
    ),
    (
        "retirement",
        "退休一件事",
        "Retiring",
        "退休时一次申请，同步办理养老金申领、退休人员医保待遇核定和住房公积金提取。",
        "person",
        "rs",
        ["yb", "gjj"],
        ["pension-claim", "retiree-medical", "gjj-retirement"],
        ["retirement"],
        10,
        0,
        2470,
    ),
    (
        "after-a-death",
        "公民身后一件事",
        "After a death",
        "亲人离世后一次申请，办理户口注销、丧葬补助金和抚恤金申领及基本殡葬服务费用减免。",
        "person",
        "ga",
        ["rs", "mz"],
        ["death-hukou", "funeral-grant", "funeral-relief"],
        ["bereavement"],
        10,
        1,
        980,
    ),
]


# Members that need another member's result before they can start (BundleMember.depends_on),
# by bundle code: member item key → the item key it waits for. Only where the law makes the
# order so; every other member is handled in parallel.
WAITS: dict[str, dict[str, str]] = {
    "newborn": {
        # 《出生医学证明》是申报出生登记的依据（《母婴保健法》第二十三条及卫生、公安部门规定）。
        "birth-hukou": "birth-certificate",
        # 社会保障号码即公民身份号码（《社会保险法》第五十八条），出生登记时才编定。
        "social-security-card": "birth-hukou",
    },
    "open-a-restaurant": {
        # 申请食品经营许可，应当先行取得营业执照等合法主体资格（《食品经营许可和备案管理办法》）。
        "food-business-permit": "sole-trader-setup",
    },
    "start-a-business": {
        # 刻制公章须凭营业执照（公安机关印章刻制管理规定）。
        "seal-filing": "company-setup",
        # 用人单位自成立之日起三十日内办理社会保险登记（《社会保险法》第五十七条）。
        "employer-social-insurance": "company-setup",
        "employer-medical": "company-setup",
        # 新设立的单位自设立之日起30日内办理住房公积金缴存登记（《住房公积金管理条例》第十四条）。
        "gjj-employer-registration": "company-setup",
        # 领取营业执照后办理涉税事项（《税收征收管理法》第十五条）；发票领用凭设立登记
        # 或税务登记证件（《发票管理办法》），故票种核定在涉税事项之后。
        "tax-first-registration": "company-setup",
        "invoice-type": "tax-first-registration",
    },
    "close-a-business": {
        # 向登记机关办理注销登记前，应当先办理注销税务登记（《税收征收管理法实施细则》第十五条）。
        "company-deregister": "tax-clearance",
    },
}


def bundle_rows(codes: dict[str, str], phones: dict[str, str]) -> list[dict[str, Any]]:
    """Rows of the import format; ``codes`` maps item keys to implementation codes."""
    return [
        {
            "code": code,
            "name": name,
            "name_en": en,
            "summary": summary,
            "summary_en": SUMMARIES_EN[code],
            "audience": audience,
            "lead_department": lead,
            "partner_departments": partners,
            "members": [codes[k] for k in members],
            "dependencies": sorted(
                f"{codes[before]}->{codes[after]}" for after, before in WAITS.get(code, {}).items()
            ),
            "themes": themes,
            "promised_limit": promised,
            "visits_on_site": visits,
            "location": ONE_THING_WINDOW,
            "location_en": ONE_THING_WINDOW_EN,
            "consult_phone": phones["zssj"],
            "status": "published",
            "popularity": popularity,
        }
        for (
            code,
            name,
            en,
            summary,
            audience,
            lead,
            partners,
            members,
            themes,
            promised,
            visits,
            popularity,
        ) in _BUNDLES
    ]
