"""Items for residents: household register, documents, social insurance, health (part 3)."""

from __future__ import annotations

from tongban.demo.catalogue.dsl import (
    ALL_TOWNS,
    CONSULT_ONLY,
    FULLY_ONLINE,
    Row,
    at,
    faq,
    fee,
    item,
)
from tongban.demo.catalogue.materials import m, own

BIZ = ("2", "5")
PERSON = ("1",)
ITEMS: dict[str, Row] = {}

ITEMS["birth-hukou"] = item(
    "ga",
    1,
    "户口登记（出生）",
    "Household registration of a newborn",
    "07",
    summary='新生儿出生后一个月内，由父母或监护人向常住地户口登记机关申报出生登记；可在"新生儿'
    '出生一件事"中在线办理。',
    conditions="新生儿已取得出生医学证明；随父或随母在本市落户。",
    basis="《中华人民共和国户口登记条例》第七条",
    review="核验出生医学证明和父母身份、户籍信息，确认随父或随母落户。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=[*FULLY_ONLINE, "7"],
    location=at("C14", towns=True),
    objects=PERSON,
    themes=("birth", "ids"),
    regions=ALL_TOWNS,
    result="居民户口簿",
    result_type="出证办结",
    popularity=16340,
    materials=[
        m("M-BIRTH-CERT"),
        m("M-HOUSEHOLD-BOOK", req="申报落户一方的户口簿"),
        m("M-ID-CARD", req="父母双方的居民身份证"),
        m("M-MARRIAGE-CERT", "conditional", req="父母已登记结婚的提交；非婚生育不影响落户"),
    ],
    faqs=[
        faq(
            "超过一个月才申报会不会不给上户口？",
            "不会，仍可补办出生登记。但请尽快办理，以免影响医保参保、预防接种等后续事项。",
        )
    ],
)

ITEMS["id-card"] = item(
    "ga",
    2,
    "居民身份证申领",
    "Resident identity card application",
    "07",
    summary="年满十六周岁的本市户籍居民首次申领，以及未满十六周岁的自愿申领居民身份证。",
    conditions="本市常住户口；首次申领或证件有效期满、损坏、遗失需重新领取。",
    basis="《中华人民共和国居民身份证法》第二条、第八条、第二十条",
    review="核验户籍信息，采集人像和指纹，比对身份。",
    legal=60,
    legal_unit="calendar_days",
    legal_note="自受理之日起60日内发放",
    promised=15,
    forms=("window", "online"),
    visits=1,
    reason="须本人到场采集人像和指纹信息",
    depth=CONSULT_ONLY,
    location=at("C14", towns=True),
    objects=PERSON,
    themes=("ids",),
    regions=ALL_TOWNS,
    result="居民身份证",
    popularity=12170,
    kiosk=True,
    fees=[
        fee(
            "居民身份证工本费",
            "20元/证",
            2000,
            "《国家发展改革委 财政部关于第二代居民身份证收费标准等有关问题的通知》"
            "（发改价格〔2003〕2322号）",
            "城乡居民最低生活保障对象首次申领免收工本费",
        )
    ],
    materials=[m("M-HOUSEHOLD-BOOK"), m("M-PHOTO", req="可现场免费拍摄或提供数码相片回执")],
    faqs=[
        faq(
            "可以在外地办理吗？",
            "换领、补领可在全国任一公安机关户政窗口异地办理；首次申领须在户籍所在地办理。",
        )
    ],
)

ITEMS["seal-filing"] = item(
    "ga",
    3,
    "公章刻制备案",
    "Company seal engraving filing",
    "10",
    summary="新开办企业刻制公章、财务专用章、发票专用章等，由刻章企业通过印章治安管理信息系统"
    "备案。",
    conditions="已取得营业执照；选择具有公章刻制资质的企业刻制。",
    basis="《印铸刻字业暂行管理规则》第三条；《国务院关于第三批取消中央指定地方实施行政许可"
    "事项的决定》（国发〔2017〕7号）",
    review="核验营业执照和经办人身份，录入印模备案信息。",
    legal=None,
    promised=0,
    forms=("online", "window", "postal"),
    depth=FULLY_ONLINE,
    location=at("C11"),
    objects=BIZ,
    themes=("biz-start",),
    result="印章备案信息（印章治安管理信息系统）",
    popularity=11930,
    materials=[
        m("M-BIZ-LICENCE"),
        m("M-LEGAL-REP-ID"),
        m("M-AGENT-ID", "conditional"),
        own("M-SEAL-DESIGN", "印章式样确认单", "在线确认印章名称和样式", form="electronic"),
    ],
    faqs=[
        faq(
            "新开办企业刻章要钱吗？",
            "中山市为新开办企业免费刻制公章、财务专用章、发票专用章、合同专用章和法定代表人"
            "名章各一枚，费用由财政承担，可选择邮寄到家。",
        )
    ],
)

ITEMS["driving-licence-renewal"] = item(
    "ga",
    4,
    "机动车驾驶证换证（有效期满）",
    "Driving licence renewal",
    "01",
    summary='机动车驾驶证有效期满前90日内申请换证；可通过"交管12123"App全程网办并邮寄。',
    conditions="驾驶证即将期满或期满未超过一年；身体条件符合驾驶许可条件；无未处理的交通违法"
    "和事故。",
    basis="《中华人民共和国道路交通安全法》第十九条；《中华人民共和国道路交通安全法实施条例》"
    "第二十六条",
    review="核查驾驶人信息、记分和违法事故处理情况，审核身体条件证明。",
    legal=1,
    legal_note="车辆管理所对符合规定的当日核发",
    promised=0,
    forms=("online", "window", "postal"),
    depth=FULLY_ONLINE,
    location=at("C14") + "；中山市公安局交通警察支队车辆管理所及镇街交警业务服务站",
    objects=PERSON,
    themes=("travel",),
    regions=["442000100000", "442000105000", "442000107000", "442000114000"],
    result="机动车驾驶证",
    popularity=19870,
    fees=[
        fee(
            "机动车驾驶证工本费",
            "10元/本",
            1000,
            "《国家发展改革委 财政部关于公安交通管理收费标准等有关问题的通知》"
            "（发改价格〔2004〕2831号）",
        )
    ],
    materials=[
        m("M-DRIVING-LICENCE"),
        m("M-MEDICAL-CHECK"),
        m("M-PHOTO", req="可使用医疗机构体检时已上传的照片"),
    ],
    faqs=[
        faq(
            "驾驶证过期了还能换吗？",
            "期满未超过一年的可直接换证；超过一年的驾驶证将被注销，注销未超过两年的，参加"
            "科目一考试合格后可以恢复驾驶资格。",
        )
    ],
)

ITEMS["death-hukou"] = item(
    "ga",
    5,
    "死亡人员户口注销",
    "Cancelling the household registration of the deceased",
    "07",
    summary='公民死亡后，由户主、亲属等申报死亡登记，注销户口；可在"公民身后一件事"中一并办理。',
    conditions="已取得居民死亡医学证明（推断）书；城市在葬前、农村在一个月内申报。",
    basis="《中华人民共和国户口登记条例》第八条",
    review="核验死亡证明信息与户籍信息一致，注销户口并收缴居民身份证。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C14", towns=True),
    objects=PERSON,
    themes=("bereavement", "ids"),
    regions=ALL_TOWNS,
    result="户口注销证明",
    popularity=4380,
    materials=[m("M-DEATH-CERT"), m("M-HOUSEHOLD-BOOK"), m("M-ID-CARD", req="申报人居民身份证")],
    faqs=[
        faq(
            "死者的身份证找不到了怎么办？",
            "在申报时说明情况即可，公安机关将该身份证作废，不影响注销户口。",
        )
    ],
)

ITEMS["hk-macao-permit"] = item(
    "ga",
    6,
    "往来港澳通行证及签注签发",
    "Exit-entry permit for Hong Kong and Macao",
    "01",
    summary="内地居民因私前往香港、澳门，申请往来港澳通行证及团队旅游、个人旅游等签注。",
    conditions="中国内地居民；不属于法律规定不准出境的情形。",
    basis="《中华人民共和国出境入境管理法》第九条、第十条、第十二条",
    review="核查申请人身份和不准出境情形，采集指纹和人像。",
    legal=30,
    legal_unit="calendar_days",
    promised=7,
    forms=("window", "online"),
    visits=1,
    reason="首次申请须本人到场采集指纹和人像",
    depth=CONSULT_ONLY,
    location=at("C14"),
    objects=PERSON,
    themes=("travel",),
    result="往来港澳通行证",
    popularity=13520,
    kiosk=True,
    fees=[
        fee(
            "往来港澳通行证（电子）",
            "60元/证",
            6000,
            "《国家发展改革委 财政部关于降低部分出入境证件收费标准的通知》"
            "（发改价格〔2019〕914号）",
        ),
        fee(
            "往来港澳签注",
            "15元/次",
            1500,
            "《国家发展改革委 财政部关于降低部分出入境证件收费标准的通知》"
            "（发改价格〔2019〕914号）",
        ),
    ],
    materials=[m("M-ID-CARD"), m("M-PHOTO", req="出入境证件数码照片回执，可现场免费拍摄")],
    faqs=[
        faq(
            "再次签注也要去窗口吗？",
            '不用。持电子往来港澳通行证的，可在自助签注机或"移民局"App上办理再次签注。',
        )
    ],
)

ITEMS["no-crime-record"] = item(
    "ga",
    7,
    "无犯罪记录证明开具",
    "Certificate of no criminal record",
    "20",
    summary="个人因就业、出国、收养等需要，申请开具本人无犯罪记录证明；可在线申请、电子证明。",
    conditions="申请查询本人在中国境内的犯罪记录；委托他人的须有授权委托书。",
    basis="《公安机关办理犯罪记录查询工作规定》第六条、第九条",
    review="查询全国违法犯罪人员信息系统，核对身份后出具证明。",
    legal=3,
    promised=1,
    forms=("online", "window"),
    depth=[*FULLY_ONLINE, "7"],
    location=at("C14", towns=True),
    objects=PERSON,
    themes=("work", "ids"),
    regions=ALL_TOWNS,
    result="无犯罪记录证明",
    popularity=8740,
    materials=[m("M-ID-CARD"), m("M-AUTH-LETTER", "conditional"), m("M-AGENT-ID", "conditional")],
    faqs=[
        faq(
            "电子证明单位认可吗？",
            "电子证明与纸质证明具有同等效力，附有验证码，可在公安机关互联网平台核验真伪。",
        )
    ],
)

ITEMS["social-security-card"] = item(
    "rs",
    1,
    "社会保障卡申领",
    "Social security card application",
    "20",
    summary="参保人员（含新生儿）申领第三代社会保障卡，可在线申请、邮寄到家，也可在银行网点即时"
    "制卡。",
    conditions="已在本市参加社会保险或办理居民医保参保登记；未持有有效的本市社会保障卡。",
    basis="《中华人民共和国社会保险法》第五十八条",
    review="核验身份和参保信息，审核照片，制卡。",
    legal=None,
    promised=0,
    promised_note="银行网点即时制卡；邮寄制卡5个工作日内寄出",
    forms=("online", "window", "postal"),
    depth=[*FULLY_ONLINE, "7"],
    location=at("C16", towns=True),
    objects=PERSON,
    themes=("birth", "social-insurance"),
    regions=ALL_TOWNS,
    result="社会保障卡",
    popularity=22610,
    kiosk=True,
    materials=[
        m("M-ID-CARD", req="本人居民身份证；新生儿使用户口簿信息"),
        m("M-PHOTO", req="粤省事上传电子照片，新生儿可不提供照片"),
        m("M-AUTH-LETTER", "conditional", req="监护人为未成年人代办的免于提交"),
    ],
    faqs=[
        faq(
            "新生儿可以办社保卡吗？",
            '可以。在"新生儿出生一件事"中落户、参保后可一并申领，卡片邮寄到家。',
        )
    ],
)

ITEMS["employer-social-insurance"] = item(
    "rs",
    2,
    "用人单位社会保险登记",
    "Employer social insurance registration",
    "20",
    summary="新成立的单位自成立之日起30日内办理社会保险登记，取得单位参保编号。",
    conditions="已取得营业执照或其他登记证照的用人单位。",
    basis="《中华人民共和国社会保险法》第五十七条",
    review="核对市场监管部门共享的单位登记信息，确定参保险种和缴费基数规则。",
    legal=15,
    legal_unit="calendar_days",
    legal_note="自收到申请之日起15日内审核",
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C11", "C16"),
    objects=BIZ,
    themes=("biz-start", "biz-hire"),
    result="单位社会保险登记结果（参保编号）",
    popularity=10450,
    materials=[m("M-BIZ-LICENCE"), m("M-COMPANY-ACCOUNT"), m("M-LEGAL-REP-ID")],
    faqs=[
        faq(
            "还会发社会保险登记证吗？",
            '不再发放。实行"多证合一"后营业执照代替社会保险登记证，登记结果可在线查询。',
        )
    ],
)

ITEMS["employment-registration"] = item(
    "rs",
    3,
    "就业登记",
    "Employment registration",
    "20",
    summary="用人单位招用劳动者后，为其办理就业登记（随参保增员同步完成）。",
    conditions="已与劳动者建立劳动关系的用人单位。",
    basis="《就业服务与就业管理规定》（劳动和社会保障部令第28号）第六十二条",
    review="核对劳动者身份和用工起始时间。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C16", towns=True),
    objects=BIZ,
    themes=("biz-hire",),
    regions=ALL_TOWNS,
    result="就业登记记录",
    popularity=7920,
    materials=[m("M-LABOUR-CONTRACT"), m("M-ID-CARD", req="被招用劳动者的居民身份证信息")],
    faqs=[
        faq(
            "参保增员后还要单独办就业登记吗？",
            "不用。通过广东人社网上服务平台办理参保增员时会同步完成就业登记。",
        )
    ],
)

ITEMS["unemployment-benefit"] = item(
    "rs",
    4,
    "失业保险金申领",
    "Unemployment benefit claim",
    "05",
    summary="非因本人意愿中断就业的失业人员，办理失业登记后申领失业保险金，同时享受医保待遇。",
    conditions="失业前用人单位和本人已缴纳失业保险费满一年；非因本人意愿中断就业；已办理失业"
    "登记并有求职要求。",
    basis="《中华人民共和国社会保险法》第四十五条、第四十六条、第五十条；《失业保险条例》第十四条",
    review="核对参保缴费年限、离职原因和失业登记信息，核定领取期限和标准。",
    legal=10,
    legal_unit="calendar_days",
    promised=3,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C16", towns=True),
    objects=PERSON,
    themes=("work",),
    regions=ALL_TOWNS,
    result="失业保险待遇核定结果",
    popularity=9130,
    materials=[
        m("M-ID-CARD"),
        own(
            "M-TERMINATION-PROOF",
            "终止或解除劳动关系证明",
            "单位已在系统中办理减员的免于提交",
            necessity="conditional",
        ),
        m("M-BANK-ACCOUNT", req="已激活金融功能的本人社会保障卡"),
    ],
    faqs=[
        faq(
            "失业保险金能领多久？",
            "累计缴费满1年不足5年的最长12个月；满5年不足10年的最长18个月；10年以上的最长24个月。",
        )
    ],
)

ITEMS["pension-claim"] = item(
    "rs",
    5,
    "职工基本养老金申领（正常退休）",
    "Basic pension claim on retirement",
    "05",
    summary="参保职工达到法定退休年龄且累计缴费满最低年限的，申请办理退休并按月领取基本养老金。",
    conditions="达到法定退休年龄（按渐进式延迟退休规定计算）；基本养老保险累计缴费满15年"
    "（自2030年起逐步提高至20年）。",
    basis="《中华人民共和国社会保险法》第十六条；《全国人民代表大会常务委员会关于实施渐进式"
    "延迟法定退休年龄的决定》第二条",
    review="核定出生日期、参保缴费年限和视同缴费年限，计算基本养老金。",
    legal=None,
    promised=10,
    forms=("online", "window", "postal"),
    depth=FULLY_ONLINE,
    location=at("C10", "C16"),
    objects=PERSON,
    themes=("retirement",),
    result="基本养老金待遇核定表",
    popularity=6840,
    materials=[
        own(
            "M-RETIREMENT-FORM",
            "职工退休申请表",
            "粤省事在线填写",
            form="electronic",
            with_form=True,
        ),
        m("M-ID-CARD"),
        m("M-SOCIAL-CARD", req="作为养老金发放账户，须已激活金融功能"),
        own(
            "M-PERSONNEL-FILE",
            "职工人事档案",
            "出生日期或视同缴费年限需核定时提供",
            necessity="conditional",
            source="other",
            note="档案保管机构",
        ),
    ],
    faqs=[
        faq(
            "延迟退休后什么时候能领养老金？",
            '可在粤省事"退休年龄计算器"查询本人法定退休年龄；也可在满足条件时申请弹性提前'
            "退休，最长不超过三年。",
        )
    ],
)

ITEMS["funeral-grant"] = item(
    "rs",
    6,
    "丧葬补助金和抚恤金申领",
    "Funeral grant and survivors' benefit",
    "05",
    summary="参加基本养老保险的人员因病或非因工死亡的，遗属申领丧葬补助金和抚恤金。",
    conditions="死者生前参加本市职工基本养老保险；申领人为死者的直系亲属或法定继承人。",
    basis="《中华人民共和国社会保险法》第十七条",
    review="核对死亡信息、亲属关系和参保缴费情况，按标准核定待遇。",
    legal=None,
    promised=10,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C10", "C16", towns=True),
    objects=PERSON,
    themes=("bereavement",),
    regions=ALL_TOWNS,
    result="丧葬补助金和抚恤金待遇核定通知",
    popularity=2150,
    materials=[
        m("M-DEATH-CERT"),
        m("M-ID-CARD", req="申领人居民身份证"),
        own(
            "M-KINSHIP-PROOF",
            "亲属关系证明",
            "户口簿、结婚证等可证明关系的材料；可共享核验的免于提交",
            necessity="conditional",
        ),
        m("M-BANK-ACCOUNT"),
    ],
    faqs=[faq("同时符合多种丧葬补助条件能都领吗？", "不能重复领取，只能选择其中一项领取。")],
)

ITEMS["employer-si-deregister"] = item(
    "rs",
    7,
    "单位社会保险注销登记",
    "Employer social insurance deregistration",
    "20",
    summary="用人单位依法终止的，自终止之日起30日内办理社会保险注销登记。",
    conditions="已结清应缴社会保险费、滞纳金和罚款；已为全部职工办理减员。",
    basis="《中华人民共和国社会保险法》第五十七条第三款",
    review="核查欠费和在册职工情况，符合条件的即时注销。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C10", "C16"),
    objects=BIZ,
    themes=("biz-close",),
    result="社会保险注销登记结果",
    popularity=1710,
    materials=[
        m("M-BIZ-LICENCE"),
        own(
            "M-SI-DEREGISTER-FORM",
            "单位社会保险注销申请",
            "在线填写注销原因",
            form="electronic",
            with_form=True,
        ),
    ],
    faqs=[faq("还有职工未减员能注销吗？", "不能。须先为全部职工办理停保减员并结清欠费。")],
)

# An item for officials only (data classification INTERNAL): never shown on the public
# portal, in search or the public API; officials whose clearance reaches it see its guide.
ITEMS["hukou-cross-check"] = item(
    "ga",
    8,
    "户籍信息部门间协查",
    "Household register cross-check between departments",
    "20",
    summary="市直和镇街部门办理业务时，需要核实申请人户籍信息而无法通过数据共享取得的，"
    "可向公安户政部门发起协查。仅供政府工作人员使用。",
    conditions="本市政府部门、镇街行政服务中心工作人员因依法履职需要核实户籍信息。",
    basis="《中华人民共和国户口登记条例》；《广东省政务数据资源共享管理办法（试行）》",
    review="核对协查事由、发起部门和被核查人信息是否完整，按最小必要原则反馈核查结果。",
    legal=None,
    promised=3,
    forms=("online",),
    depth=["1", "2", "3", "4", "5", "6"],
    location="市公安局户政窗口（内部协查通道）",
    objects=("6",),
    result="户籍信息协查反馈单",
    appointment=False,
    express=False,
    materials=[own("M-CROSS-CHECK-FORM", "户籍信息协查函", "加盖发起部门公章", with_form=True)],
    faqs=[
        faq(
            "市民可以申请吗？",
            "不可以。市民本人需要户籍证明的，请办理“户籍证明开具”或在粤省事查询。",
        )
    ],
)
