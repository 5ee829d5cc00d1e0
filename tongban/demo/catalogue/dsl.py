"""Helpers that expand a compact item definition into one row of the import format.

Shared defaults (phones from the department, hall address, hours, codes) are filled in
here; everything a citizen reads about an item (summary, conditions, basis, review
standard, FAQ) is written per item in the ``items_*`` modules.
"""

from __future__ import annotations

import re
from typing import Any

from tongban.demo.catalogue.materials import LIBRARY, LIBRARY_EN
from tongban.demo.data.org import (
    CENTRE_ADDRESS,
    CENTRE_ADDRESS_EN,
    CENTRE_HOURS,
    CENTRE_HOURS_EN,
    DEPARTMENTS,
)
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


# --- English ---------------------------------------------------------------------------------
#
# Every published item has English for each text a citizen reads (``<field>_en``). The texts
# written per item are in the ``items_*_en`` modules (one dict per item, keyed like ``ITEMS``);
# ``english`` adds them to the row and derives the rest (steps, shared defaults) here.

AT_TOWNS = "；也可到户籍（经营）所在地镇街行政服务中心综合受理窗口办理"
AT_TOWNS_EN = (
    ". You can also apply at the general counter of the service centre of the town or "
    "street where your household or business is registered"
)
RESULT_TYPES_EN = {
    "审批办结": "Approval issued",
    "出证办结": "Certificate issued",
    "出文办结": "Written decision issued",
}
DEFAULTS_EN = {
    "无数量限制": "No limit",
    "无": "None",
    "法律法规未规定办结时限": "No time limit is set by law",
    "当场办结": "Handled on the spot",
}
SUBMIT_EN = (
    "Apply on the Guangdong government services website, in the Yueshangtong or Yueshengshi "
    "app, or at the window, and hand in the materials."
)


def at_en(location: str) -> str:
    """The English of a location written with ``at``; "" for any other text."""
    prefix = f"{CENTRE_ADDRESS}市行政服务中心C区"
    if not location.startswith(prefix):
        return ""
    rest = location.removeprefix(prefix)
    towns = rest.endswith(AT_TOWNS)
    windows = rest.removesuffix(AT_TOWNS).removesuffix("窗口").split("、")
    if not all(re.fullmatch(r"C\d+", w) for w in windows):
        return ""
    label = "Window" if len(windows) == 1 else "Windows"
    text = (
        f"{label} {' and '.join(windows)}, Zone C, Zhongshan City Administrative Service "
        f"Centre, {CENTRE_ADDRESS_EN}"
    )
    return text + (AT_TOWNS_EN if towns else "")


def _working_days(n: int) -> str:
    return "1 working day" if n == 1 else f"{n} working days"


def _time_limit_en(text: str) -> str:
    if not text:
        return ""
    fixed = {"即时": "At once", "与审查同步进行": "Alongside the review",
             "按承诺时限": "Within the promised time"}  # fmt: skip
    if text in fixed:
        return fixed[text]
    return _working_days(int(text.removesuffix("个工作日")))


def _steps_en(row: Row, en: dict[str, Any]) -> list[Row]:
    """English of the steps ``licensing_steps`` or ``simple_steps`` wrote."""
    dept = DEPTS[row["department"]].name_en
    result = en.get("result", "")
    texts: dict[str, tuple[str, str, str, str, str]] = {
        # name: (English name, handler, what happens, review standard, result)
        "申请": ("Apply", "Applicant", SUBMIT_EN,
                 "Prepare the materials on the list in this guide; electronic copies must be "
                 "clear and complete.", "Application submitted"),
        "受理": ("Acceptance", "Window officer",
                 "The window checks that the materials are complete and in the legal form, and "
                 "accepts the application or tells you what to correct.",
                 "Complete applications in the legal form are accepted on the spot. If "
                 "anything is missing you are told everything to correct at once; if another "
                 "authority handles the matter you are told where to apply.",
                 "Acceptance notice or a notice listing everything to correct"),
        "审查": ("Review", f"Reviewing officer, {dept}",
                 "The department reviews the substance of the application.",
                 en["review"], "Review opinion"),
        "现场核查": ("Site inspection", f"Inspector, {dept}",
                     "Two or more officers inspect the site and keep a record.",
                     en.get("inspect", ""), "Site inspection record"),
        "决定": ("Decision", f"Head of {dept}",
                 "The department grants or refuses the licence on the basis of the review.",
                 "If the conditions are met the licence is granted. If not, it is refused in "
                 "writing with the reasons, and you are told of your right to ask for an "
                 "administrative review or bring an administrative lawsuit.",
                 "Decision to grant or refuse"),
        "制证送达": ("Issue and delivery", "Issuing officer",
                     f"The department issues the {result.lower() or 'result'} and an "
                     "electronic copy.",
                     "Collect it at the window, have it posted free of charge, or receive it "
                     "electronically.", result),
        "受理审核": ("Acceptance and review", f"Case officer, {dept}",
                     "The department checks your identity and materials, accepts the "
                     "application if you qualify, and reviews it.",
                     en["review"], "Review opinion"),
        "办结": ("Completion", f"Case officer, {dept}",
                 "The department decides and tells you the result, which also appears in "
                 "the Yueshengshi or Yueshangtong app.",
                 "Collect the result at the window, have it posted, or view and download it "
                 "online.", result or "You are told the result"),
    }  # fmt: skip
    out = []
    for step in row["steps"]:
        name, handler, description, standard, step_result = texts[step["name"]]
        out.append(
            {
                **step,
                "name_en": name,
                "handler_en": handler,
                "description_en": description,
                "time_limit_en": _time_limit_en(step["time_limit"]),
                "standard_en": standard,
                "result_en": step_result,
            }
        )
    return out


def _material_en(mat: Row, given: Any) -> Row:
    """English of one material: from the shared library, or ``given`` by the item: a
    requirement (str) for a library material, or (name, requirement[, source note])."""
    name = note = req = ""
    if mat["code"] in LIBRARY_EN:
        name, note, req = LIBRARY_EN[mat["code"]]
        if given is None and mat["requirements"] != LIBRARY[mat["code"]][4]:
            raise KeyError(f"material {mat['code']}: English of its own requirement missing")
    if isinstance(given, str):
        req = given
    elif given is not None:
        name, req, *rest = given
        note = rest[0] if rest else note
    if not name or (mat["source_note"] and not note):
        raise KeyError(f"material {mat['code']}: English missing")
    return {
        **mat,
        "name_en": name,
        "source_note_en": note if mat["source_note"] else "",
        "requirements_en": req,
        "blank_form_en": (
            f"{name}: blank form (download it from this service's page on the Guangdong "
            "government services website, or ask at the window)"
            if mat["blank_form"]
            else ""
        ),
        "sample_en": f"{name}: filled-in example" if mat["sample"] else "",
    }


def _default_en(value: str, en: dict[str, Any], key: str) -> str:
    if not value:
        return ""
    if key in en:
        return str(en[key])
    return DEFAULTS_EN[value]


def english(row: Row, en: dict[str, Any]) -> Row:
    """``row`` with every English field filled from ``en`` and the shared English texts.

    Raises ``KeyError`` when a text of the item has no English.
    """
    promised = row["promised_limit"]
    out = dict(row)
    out["summary_en"] = en["summary"]
    out["acceptance_conditions_en"] = en["conditions"]
    out["legal_basis_en"] = en["basis"]
    out["legal_limit_note_en"] = _default_en(row["legal_limit_note"], en, "legal_note")
    if row["promised_limit_note"] == f"自受理之日起{promised}个工作日内办结":
        out["promised_limit_note_en"] = en.get(
            "promised_note", f"Completed within {_working_days(promised)} of acceptance"
        )
    else:
        out["promised_limit_note_en"] = _default_en(row["promised_limit_note"], en, "promised_note")
    out["on_site_reason_en"] = en["reason"] if row["on_site_reason"] else ""
    out["location_en"] = en.get("location") or at_en(row["location"]) or en["location"]
    out["hours_en"] = CENTRE_HOURS_EN if row["hours"] == CENTRE_HOURS else en["hours"]
    out["quantity_limit_en"] = _default_en(row["quantity_limit"], en, "quantity")
    out["special_procedures_en"] = _default_en(row["special_procedures"], en, "special")
    out["intermediary_services_en"] = _default_en(row["intermediary_services"], en, "intermediary")
    result = en["result"] if row["result_name"] else ""
    out["result_name_en"] = result
    out["result_type_en"] = RESULT_TYPES_EN.get(row["result_type"], "")
    out["result_sample_en"] = f"{result} (sample)" if row["result_sample"] else ""
    given = en.get("materials", {})
    unknown = set(given) - {m["code"] for m in row["materials"]}
    if unknown:
        raise KeyError(f"English for materials the item does not list: {sorted(unknown)}")
    out["materials"] = [_material_en(m, given.get(m["code"])) for m in row["materials"]]
    fees_en = en.get("fees", [])
    if len(fees_en) != len(row["fees"]):
        raise KeyError("give the English of every fee")
    out["fees"] = [
        {**f, "name_en": n, "standard_en": st, "basis_en": b, "reduce_basis_en": r}
        for f, (n, st, b, r) in zip(row["fees"], fees_en, strict=True)
    ]
    out["fee_basis_en"] = "; ".join(dict.fromkeys(f["basis_en"] for f in out["fees"]))
    out["steps"] = _steps_en(row, en)
    faqs_en = en["faqs"]
    if len(faqs_en) != len(row["faqs"]):
        raise KeyError("give the English of every question")
    out["faqs"] = [
        {**q, "question_en": qe, "answer_en": ae}
        for q, (qe, ae) in zip(row["faqs"], faqs_en, strict=True)
    ]
    return out
