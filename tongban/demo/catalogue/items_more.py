"""Items for enterprises and residents: commerce, culture, agriculture, safety (part 2 of 3)."""

from __future__ import annotations

from tongban.demo.catalogue.dsl import FULLY_ONLINE, Row, at, faq, item
from tongban.demo.catalogue.materials import m, own

ITEMS: dict[str, Row] = {}

ITEMS["car-trade-in"] = item(
    "shangwu",
    1,
    "汽车以旧换新补贴申请",
    "Car trade-in subsidy application",
    "20",
    summary="个人消费者报废旧车并购买新能源或燃油乘用车新车的，在线申请以旧换新补贴。",
    conditions="报废的旧车登记在本人名下；新车在本市登记并于补贴政策期限内购买；同一旧车或新车"
    "只能享受一次补贴。",
    basis="商务部等7部门《汽车以旧换新补贴实施细则》第二条、第三条",
    review="核对报废机动车回收证明、新车发票和登记信息，比对是否重复申请。",
    legal=None,
    promised=15,
    promised_note="审核通过后补贴资金按批次拨付至本人账户",
    forms=("online",),
    depth=FULLY_ONLINE,
    location="云闪付App或商务部汽车以旧换新平台在线申请；咨询可到" + at("C25"),
    objects=("1",),
    themes=("travel",),
    result="汽车以旧换新补贴审核结果通知",
    popularity=11280,
    appointment=False,
    express=False,
    materials=[
        m("M-ID-CARD"),
        own(
            "M-SCRAP-CERT",
            "报废机动车回收证明",
            "报废机动车回收拆解企业出具",
            form="electronic",
            source="other",
            note="报废机动车回收拆解企业出具",
        ),
        own(
            "M-NEW-CAR-INVOICE",
            "机动车销售统一发票",
            "新车发票，购车人与申请人一致",
            form="electronic",
        ),
        m("M-BANK-ACCOUNT"),
    ],
    faqs=[
        faq(
            "补贴多久到账？",
            "审核通过后按批次拨付，一般在审核通过后1个月内到账，可在平台查询进度。",
        )
    ],
)

ITEMS["pesticide-permit"] = item(
    "nync",
    1,
    "农药经营许可",
    "Pesticide retail permit",
    "01",
    summary="经营农药（卫生用农药除外）的企业和个体工商户，申请农药经营许可证。",
    conditions="有农学、植保、农药等相关专业中专以上学历或经专业培训的经营人员；有与经营规模"
    "相适应的营业场所和仓储场所，并与其他商品、生活区域、饮用水源有效隔离；有可追溯电子"
    "信息码扫描识别设备。",
    basis="《农药管理条例》第二十四条、第二十五条；《农药经营许可管理办法》第十一条",
    review="审查人员资质、营业和仓储场所、质量管理和追溯制度。",
    inspect="核查营业场所、仓储场所的隔离措施和追溯扫描设备。",
    legal=20,
    promised=10,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C25"),
    objects=("2", "5"),
    themes=("biz-permit",),
    result="农药经营许可证",
    popularity=310,
    materials=[
        own(
            "M-PESTICIDE-FORM",
            "农药经营许可证申请表",
            "在线填写",
            form="electronic",
            with_form=True,
        ),
        m("M-BIZ-LICENCE"),
        own(
            "M-PESTICIDE-STAFF",
            "经营人员学历或培训证明",
            "相关专业学历证书或培训合格证明",
            form="copy",
        ),
        m("M-FLOOR-PLAN", req="营业场所和仓储场所平面图，标明隔离设施"),
    ],
    faqs=[faq("超市卖杀虫气雾剂需要农药经营许可吗？", "不需要。卫生用农药不实行经营许可。")],
)

ITEMS["entertainment-permit"] = item(
    "wgl",
    1,
    "娱乐场所经营许可",
    "Entertainment venue permit",
    "01",
    summary="开办歌舞厅、KTV、游艺厅等娱乐场所，取得营业执照后申请娱乐经营许可证。",
    conditions="场所位置符合《娱乐场所管理条例》第七条规定；包厢、包间设置和照明、隔音"
    "符合标准；安装闭路电视监控系统。",
    basis="《娱乐场所管理条例》第七条、第九条、第十一条",
    review="审查场所位置、面积、包厢设置和投资人员是否符合条例规定。",
    inspect="现场核查包厢数量、透明门窗、照明和监控设备。",
    legal=20,
    legal_unit="calendar_days",
    promised=10,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C25"),
    objects=("2", "5"),
    themes=("biz-permit",),
    result="娱乐经营许可证",
    popularity=420,
    materials=[
        own(
            "M-ENTERTAINMENT-FORM",
            "娱乐场所经营申请表",
            "在线填写",
            form="electronic",
            with_form=True,
        ),
        m("M-BIZ-LICENCE"),
        m("M-FLOOR-PLAN", req="标明包厢、通道和安全出口位置"),
        m("M-ID-CARD", req="法定代表人、主要负责人和投资人的身份证件"),
    ],
    faqs=[
        faq(
            "娱乐场所能开在居民楼里吗？",
            "不能。条例第七条规定娱乐场所不得设在居民楼、博物馆、图书馆和文物保护单位内，"
            "也不得设在居民住宅区和学校、医院、机关周围。",
        )
    ],
)

ITEMS["library-card"] = item(
    "wgl",
    2,
    "中山纪念图书馆读者证办理",
    "Zhongshan Memorial Library card",
    "20",
    summary="市民可免押金办理读者证，在全市公共图书馆总分馆借还图书、使用数字资源。",
    conditions="持有效居民身份证、社会保障卡或港澳台居民居住证的读者。",
    basis="《中华人民共和国公共图书馆法》第三十三条",
    review="核验读者身份信息，开通借阅权限。",
    legal=None,
    promised=0,
    forms=("online", "window", "kiosk"),
    depth=[*FULLY_ONLINE, "7"],
    location="中山纪念图书馆一楼总服务台（中山市东区松苑路3号）及各镇街分馆",
    hours="周二至周日 9:00—21:00（周一闭馆，法定节假日另行公告）",
    objects=("1",),
    themes=("school",),
    result="中山纪念图书馆读者证",
    popularity=6720,
    appointment=False,
    express=False,
    kiosk=True,
    materials=[m("M-ID-CARD", req="居民身份证或社会保障卡，均可在自助机上刷卡办理")],
    faqs=[
        faq(
            "借书需要押金吗？",
            "不需要。注册读者证即可免押金借阅，每证可借图书10册，借期30天，可在线续借一次。",
        )
    ],
)

ITEMS["hazchem-permit"] = item(
    "yj",
    1,
    "危险化学品经营许可",
    "Hazardous chemicals trading permit",
    "01",
    summary="经营危险化学品（不含仓储经营的贸易企业也须办理）申请危险化学品经营许可证。",
    conditions="有符合国家标准的经营场所和储存设施；从业人员经专业技术培训并考核合格；"
    "有健全的安全管理制度和事故应急预案。",
    basis="《危险化学品安全管理条例》第三十三条、第三十四条、第三十五条",
    review="审查经营场所、储存设施、人员资格和安全管理制度是否符合条例和标准。",
    inspect="核查经营场所、储存设施和应急器材。",
    legal=30,
    legal_unit="calendar_days",
    promised=15,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C25"),
    objects=("2",),
    themes=("biz-permit",),
    result="危险化学品经营许可证",
    popularity=380,
    materials=[
        own(
            "M-HAZCHEM-FORM",
            "危险化学品经营许可证申请书",
            "在线填写",
            form="electronic",
            with_form=True,
        ),
        m("M-BIZ-LICENCE"),
        own(
            "M-SAFETY-QUALIFICATION",
            "主要负责人和安全管理人员安全资格证书",
            "应急管理部门考核合格的证书",
            form="copy",
            source="government",
            note="应急管理部门核发",
        ),
        m("M-PREMISES", req="经营场所产权证明或租赁合同"),
    ],
    faqs=[
        faq(
            "只做贸易、不储存危险化学品也要许可吗？",
            '要。应申请"不带储存设施经营"的危险化学品经营许可证。',
        )
    ],
)
