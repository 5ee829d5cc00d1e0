"""Small dict factories for catalogue records in the import format."""

from __future__ import annotations

from typing import Any

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def steps(n: int = 5) -> list[dict[str, Any]]:
    names = ["受理", "审核", "审批", "办结", "送达", "归档", "回访"]
    return [{"seq": i + 1, "name": names[i % len(names)]} for i in range(n)]


def item_data(department: str = "scjg", **overrides: Any) -> dict[str, Any]:
    """A complete, publishable item record that passes every quality rule."""
    n = _next()
    data: dict[str, Any] = {
        "implementation_code": f"11442000MB2C1111X-442000-{n:04d}",
        "name": f"测试事项{n}",
        "name_en": f"Test item {n}",
        "basic_code": f"000101{n:03d}",
        "item_type": "20",
        "department": department,
        "status": "draft",
        "acceptance_conditions": "符合条件的申请人",
        "legal_basis": "《中华人民共和国测试法》第一条",
        "legal_limit": 20,
        "promised_limit": 5,
        "handling_type": "2",
        "has_fee": False,
        "handling_forms": ["window", "online"],
        "visits_on_site": 0,
        "location": "中山市东区博爱六路22号市行政服务中心",
        "hours": "周一至周五 9:00-12:00, 13:30-17:00",
        "online_depth": ["1", "2", "3", "4", "5", "6"],
        "consult_phone": "0760-89817133",
        "complaint_phone": "0760-12345",
        "service_objects": ["1"],
        "themes": [],
        "regions": [],
        "materials": [{"code": "M001", "name": "申请表"}],
        "fees": [],
        "steps": steps(5),
        "faqs": [{"question": "多久办结？", "answer": "5个工作日。"}],
    }
    data.update(overrides)
    return data


def theme_data(code: str = "kaiban", audience: str = "enterprise", **overrides: Any) -> dict:
    data = {"code": code, "name": f"主题{code}", "audience": audience}
    data.update(overrides)
    return data


def bundle_data(members: list[str], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": f"bundle-{_next()}",
        "name": "开办餐饮店一件事",
        "audience": "enterprise",
        "lead_department": "scjg",
        "partner_departments": [],
        "members": members,
        "themes": [],
        "promised_limit": 3,
        "status": "draft",
    }
    data.update(overrides)
    return data


def document(**lists: Any) -> dict[str, Any]:
    return {
        "format": "tongban-catalogue",
        "version": 1,
        "themes": lists.get("themes", []),
        "items": lists.get("items", []),
        "bundles": lists.get("bundles", []),
    }
