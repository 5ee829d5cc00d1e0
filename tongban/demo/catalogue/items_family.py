"""Items for residents: health, schooling, civil affairs, provident fund (part 4)."""

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

BIZ = ("2", "5")
PERSON = ("1",)
ITEMS: dict[str, Row] = {}


ITEMS["birth-certificate"] = item(
    "wj",
    1,
    "出生医学证明签发",
    "Issuing the medical birth certificate",
    "20",
    summary="在本市助产机构出生的新生儿，由助产机构签发出生医学证明（含电子证照），是办理落户、"
    "参保的依据。",
    conditions="在本市具有助产技术服务资质的医疗机构出生；父母身份信息完整。",
    basis="《中华人民共和国母婴保健法》第二十三条",
    review="核对新生儿出生信息和父母身份信息，由父母签字确认。",
    legal=None,
    promised=0,
    forms=("window", "online"),
    depth=[*FULLY_ONLINE, "7"],
    location="新生儿出生的助产机构出生医学证明签发处；换发、补发到" + at("C18"),
    objects=PERSON,
    themes=("birth",),
    result="出生医学证明",
    result_type="出证办结",
    popularity=15890,
    materials=[
        m("M-ID-CARD", req="父母双方的居民身份证"),
        own("M-BIRTH-CERT-FORM", "出生医学证明首次签发登记表", "父母核对并签名", with_form=True),
    ],
    faqs=[
        faq(
            "签发后还能改新生儿姓名吗？",
            "首次签发后原则上不再更改；确需更改的，先到公安机关办理户籍姓名变更，再凭证明"
            "到原签发机构换发。",
        )
    ],
)

ITEMS["vaccination-card"] = item(
    "wj",
    2,
    "预防接种证办理",
    "Child vaccination record card",
    "20",
    summary="儿童出生后一个月内，监护人到居住地接种单位或出生医院为其办理预防接种证。",
    conditions="在本市居住的儿童，含流动儿童。",
    basis="《中华人民共和国疫苗管理法》第四十七条",
    review="核对儿童和监护人信息，建立预防接种档案。",
    legal=None,
    promised=0,
    forms=("window", "online"),
    visits=1,
    reason="首次接种时须携带儿童到接种单位现场建卡",
    depth=CONSULT_ONLY,
    location="出生医院或居住地社区卫生服务中心预防接种门诊",
    objects=PERSON,
    themes=("birth",),
    regions=ALL_TOWNS,
    result="预防接种证",
    popularity=9960,
    materials=[m("M-BIRTH-CERT"), m("M-ID-CARD", req="监护人的居民身份证")],
    faqs=[
        faq(
            "从外地搬来中山，接种证怎么办？",
            "携带原预防接种证到现居住地接种门诊登记，即可继续接种。",
        )
    ],
)

ITEMS["public-hygiene-permit"] = item(
    "wj",
    3,
    "公共场所卫生许可",
    "Public venue hygiene permit",
    "01",
    summary="宾馆、美容美发、游泳场馆、沐浴等公共场所经营单位在营业前申请卫生许可证。",
    conditions="场所布局和卫生设施符合卫生标准；从业人员取得健康合格证明；有卫生管理制度。",
    basis="《公共场所卫生管理条例》第四条、第八条；《公共场所卫生管理条例实施细则》第二十二条",
    review="审查场所卫生设施、布局流程和卫生管理制度。",
    inspect="核查通风、消毒间、给排水和布草存放等卫生设施。",
    legal=20,
    promised=5,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C18"),
    objects=BIZ,
    themes=("biz-permit",),
    result="公共场所卫生许可证",
    popularity=2540,
    materials=[
        own(
            "M-HYGIENE-FORM",
            "公共场所卫生许可申请表",
            "在线填写",
            form="electronic",
            with_form=True,
        ),
        m("M-BIZ-LICENCE"),
        m("M-FLOOR-PLAN"),
        own("M-HYGIENE-RULES", "卫生管理制度", "含清洗消毒和从业人员健康管理制度"),
    ],
    faqs=[
        faq(
            "饭馆、咖啡馆需要办卫生许可证吗？",
            "不需要，饭馆、咖啡馆、酒吧、茶座已不再办理公共场所卫生许可，由市场监管部门"
            "实施食品经营许可。",
        )
    ],
)

ITEMS["food-worker-health"] = item(
    "wj",
    4,
    "食品从业人员健康证明办理",
    "Health certificate for food handlers",
    "20",
    summary="接触直接入口食品的从业人员每年进行健康检查，取得健康证明后方可上岗；电子证明可"
    "在线查询。",
    conditions="从事或拟从事接触直接入口食品工作的人员。",
    basis="《中华人民共和国食品安全法》第四十五条",
    review="按健康检查项目体检，无有碍食品安全疾病的出具健康证明。",
    legal=None,
    promised=3,
    forms=("window", "online"),
    visits=1,
    reason="须本人到体检机构现场体检和采样",
    depth=["1", "2", "6", "7"],
    location="市疾病预防控制中心及各镇街社区卫生服务中心体检点",
    objects=PERSON,
    themes=("work", "health"),
    regions=ALL_TOWNS,
    result="食品从业人员健康证明",
    popularity=12380,
    materials=[m("M-ID-CARD")],
    faqs=[faq("健康证明有效期多久？", "一年。到期前请重新体检，电子证明自动更新。")],
)

ITEMS["birth-registration"] = item(
    "wj",
    5,
    "生育登记",
    "Birth registration service",
    "20",
    summary="夫妻生育子女的，可在孕前、孕期或子女出生后办理生育登记，作为享受生育支持政策的依据。",
    conditions="夫妻至少一方为本市户籍或持本市居住证。",
    basis="《中华人民共和国人口与计划生育法》第十八条、第二十条",
    review="核对夫妻身份信息，完成登记。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C18", towns=True),
    objects=PERSON,
    themes=("family", "birth"),
    regions=ALL_TOWNS,
    result="",
    popularity=7430,
    materials=[m("M-ID-CARD", req="夫妻双方的居民身份证"), m("M-MARRIAGE-CERT", "conditional")],
    faqs=[
        faq(
            "不办生育登记会影响上户口吗？",
            "不会。生育登记是服务性登记，不设前置条件，不与落户挂钩。",
        )
    ],
)

ITEMS["resident-medical-registration"] = item(
    "yb",
    1,
    "城乡居民基本医疗保险参保登记",
    "Resident medical insurance enrolment",
    "20",
    summary="未参加职工医保的本市户籍居民、持居住证的常住人员和在校学生办理城乡居民医保参保"
    "登记；新生儿可在出生一件事中一并办理。",
    conditions="未参加职工基本医疗保险；本市户籍或持本市居住证。",
    basis="《中华人民共和国社会保险法》第二十五条",
    review="核对身份和参保状态，避免重复参保。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C17", towns=True),
    objects=PERSON,
    themes=("birth", "health"),
    regions=ALL_TOWNS,
    result="参保登记结果",
    popularity=18740,
    materials=[
        m("M-ID-CARD", req="本人居民身份证；新生儿使用户口簿或出生医学证明信息"),
        m("M-RESIDENCE-PERMIT", "conditional"),
    ],
    faqs=[
        faq("新生儿什么时候参保最好？", "出生后90天内参保并缴费的，自出生之日起享受居民医保待遇。")
    ],
)

ITEMS["employer-medical"] = item(
    "yb",
    2,
    "用人单位医疗保险参保登记",
    "Employer medical insurance registration",
    "20",
    summary="新成立的用人单位为职工办理职工基本医疗保险和生育保险参保登记。",
    conditions="已取得营业执照并完成社会保险登记的用人单位。",
    basis="《中华人民共和国社会保险法》第二十三条、第五十七条",
    review="核对单位登记信息，开通职工医保缴费。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C11", "C17"),
    objects=BIZ,
    themes=("biz-start", "biz-hire"),
    result="单位医保参保登记结果",
    popularity=9870,
    materials=[m("M-BIZ-LICENCE"), m("M-COMPANY-ACCOUNT")],
    faqs=[faq("职工医保和生育保险要分别登记吗？", "不用。两项保险已合并实施，一次登记即可。")],
)

ITEMS["remote-medical-filing"] = item(
    "yb",
    3,
    "异地就医备案",
    "Registration for medical treatment outside Zhongshan",
    "20",
    summary="长期在外地居住、工作或临时外出就医的参保人，办理异地就医备案后可直接结算医疗费用。",
    conditions="已参加本市基本医疗保险并正常享受待遇。",
    basis="《中华人民共和国社会保险法》第二十九条",
    review="核对参保状态和备案类型，即时生效。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C17", towns=True),
    objects=PERSON,
    themes=("health", "travel"),
    regions=ALL_TOWNS,
    result="异地就医备案回执",
    popularity=14360,
    scope="national",
    materials=[
        m("M-ID-CARD", req="居民身份证或医保电子凭证"),
        own(
            "M-REMOTE-COMMIT",
            "异地长期居住个人承诺书",
            "长期居住备案的在线签署承诺",
            necessity="conditional",
            form="electronic",
        ),
    ],
    faqs=[
        faq(
            "出院后才发现没备案怎么办？",
            "可在出院结算前补办备案后直接结算；已出院的，可回本市按规定手工报销。",
        )
    ],
)

ITEMS["retiree-medical"] = item(
    "yb",
    4,
    "退休人员医疗保险待遇核定",
    "Medical insurance for retirees",
    "07",
    summary="参保职工办理退休时，核定其医保缴费年限，确定退休后享受职工医保待遇。",
    conditions="已办理退休并领取基本养老金；职工医保累计缴费达到本市规定年限。",
    basis="《中华人民共和国社会保险法》第二十七条",
    review="核对职工医保累计和视同缴费年限。",
    legal=None,
    promised=5,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C10", "C17"),
    objects=PERSON,
    themes=("retirement", "health"),
    result="退休人员医疗保险待遇核定结果",
    popularity=5120,
    materials=[
        m("M-ID-CARD"),
        own(
            "M-RETIREMENT-APPROVAL",
            "退休审批结果",
            "人社部门已共享的免于提交",
            necessity="conditional",
            source="government",
            note="人力资源社会保障部门",
        ),
    ],
    faqs=[
        faq(
            "医保缴费年限不够怎么办？",
            "可以按规定继续缴费或一次性补缴至规定年限，补足后享受退休人员医保待遇。",
        )
    ],
)

ITEMS["school-entry"] = item(
    "jy",
    1,
    "义务教育入学（小学一年级）",
    "Primary school enrolment (Grade 1)",
    "20",
    summary="适龄儿童在户籍或居住地就近免试入学；随迁子女可申请积分制入学。",
    conditions="当年8月31日前满6周岁；户籍生按学区就近入学，随迁子女持居住证申请积分入学。",
    basis="《中华人民共和国义务教育法》第十一条、第十二条",
    review="核对户籍、住房和居住证信息，按学区和积分分配学位。",
    legal=None,
    promised=20,
    promised_note="按年度招生日程公布录取结果（一般为每年7月）",
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C19", towns=True),
    objects=PERSON,
    themes=("school",),
    regions=ALL_TOWNS,
    result="入学录取通知",
    popularity=24120,
    quantity="每名适龄儿童限报一次",
    materials=[
        m("M-HOUSEHOLD-BOOK"),
        m("M-BIRTH-CERT"),
        m("M-PROPERTY-CERT", "conditional", req="户籍生按学区住房报名的提交"),
        m("M-RESIDENCE-PERMIT", "conditional", req="随迁子女父母一方的居住证"),
    ],
    faqs=[
        faq(
            "随迁子女怎么入学？",
            "持广东省居住证的随迁子女可申请积分制入学，按积分高低分配公办学位。",
        )
    ],
)

ITEMS["teacher-certification"] = item(
    "jy",
    2,
    "教师资格认定",
    "Teacher qualification certification",
    "01",
    summary="通过中小学教师资格考试或符合免试条件的人员，申请认定幼儿园、小学、初级中学教师资格。",
    conditions="遵守宪法和法律，热爱教育事业；具备规定学历；教师资格考试合格；普通话水平和"
    "体检合格。",
    basis="《中华人民共和国教师法》第十条、第十一条、第十三条；《教师资格条例》第十三条",
    review="核对考试合格证明、学历、普通话等级和体检结论。",
    legal=30,
    legal_note="自受理期限终止之日起30个法定工作日内作出结论",
    promised=20,
    forms=("online",),
    depth=[*FULLY_ONLINE, "7"],
    location="中国教师资格网在线申请；咨询可到" + at("C19"),
    objects=PERSON,
    themes=("school", "work"),
    result="教师资格证书",
    popularity=5670,
    special="体格检查时间不计入认定时限",
    appointment=False,
    materials=[
        m("M-ID-CARD"),
        own(
            "M-TEACHER-EXAM",
            "中小学教师资格考试合格证明",
            "系统自动核验，无需上传",
            form="electronic",
            source="government",
            note="教育部考试中心",
        ),
        own(
            "M-MEDICAL-REPORT",
            "教师资格认定体检表",
            "指定医院体检合格",
            source="intermediary",
            note="指定医疗机构",
        ),
        m("M-PHOTO"),
    ],
    faqs=[
        faq(
            "可以在中山认定吗？", "户籍、居住证或就读学校在中山的均可向中山市教育和体育局申请认定。"
        )
    ],
)

ITEMS["sino-foreign-preschool"] = item(
    "jy",
    3,
    "中外合作开办学前教育机构审批",
    "Approval of Sino-foreign cooperative preschools",
    "01",
    summary="中外合作办学者在中山举办实施学前教育的中外合作办学机构，申请设立审批。",
    conditions="中外合作办学者具有法人资格；有符合规定的章程、办学场所、设施和师资；"
    "不以营利为目的。",
    basis="《中华人民共和国中外合作办学条例》第十一条、第十二条、第十四条",
    review="审查办学者资格、章程、场所设施、师资和资金来源。",
    legal=90,
    legal_unit="working_days",
    promised=1,
    forms=("online", "window", "postal"),
    visits=1,
    reason="须提交办学场所和资产证明原件供现场核验",
    depth=ONLINE_ACCEPT,
    location=at("C19"),
    hours="周一至周五 9:00—12:00，13:30—17:00，法定节假日除外",
    objects=("1", "2", "4"),
    themes=("school", "biz-permit"),
    result="中外合作办学许可证",
    popularity=12,
    kiosk=True,
    consult="0760-89817133",
    complaint="0760-89989215",
    materials=[
        own("M-COOP-SCHOOL-FORM", "中外合作办学机构设立申请书", "中外双方共同签署", with_form=True),
        own("M-COOP-AGREEMENT", "合作协议", "载明合作期限、争议解决办法等"),
        m("M-ARTICLES", req="中外合作办学机构章程"),
        m("M-PREMISES", req="办学场所产权或使用证明"),
    ],
    faqs=[
        faq(
            "这项审批由哪一级办理？",
            "由中山市教育和体育局实施，到市行政服务中心教育和体育窗口办理。",
        )
    ],
)
