"""Life events of a person and stages of an enterprise's life cycle."""

from __future__ import annotations

from typing import Any

# (code, name, English name, audience, description)
_THEMES: list[tuple[str, str, str, str, str]] = [
    ("birth", "出生", "Having a baby", "person", "出生医学证明、户口登记、预防接种、参保"),
    ("school", "上学", "Going to school", "person", "入学报名、学籍与教师资格"),
    ("work", "就业", "Finding work", "person", "就业失业登记、失业保险、职业资格"),
    ("family", "婚育", "Marriage and family", "person", "结婚登记、生育登记"),
    ("housing", "住房", "Housing", "person", "不动产登记、住房保障、公积金"),
    ("social-insurance", "社保", "Social insurance", "person", "社保卡、参保登记、关系转移"),
    ("health", "医疗", "Health care", "person", "医保待遇、异地就医、健康证明"),
    ("travel", "出行", "Driving and travel", "person", "驾驶证、出入境证件、网约车"),
    ("ids", "证件办理", "Identity documents", "person", "居民身份证、户口、无犯罪记录证明"),
    ("assistance", "救助帮扶", "Help and support", "person", "低保、残疾人、法律援助、优待"),
    ("retirement", "退休", "Retiring", "person", "养老金申领、退休医保、公积金提取"),
    ("bereavement", "身后", "After a death", "person", "户口注销、丧葬补助、殡葬减免"),
    ("biz-start", "开办", "Starting a business", "enterprise", "设立登记、公章、发票、参保"),
    ("biz-permit", "准营", "Permits to operate", "enterprise", "食品、卫生、消防、行业许可"),
    ("biz-operate", "经营", "Running a business", "enterprise", "日常经营、招牌、补贴、设备"),
    ("biz-change", "变更", "Changing registration", "enterprise", "名称、地址、法定代表人变更"),
    (
        "biz-build",
        "投资建设",
        "Investing and building",
        "enterprise",
        "项目备案、规划许可、环评、施工许可",
    ),
    ("biz-tax", "纳税", "Paying taxes", "enterprise", "涉税信息确认、发票、申报"),
    ("biz-hire", "用工", "Hiring staff", "enterprise", "社保登记、用工登记、公积金缴存"),
    ("biz-close", "注销", "Closing a business", "enterprise", "清税、社保注销、注销登记"),
]

THEMES: list[dict[str, Any]] = [
    {
        "code": code,
        "name": name,
        "name_en": en,
        "audience": audience,
        "description": desc,
        "sort_order": i,
    }
    for i, (code, name, en, audience, desc) in enumerate(_THEMES, 1)
]
PERSON_THEMES = {t["code"] for t in THEMES if t["audience"] == "person"}
ENTERPRISE_THEMES = {t["code"] for t in THEMES if t["audience"] == "enterprise"}
