"""The demo city's search synonyms: what citizens type, and the catalogue's words for it.

Administrators edit the list in the admin (``catalog.SearchSynonym``); these entries are
a starting point, written from the words people use at a service counter and in the
12345 hotline's records. ``load_search_synonyms`` upserts them by term (idempotent) and
leaves entries an administrator added alone.
"""

from __future__ import annotations

from tongban.catalog.models import SearchSynonym

# (what people type, the catalogue's words, note)
SYNONYMS: list[tuple[str, str, str]] = [
    ("驾照", "驾驶证", "Everyday name of the driving licence."),
    ("护照", "出入境, 通行证", "Passports are issued by exit-entry administration."),
    ("开公司", "开办企业", ""),
    ("注册公司", "企业设立登记, 开办企业", ""),
    ("注销公司", "企业注销, 注销登记", ""),
    ("生孩子", "出生", ""),
    ("生小孩", "出生", ""),
    ("准生证", "生育登记", "The former name of the birth registration service."),
    ("出生证", "出生医学证明", ""),
    ("疫苗本", "预防接种证", ""),
    ("身份证", "居民身份证", ""),
    ("户口", "户籍, 户口登记", ""),
    ("落户", "户口登记", ""),
    ("社保", "社会保险, 社会保障卡", ""),
    ("社保卡", "社会保障卡", ""),
    ("医保", "医疗保险", ""),
    ("公积金", "住房公积金", ""),
    ("结婚证", "结婚登记", ""),
    ("领证", "结婚登记", "What couples say for marriage registration."),
    ("退休金", "养老金", ""),
    ("失业金", "失业保险金", ""),
    ("低保", "最低生活保障", ""),
    ("残疾证", "残疾人证", ""),
    ("上小学", "义务教育入学", ""),
    ("教师资格证", "教师资格认定", ""),
    ("无犯罪证明", "无犯罪记录证明", ""),
    ("港澳通行证", "往来港澳通行证", ""),
    ("房产证", "不动产", ""),
    ("过户", "不动产转移登记", ""),
    ("健康证", "健康证明", ""),
    ("个税", "个人所得税", ""),
    ("退税", "个人所得税综合所得年度汇算", ""),
    ("开饭店", "开办餐饮店, 食品经营许可", ""),
    ("网约车", "网络预约出租汽车", ""),
    ("刻章", "公章刻制", ""),
    ("借书证", "读者证", ""),
    (
        "business licence",
        "营业执照",
        "English speakers look for the licence, not the registration.",
    ),
    ("business license", "营业执照", "American spelling."),
    ("license", "licence", "American spelling."),
    ("id card", "identity card, 居民身份证", ""),
]


def load_search_synonyms() -> int:
    """Write the demo synonyms (upsert by term); returns how many there are."""
    for term, expands_to, note in SYNONYMS:
        SearchSynonym.objects.update_or_create(
            term=term, defaults={"expands_to": expands_to, "note": note}
        )
    return len(SYNONYMS)
