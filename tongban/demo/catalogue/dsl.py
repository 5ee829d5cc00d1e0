"""Helpers that expand a compact item definition into one row of the import format.

Shared defaults (phones from the department, hall address, hours, codes) are filled in
here; everything a citizen reads about an item (summary, conditions, basis, review
standard, FAQ) is written per item in the ``items_*`` modules.
"""

from __future__ import annotations

from typing import Any

from tongban.demo.data.org import CENTRE_ADDRESS, CENTRE_HOURS, DEPARTMENTS
from tongban.demo.data.regions import TOWN_CODES

DEPTS = {d.code: d for d in DEPARTMENTS}
CITY_CODE = "442000000000"
ALL_TOWNS = list(TOWN_CODES)
GDZWFW = "https://www.gdzwfw.gov.cn/"
# Letters in the basic code by item type (shape of the Sichuan example 511A0138000000).
TYPE_LETTER = {
    "01": "A",
    "02": "B",
    "03": "C",
    "04": "D",
    "05": "E",
    "06": "F",
    "07": "G",
    "08": "H",
    "09": "I",
    "10": "J",
    "20": "K",
}
FULLY_ONLINE = ["1", "2", "3", "4", "5", "6"]
ONLINE_ACCEPT = ["1", "2", "3", "4"]
CONSULT_ONLY = ["1", "2"]

Row = dict[str, Any]


def at(*windows: str, towns: bool = False) -> str:
    """The service-centre location text for the given window numbers."""
    text = f"{CENTRE_ADDRESS}市行政服务中心C区{'、'.join(windows)}窗口"
    if towns:
        text += "；也可到户籍（经营）所在地镇街行政服务中心综合受理窗口办理"
    return text


def fee(
    name: str, standard: str, amount_fen: int | None, basis: str, reduce_basis: str = ""
) -> Row:
    return {
        "name": name,
        "standard": standard,
        "amount_fen": amount_fen,
        "basis": basis,
        "can_reduce": bool(reduce_basis),
        "reduce_basis": reduce_basis,
    }


def faq(question: str, answer: str) -> tuple[str, str]:
    return (question, answer)


def result_type_for(result: str) -> str:
    """Result type by the ending of the result name (Wenzhou QA rule, §1.8)."""
    if not result:
        return ""
    if result.endswith("批复"):
        return "审批办结"
    if result.endswith(("证", "证书", "执照", "卡")):
        return "出证办结"
    return "出文办结"


def licensing_steps(
    name: str, dept: str, promised: int, review: str, result: str, inspect: str = ""
) -> list[Row]:
    """受理、审查、(现场核查)、决定、送达 — the five or six links of a licensing item."""
    short = DEPTS[dept].short_name
    review_time = f"{max(promised - 1, 1)}个工作日" if promised else "即时"
    steps: list[Row] = [
        {
            "name": "申请",
            "handler": "申请人",
            "description": f"通过广东政务服务网、粤商通/粤省事或到窗口提交{name}申请和材料。",
            "time_limit": "",
            "standard": "按本指南的材料清单准备，电子材料须清晰完整。",
            "result": "申请已提交",
        },
        {
            "name": "受理",
            "handler": "窗口受理人员",
            "description": "核对材料是否齐全、是否符合法定形式，出具受理或补正告知。",
            "time_limit": "即时",
            "standard": "材料齐全、符合法定形式的当场受理；不齐全的一次性"
            "告知需要补正的全部内容；不属于本部门职权的不予受理并告知向何处申请。",
            "result": "受理通知书或一次性补正告知书",
        },
        {
            "name": "审查",
            "handler": f"{short}审查人员",
            "description": f"对{name}申请材料的实质内容进行审查。",
            "time_limit": review_time,
            "standard": review,
            "result": "审查意见",
        },
    ]
    if inspect:
        steps.append(
            {
                "name": "现场核查",
                "handler": f"{short}核查人员",
                "description": "两名以上工作人员到场核查并制作核查记录。",
                "time_limit": "与审查同步进行",
                "standard": inspect,
                "result": "现场核查记录",
            }
        )
    steps += [
        {
            "name": "决定",
            "handler": f"{short}负责人",
            "description": "根据审查意见作出准予或不予许可的决定。",
            "time_limit": "1个工作日" if promised else "即时",
            "standard": "符合条件的作出准予许可决定；不符合的作出不予许可决定，书面说明理由"
            "并告知申请行政复议或提起行政诉讼的权利。",
            "result": "准予许可或不予许可决定",
        },
        {
            "name": "制证送达",
            "handler": "窗口发证人员",
            "description": f"制作并送达{result}，同步生成电子证照。",
            "time_limit": "即时",
            "standard": "按申请人选择窗口领取、免费邮寄或电子送达。",
            "result": result,
        },
    ]
    return steps


def simple_steps(name: str, dept: str, review: str, result: str, immediate: bool) -> list[Row]:
    """申请、受理审核、办结 — for confirmations, benefits and public services."""
    short = DEPTS[dept].short_name
    return [
        {
            "name": "申请",
            "handler": "申请人",
            "description": f"在线或到窗口提出{name}申请，提交材料。",
            "time_limit": "",
            "standard": "如实填写申请信息，按清单提交材料。",
            "result": "申请已提交",
        },
        {
            "name": "受理审核",
            "handler": f"{short}经办人员",
            "description": "核验身份和材料，对符合条件的予以受理并审核。",
            "time_limit": "即时" if immediate else "按承诺时限",
            "standard": review,
            "result": "审核意见",
        },
        {
            "name": "办结",
            "handler": f"{short}经办人员",
            "description": "作出办理结果并告知申请人，结果同步推送至粤省事/粤商通。",
            "time_limit": "即时" if immediate else "1个工作日",
            "standard": "结果可在窗口领取、邮寄送达或在线查询下载。",
            "result": result or "办理结果告知",
        },
    ]


def item(
    dept: str,
    seq: int,
    name: str,
    name_en: str,
    item_type: str,
    *,
    summary: str,
    conditions: str,
    basis: str,
    review: str,
    legal: int | None,
    promised: int,
    legal_note: str = "",
    promised_note: str = "",
    forms: tuple[str, ...] = ("window", "online"),
    visits: int = 0,
    reason: str = "",
    location: str,
    hours: str = CENTRE_HOURS,
    depth: list[str] | None = None,
    objects: tuple[str, ...] = ("1",),
    themes: tuple[str, ...] = (),
    regions: list[str] | None = None,
    result: str = "",
    fees: list[Row] | None = None,
    materials: list[Row],
    faqs: list[tuple[str, str]],
    inspect: str = "",
    popularity: int = 0,
    status: str = "published",
    scope: str = "city",
    appointment: bool = True,
    express: bool = True,
    kiosk: bool = False,
    quantity: str = "",
    special: str = "无",
    intermediary: str = "无",
    level: str = "municipal",
    sub: int = 0,
    result_type: str = "",
    legal_unit: str = "working_days",
    consult: str = "",
    complaint: str = "",
) -> Row:
    """One service item in the import format (see ``tongban.catalog.io``)."""
    d = DEPTS[dept]
    basic = f"4{d.num:02d}{TYPE_LETTER[item_type]}{seq:04d}{sub:03d}000"
    fees = fees or []
    depth = depth if depth is not None else ONLINE_ACCEPT
    online = "online" in forms
    immediate = promised == 0
    if item_type == "01":
        steps = licensing_steps(name, dept, promised, review, result, inspect)
    else:
        steps = simple_steps(name, dept, review, result, immediate)
    return {
        "name": name,
        "name_en": name_en,
        "basic_code": basic,
        "implementation_code": f"{basic}-{CITY_CODE}-000-{d.uscc}-1-00",
        "item_type": item_type,
        "department": dept,
        "exercise_level": level,
        "status": status,
        "version": 1,
        "summary": summary,
        "acceptance_conditions": conditions,
        "legal_basis": basis,
        "legal_limit": legal,
        "legal_limit_unit": legal_unit,
        "legal_limit_note": legal_note or ("法律法规未规定办结时限" if legal is None else ""),
        "promised_limit": promised,
        "promised_limit_unit": "working_days",
        "promised_limit_note": promised_note
        or ("当场办结" if immediate else f"自受理之日起{promised}个工作日内办结"),
        "handling_type": "1" if immediate else "2",
        "has_fee": bool(fees),
        "fee_basis": "；".join(dict.fromkeys(f["basis"] for f in fees)),
        "handling_forms": list(forms),
        "visits_on_site": visits,
        "on_site_reason": reason,
        "location": location,
        "hours": hours,
        "online_depth": depth,
        "online_url": GDZWFW if online else "",
        "mobile_url": "",
        "supports_appointment": appointment,
        "supports_online_payment": bool(fees) and online,
        "supports_express": express,
        "supports_kiosk": kiosk,
        "in_service_hall": True,
        "scope": scope,
        "quantity_limit": quantity or "无数量限制",
        "special_procedures": special,
        "intermediary_services": intermediary,
        "consult_phone": consult or d.phone,
        "complaint_phone": complaint or d.complaint_phone,
        "service_objects": list(objects),
        "themes": list(themes),
        "regions": regions or [],
        "result_name": result,
        "result_type": result_type or result_type_for(result),
        "result_sample": f"{result}（样本）" if result else "",
        "popularity": popularity,
        "materials": [dict(mat, sort_order=i) for i, mat in enumerate(materials, 1)],
        "fees": [dict(f, sort_order=i) for i, f in enumerate(fees, 1)],
        "steps": [dict(s, seq=i) for i, s in enumerate(steps, 1)],
        "faqs": [{"question": q, "answer": a, "sort_order": i} for i, (q, a) in enumerate(faqs, 1)],
    }
