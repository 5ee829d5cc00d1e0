"""Items for residents: marriage, assistance, provident fund, veterans (part 5)."""

from __future__ import annotations

from tongban.demo.catalogue.dsl import (
    ALL_TOWNS,
    CONSULT_ONLY,
    FULLY_ONLINE,
    ONLINE_ACCEPT,
    Row,
    at,
    faq,
    item,
)
from tongban.demo.catalogue.materials import m, own

BIZ = ("2", "3", "5")
PERSON = ("1",)
ITEMS: dict[str, Row] = {}

ITEMS["marriage"] = item(
    "mz",
    1,
    "结婚登记",
    "Marriage registration",
    "07",
    summary="要求结婚的男女双方亲自到婚姻登记机关申请结婚登记，当场领取结婚证；可在全国任一"
    "婚姻登记机关办理。",
    conditions="男年满22周岁、女年满20周岁；双方完全自愿；双方均无配偶；不属于直系血亲或三代"
    "以内旁系血亲。",
    basis="《中华人民共和国民法典》第一千零四十六条、第一千零四十七条、第一千零四十九条；"
    "《婚姻登记条例》第五条、第七条",
    review="审查双方身份证件和声明，询问结婚意愿，符合条件的当场登记。",
    legal=None,
    promised=0,
    forms=("window", "online"),
    visits=1,
    reason="《民法典》第一千零四十九条规定双方须亲自到婚姻登记机关申请",
    depth=CONSULT_ONLY,
    location="中山市婚姻登记处（中山市东区起湾道25号民政大楼一楼），可在粤省事预约",
    objects=PERSON,
    themes=("family",),
    result="结婚证",
    popularity=10980,
    scope="national",
    express=False,
    materials=[
        m("M-ID-CARD", req="双方本人有效的居民身份证"),
        own(
            "M-MARRIAGE-DECLARATION",
            "申请结婚登记声明书",
            "双方在登记员面前现场签署，声明无配偶且无禁止结婚的亲属关系",
        ),
        own(
            "M-COUPLE-PHOTO",
            "双方近期半身免冠合影照片",
            "2张，2寸，红色背景，可在登记处现场拍摄",
            copies=2,
        ),
    ],
    faqs=[
        faq(
            "还需要带户口簿吗？",
            "不需要。新修订的《婚姻登记条例》自2025年5月10日起施行，凭居民身份证即可在全国"
            "任一婚姻登记机关办理。",
        )
    ],
)

ITEMS["dibao"] = item(
    "mz",
    2,
    "最低生活保障审核确认",
    "Minimum living allowance (dibao)",
    "05",
    summary="共同生活的家庭成员人均收入低于本市低保标准且财产符合规定的家庭，申请最低生活保障。",
    conditions="本市户籍；家庭人均收入低于本市城乡低保标准；家庭财产状况符合规定。",
    basis="《社会救助暂行办法》第九条、第十一条",
    review="镇街入户调查、信息核对并民主评议，民政部门审核确认，结果公示7日。",
    legal=30,
    legal_note="自受理之日起30个工作日内完成审核确认",
    promised=20,
    forms=("online", "window"),
    depth=ONLINE_ACCEPT,
    location=at("C24", towns=True),
    objects=PERSON,
    themes=("assistance",),
    regions=ALL_TOWNS,
    result="最低生活保障审核确认通知书",
    popularity=3260,
    special="公示期（7日）不计入办理时限",
    materials=[
        own("M-DIBAO-FORM", "最低生活保障申请书", "申请人签名，可在粤省事在线填写", with_form=True),
        m("M-ID-CARD", req="共同生活家庭成员的居民身份证"),
        m("M-HOUSEHOLD-BOOK"),
        m("M-INCOME-DECL"),
    ],
    faqs=[
        faq(
            "本市低保标准是多少？",
            "以市政府当年公布的城乡统一低保标准为准，可在民政局网站或粤省事查询。",
        )
    ],
)

ITEMS["social-organisation"] = item(
    "mz",
    3,
    "社会团体成立登记",
    "Registration of a social organisation",
    "01",
    summary="在本市行政区域内活动的社会团体，经业务主管单位同意后申请成立登记。",
    conditions="有50个以上个人会员或30个以上单位会员；有规范的名称和组织机构；有固定住所；"
    "有与其业务活动相适应的专职工作人员和合法资产（活动资金不低于3万元）。",
    basis="《社会团体登记管理条例》第九条、第十条、第十二条",
    review="审查业务主管单位批准文件、章程草案、会员、住所和资金证明。",
    legal=60,
    legal_unit="calendar_days",
    promised=20,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C24"),
    objects=("4",),
    themes=("biz-start",),
    result="社会团体法人登记证书",
    popularity=260,
    materials=[
        own("M-SOCIAL-ORG-FORM", "社会团体成立登记申请书", "发起人签署", with_form=True),
        own(
            "M-SPONSOR-APPROVAL",
            "业务主管单位批准文件",
            "原件",
            source="government",
            note="业务主管单位出具",
        ),
        m("M-ARTICLES", req="社会团体章程草案，经会员大会通过"),
        m("M-PREMISES"),
    ],
    faqs=[
        faq(
            "行业协会商会还需要业务主管单位吗？",
            "不需要，行业协会商会、科技类、公益慈善类、城乡社区服务类社会组织可直接登记。",
        )
    ],
)

ITEMS["funeral-relief"] = item(
    "mz",
    4,
    "基本殡葬服务费用减免",
    "Free basic funeral services",
    "05",
    summary="本市户籍居民及在本市死亡的常住人员，遗体接运、存放、火化和骨灰寄存等基本殡葬服务"
    "费用予以减免，在殡仪馆直接结算。",
    conditions="死者为本市户籍或持本市居住证；遗体在本市殡仪馆火化。",
    basis="《殡葬管理条例》第四条；《民政部等9部门关于进一步推动殡葬改革促进殡葬事业发展的"
    "指导意见》第三部分",
    review="核验死亡证明和户籍或居住证信息，即时减免。",
    legal=None,
    promised=0,
    forms=("window",),
    visits=1,
    reason="办理遗体火化时由家属在殡仪馆现场办理，费用直接减免",
    depth=CONSULT_ONLY,
    location="中山市殡仪馆业务大厅",
    hours="全天24小时",
    objects=PERSON,
    themes=("bereavement",),
    result="基本殡葬服务费用减免凭证",
    popularity=1980,
    appointment=False,
    express=False,
    materials=[m("M-DEATH-CERT"), m("M-ID-CARD", req="经办家属的居民身份证")],
    faqs=[
        faq(
            "减免后还要先付钱再报销吗？",
            "不用。基本殡葬服务费用在殡仪馆直接减免，家属只需支付自选服务费用。",
        )
    ],
)

ITEMS["disability-subsidies"] = item(
    "mz",
    5,
    "困难残疾人生活补贴和重度残疾人护理补贴",
    "Disability living and care subsidies",
    "05",
    summary="持第二代或第三代残疾人证的低保家庭残疾人申领生活补贴，一、二级重度残疾人申领护理"
    "补贴。",
    conditions="本市户籍并持有有效残疾人证；生活补贴须为低保家庭成员，护理补贴须为一、二级残疾人。",
    basis="《中华人民共和国残疾人保障法》第四十八条；《国务院关于全面建立困难残疾人生活补贴和"
    "重度残疾人护理补贴制度的意见》（国发〔2015〕52号）第二部分",
    review="核对残疾人证、低保和户籍信息，按月发放。",
    legal=None,
    promised=20,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C24", towns=True),
    objects=PERSON,
    themes=("assistance",),
    regions=ALL_TOWNS,
    result="两项补贴审核结果通知",
    popularity=1420,
    materials=[
        m("M-ID-CARD"),
        own(
            "M-DISABILITY-CARD",
            "残疾人证",
            "通过数据共享核验，免于提交",
            form="electronic",
            source="government",
            note="残疾人联合会核发",
        ),
        m("M-BANK-ACCOUNT"),
    ],
    faqs=[
        faq(
            "两项补贴可以同时领吗？",
            "可以。符合条件的低保家庭重度残疾人可同时领取生活补贴和护理补贴。",
        )
    ],
)

ITEMS["gjj-employer-registration"] = item(
    "gjj",
    1,
    "住房公积金单位缴存登记",
    "Employer housing provident fund registration",
    "20",
    summary="新设立的单位自设立之日起30日内办理住房公积金缴存登记，并为职工开立个人账户。",
    conditions="已取得营业执照或其他登记证照的单位。",
    basis="《住房公积金管理条例》第十四条、第十五条",
    review="核对单位登记信息和缴存比例，开立单位账户。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C11", "C22"),
    objects=BIZ,
    themes=("biz-start", "biz-hire"),
    result="住房公积金单位缴存登记结果（单位账号）",
    popularity=8830,
    materials=[
        m("M-BIZ-LICENCE"),
        m("M-COMPANY-ACCOUNT"),
        own(
            "M-GJJ-EMPLOYER-FORM",
            "住房公积金单位缴存登记表",
            "在线填写缴存比例",
            form="electronic",
            with_form=True,
        ),
    ],
    faqs=[faq("缴存比例可以选多少？", "单位和职工缴存比例均可在5%至12%之间自主确定。")],
)

ITEMS["gjj-purchase"] = item(
    "gjj",
    2,
    "住房公积金提取（购买自住住房）",
    "Provident fund withdrawal for a home purchase",
    "20",
    summary="职工及配偶购买本市或户籍地自住住房的，申请提取住房公积金账户余额。",
    conditions="购房行为真实，购房合同已网签备案或已取得不动产权证书；提取总额不超过购房款。",
    basis="《住房公积金管理条例》第二十四条、第二十五条",
    review="核验购房信息和家庭提取额度。",
    legal=3,
    legal_unit="calendar_days",
    legal_note="自受理之日起3日内作出准予或不准提取的决定",
    promised=1,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C22", towns=True),
    objects=PERSON,
    themes=("housing",),
    regions=ALL_TOWNS,
    result="住房公积金提取审批结果",
    popularity=17350,
    materials=[
        m("M-ID-CARD"),
        m("M-SALE-CONTRACT"),
        m("M-MARRIAGE-CERT", "conditional", req="配偶同时提取的提交"),
        m("M-BANK-ACCOUNT"),
    ],
    faqs=[
        faq(
            "可以一次把钱全取出来吗？",
            "可以在购房款总额内提取，但提取后账户须保留一个月缴存额；申请公积金贷款的除外。",
        )
    ],
)

ITEMS["gjj-retirement"] = item(
    "gjj",
    3,
    "住房公积金提取（离休、退休）",
    "Provident fund withdrawal on retirement",
    "20",
    summary="职工离休、退休的，提取本人住房公积金账户全部余额并销户。",
    conditions="已办理离休、退休手续。",
    basis="《住房公积金管理条例》第二十四条第一款第（二）项",
    review="核对退休信息，结息后全额提取并销户。",
    legal=3,
    legal_unit="calendar_days",
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C10", "C22"),
    objects=PERSON,
    themes=("retirement",),
    result="住房公积金销户提取结果",
    popularity=4260,
    materials=[
        m("M-ID-CARD"),
        m("M-BANK-ACCOUNT"),
        own(
            "M-RETIREMENT-APPROVAL",
            "退休审批结果",
            "人社部门已共享的免于提交",
            necessity="conditional",
            source="government",
            note="人力资源社会保障部门",
        ),
    ],
    faqs=[faq("退休提取需要单位盖章吗？", "不需要，本人在线申请，资金直接转入本人银行账户。")],
)

ITEMS["gjj-employer-close"] = item(
    "gjj",
    4,
    "住房公积金单位缴存注销",
    "Employer provident fund account closure",
    "20",
    summary="单位撤销、解散或破产的，自发生之日起30日内办理住房公积金缴存注销登记。",
    conditions="已为全部职工补缴欠缴的住房公积金，并办理个人账户转移或封存。",
    basis="《住房公积金管理条例》第十四条第二款",
    review="核查欠缴和职工账户处理情况。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C10", "C22"),
    objects=BIZ,
    themes=("biz-close",),
    result="住房公积金单位缴存注销结果",
    popularity=1230,
    materials=[
        m("M-BIZ-LICENCE"),
        own(
            "M-GJJ-CLOSE-FORM",
            "单位缴存注销申请",
            "在线填写注销原因",
            form="electronic",
            with_form=True,
        ),
    ],
    faqs=[faq("职工的公积金怎么办？", "由单位办理封存或转移至新单位，职工可按规定提取。")],
)

ITEMS["disability-card"] = item(
    "cl",
    1,
    "残疾人证核发",
    "Disability certificate",
    "07",
    summary="符合残疾标准的人员经残疾评定后申领第三代智能化残疾人证，可跨省通办。",
    conditions="视力、听力、言语、肢体、智力、精神残疾符合国家残疾标准。",
    basis="《中华人民共和国残疾人保障法》第二条；《中华人民共和国残疾人证管理办法》第五条、第八条",
    review="对残疾评定结果进行审核，确认残疾类别和等级。",
    legal=None,
    promised=20,
    forms=("window", "online"),
    visits=1,
    reason="须本人到指定医院进行残疾评定",
    depth=ONLINE_ACCEPT,
    location=at("C24", towns=True),
    objects=PERSON,
    themes=("assistance",),
    regions=ALL_TOWNS,
    result="中华人民共和国残疾人证",
    popularity=2030,
    scope="national",
    special="残疾评定时间不计入办理时限",
    intermediary="残疾评定（指定医疗机构，免费）",
    materials=[
        own("M-DISABILITY-FORM", "残疾人证申请表", "本人或监护人签名", with_form=True),
        m("M-ID-CARD"),
        m("M-PHOTO", req="近期2寸免冠彩色照片3张", copies=3),
        own(
            "M-DISABILITY-ASSESS",
            "残疾评定表",
            "指定医院出具",
            source="intermediary",
            note="指定评定医院",
        ),
    ],
    faqs=[
        faq(
            "户籍不在中山能办吗？",
            "可以。残疾人证新办、换领、迁移可跨省通办，在居住地提出申请即可。",
        )
    ],
)

ITEMS["legal-aid"] = item(
    "sf",
    1,
    "法律援助申请",
    "Legal aid application",
    "20",
    summary="经济困难的公民和符合法定条件的其他当事人，可以申请免费的法律咨询、代理和刑事辩护。",
    conditions="因经济困难没有委托代理人或辩护人，且属于法律援助事项范围；特定群体可免予经济"
    "困难审查。",
    basis="《中华人民共和国法律援助法》第三十一条、第四十一条、第四十二条、第四十三条",
    review="审查申请事项范围和经济困难状况，作出是否给予法律援助的决定。",
    legal=7,
    legal_unit="calendar_days",
    legal_note="自收到申请之日起7日内作出决定",
    promised=3,
    forms=("online", "window"),
    depth=ONLINE_ACCEPT,
    location="中山市公共法律服务中心法律援助窗口；也可到" + at("C25"),
    objects=PERSON,
    themes=("assistance",),
    result="给予法律援助决定书",
    popularity=1650,
    materials=[
        own("M-LEGAL-AID-FORM", "法律援助申请表", "申请人签名", with_form=True),
        m("M-ID-CARD"),
        own("M-HARDSHIP-DECLARATION", "经济困难状况说明表", "个人诚信承诺，由法律援助机构核查"),
        own(
            "M-CASE-MATERIALS",
            "与所申请法律援助事项有关的材料",
            "起诉状、判决书、劳动合同等",
            form="copy",
        ),
    ],
    faqs=[
        faq(
            "哪些人不用证明经济困难？",
            "无固定生活来源的未成年人、老年人、残疾人等特定群体，社会救助和优抚对象，以及"
            "申请支付劳动报酬或工伤赔偿的进城务工人员，免予经济困难审查。",
        )
    ],
)

ITEMS["veteran-card"] = item(
    "tyjr",
    1,
    "退役军人优待证申领",
    "Veteran preferential treatment card",
    "20",
    summary="退役军人申领全国统一的优待证，凭证享受交通、文旅等优待服务。",
    conditions="本市户籍的退役军人，已在退役军人事务部门采集信息。",
    basis="《中华人民共和国退役军人保障法》第六十二条、第六十三条",
    review="核对退役军人信息采集和身份，集中制证后寄发。",
    legal=None,
    promised=30,
    promised_note="审核通过后集中制证，30个工作日内寄出",
    forms=("online", "window", "postal"),
    depth=FULLY_ONLINE,
    location=at("C24", towns=True),
    objects=PERSON,
    themes=("assistance",),
    regions=ALL_TOWNS,
    result="中华人民共和国退役军人优待证",
    popularity=1890,
    materials=[
        m("M-ID-CARD"),
        own(
            "M-DISCHARGE-CERT",
            "退役证件",
            "退伍证、转业证或退休证等",
            form="copy",
            source="government",
            note="部队或退役军人事务部门核发",
        ),
        m("M-PHOTO"),
        m("M-BANK-ACCOUNT", "conditional", req="选择开通优待证金融功能的"),
    ],
    faqs=[faq("优待证在外地能用吗？", "优待证全国统一，在各地均可凭证享受优待服务。")],
)
