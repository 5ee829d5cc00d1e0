"""Build ``golden.xlsx`` by hand, the way an administrator would fill the template.

The headers and cells are typed out here on purpose (not produced by ``xlsx_format``), so the
test reading this file checks the format itself. Run from the repository root:

    .venv/bin/python tongban/catalog/tests/golden/make_golden.py
"""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

ITEM_HEADERS = [
    "实施编码",
    "事项名称",
    "基本编码",
    "事项类型",
    "实施部门代码",
    "事项状态",
    "受理条件",
    "受理条件（英文）",
    "设定依据",
    "法定办结时限",
    "承诺办结时限",
    "办件类型",
    "是否收费",
    "收费依据",
    "办理形式",
    "到办事现场次数",
    "必须现场办理原因说明",
    "办理地点",
    "办理地点（英文）",
    "办理时间",
    "网上办理深度",
    "是否支持网上支付",
    "咨询电话",
    "监督投诉电话",
    "服务对象",
    "主题分类",
    "办理镇街区划代码",
    "审批结果名称",
    "审批结果名称（英文）",
    "审批结果样本",
    "一个不认识的列",
]
ITEMS = [
    [
        "442000-SCJG-XK-0001",
        "食品经营许可",
        "000117001000",
        1,
        "scjg",
        "published",
        "在中山市从事食品销售和餐饮服务的经营者",
        "Businesses that sell food or serve meals in Zhongshan",
        "《中华人民共和国食品安全法》第三十五条",
        20,
        10,
        2,
        "是",
        "《广东省物价局关于收费的通知》",
        "window^online",
        1,
        "须核验场所",
        "中山市东区博爱六路22号市行政服务中心C区",
        "Zone C, City Administrative Service Centre, 22 Bo'ai 6th Road, East District",
        "周一至周五 9:00-12:00, 13:30-17:00",
        "1^2^3",
        "是",
        "0760-89817133",
        "0760-89989215",
        "2^5",
        "kaiban",
        "442000111000",
        "食品经营许可证",
        "Food business permit",
        "食品经营许可证样本.pdf",
        "ignored",
    ],
    [
        "442000-GA-QR-0002",
        "户籍证明开具",
        "000107002000",
        "07",
        "ga",
        "draft",
        "本市户籍居民",
        None,
        "《中华人民共和国户口登记条例》",
        None,
        0,
        1,
        "否",
        None,
        "window^online",
        0,
        None,
        "各派出所户籍窗口",
        None,
        "周一至周日 9:00-17:00",
        "1^2^3^4^5^6",
        "否",
        "0760-88880110",
        "0760-12345",
        1,
        "huji",
        None,
        None,
        None,
        None,
        None,
    ],
]
MATERIAL_HEADERS = [
    "实施编码",
    "材料编码",
    "材料名称",
    "材料名称（英文）",
    "材料必要性",
    "材料形式",
    "纸质材料份数",
    "可通过数据共享免提交",
    "排序",
]
MATERIALS = [
    [
        "442000-SCJG-XK-0001",
        "M-SQB",
        "食品经营许可申请书",
        "Food business permit application",
        "required",
        "original",
        1,
        "否",
        1,
    ],
    [
        "442000-SCJG-XK-0001",
        "M-YYZZ",
        "营业执照",
        "Business licence",
        "required",
        "copy",
        1,
        "是",
        2,
    ],
    ["442000-GA-QR-0002", "M-SFZ", "居民身份证", None, "required", "original", None, "是", None],
]
FEE_HEADERS = ["实施编码", "收费项目名称", "收费标准", "金额(分)", "收费依据", "是否允许减免"]
FEES = [["442000-SCJG-XK-0001", "工本费", "每证10元", 1000, "粤价〔2020〕1号", "否"]]
STEP_HEADERS = [
    "实施编码",
    "步骤序号",
    "环节名称",
    "环节名称（英文）",
    "办理时限",
    "办理时限（英文）",
]
STEPS = [
    ["442000-SCJG-XK-0001", 1, "受理", "Acceptance", "1个工作日", "1 working day"],
    ["442000-SCJG-XK-0001", 2, "审核", "Review", None, None],
    ["442000-SCJG-XK-0001", 3, "审批", "Approval", None, None],
    ["442000-SCJG-XK-0001", 4, "办结", "Decision", None, None],
    ["442000-SCJG-XK-0001", 5, "送达", "Delivery", None, None],
    ["442000-GA-QR-0002", 1, "受理并出具", None, "即时", None],
]
FAQ_HEADERS = ["实施编码", "问题", "问题（英文）", "解答", "解答（英文）", "排序"]
FAQS = [
    [
        "442000-SCJG-XK-0001",
        "可以网上申请吗？",
        "Can I apply online?",
        "可以，通过广东政务服务网申请。",
        "Yes, on the Guangdong government services website.",
        1,
    ]
]
THEME_HEADERS = ["主题代码", "主题名称", "英文名称", "面向对象", "排序"]
THEMES = [
    ["kaiban", "开办企业", "Starting a business", "enterprise", 1],
    ["huji", "户籍办理", "Household registration", "person", 2],
]
BUNDLE_HEADERS = [
    "一件事代码",
    "名称",
    "概述（英文）",
    "面向对象",
    "牵头部门代码",
    "配合部门代码",
    "成员事项实施编码",
    "主题分类",
    "承诺办结时限(工作日)",
    "咨询电话",
    "状态",
]
BUNDLES = [
    [
        "open-restaurant",
        "开办餐饮店一件事",
        "Apply once for everything a new restaurant needs.",
        "enterprise",
        "scjg",
        "ga",
        "442000-SCJG-XK-0001^442000-GA-QR-0002",
        "kaiban",
        5,
        "0760-12345",
        "draft",
    ],
]


def build(path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in [
        ("事项", ITEM_HEADERS, ITEMS),
        ("材料", MATERIAL_HEADERS, MATERIALS),
        ("收费", FEE_HEADERS, FEES),
        ("流程", STEP_HEADERS, STEPS),
        ("常见问题", FAQ_HEADERS, FAQS),
        ("主题", THEME_HEADERS, THEMES),
        ("一件事", BUNDLE_HEADERS, BUNDLES),
    ]:
        ws = wb.create_sheet(title)
        ws.append(headers)
        for row in rows:
            ws.append(row)
        ws.append([None] * len(headers))  # an empty row, as spreadsheets often have
    wb.save(path)


if __name__ == "__main__":
    build(HERE / "golden.xlsx")
