"""Items for enterprises: registration, permits, tax, building, closing (part 1)."""

from __future__ import annotations

from tongban.demo.catalogue.dsl import (
    ALL_TOWNS,
    FULLY_ONLINE,
    Row,
    at,
    faq,
    item,
)
from tongban.demo.catalogue.materials import m, own

BIZ = ("2", "5")

ITEMS: dict[str, Row] = {}

ITEMS["company-setup"] = item(
    "scjg",
    1,
    "企业设立登记",
    "Company establishment registration",
    "01",
    summary="在中山市设立有限责任公司、股份有限公司及其分支机构，向登记机关申请设立登记，"
    "领取营业执照。可与公章刻制、发票申领、社保和公积金登记一并办理（开办企业一件事）。",
    conditions="名称经自主申报且不与同行业已登记名称相同；有符合章程规定的股东（发起人）；"
    "有公司章程；有公司名称和住所；法定代表人、董事、监事、高级管理人员符合《公司法》规定"
    "的任职资格。",
    basis="《中华人民共和国公司法》第二十九条、第三十条；《中华人民共和国市场主体登记管理条例》"
    "第三条、第十九条；《中华人民共和国市场主体登记管理条例实施细则》第十七条",
    review="核对名称、住所、经营范围、注册资本、股东及出资方式、法定代表人任职资格是否符合"
    "《公司法》和登记管理规定；经营范围按国家经营范围规范目录表述。",
    legal=3,
    legal_note="材料齐全、符合法定形式的当场登记，不能当场登记的3个工作日内登记",
    promised=0,
    forms=("online", "window", "postal"),
    depth=[*FULLY_ONLINE, "7"],
    location=at("C11", "C12", towns=True),
    objects=BIZ,
    themes=("biz-start",),
    regions=ALL_TOWNS,
    result="营业执照",
    popularity=18650,
    kiosk=True,
    materials=[
        own(
            "M-COMPANY-SETUP-FORM",
            "公司登记（备案）申请书",
            "通过广东省市场监管局企业登记系统在线填写并电子签名",
            form="electronic",
            with_form=True,
        ),
        m("M-ARTICLES"),
        own(
            "M-SHAREHOLDER-ID",
            "股东（发起人）主体资格证明",
            "自然人股东提交身份证件，企业股东提交营业执照；本市已登记的免于提交",
            form="copy",
        ),
        own(
            "M-OFFICER-APPOINTMENT",
            "法定代表人、董事、监事和经理的任职文件",
            "股东会决议或董事会决议，由股东或董事签署",
        ),
        m("M-PREMISES", req="实行住所申报承诺制：在线填报住所信息并承诺真实合法，无需另交证明"),
        m("M-AUTH-LETTER", "conditional"),
    ],
    faqs=[
        faq(
            "注册资本需要在成立时实缴吗？",
            "不需要。2024年7月1日起施行的《公司法》第四十七条规定，有限责任公司全体股东认缴"
            "的出资额由股东按照章程规定自公司成立之日起五年内缴足。",
        ),
        faq(
            "可以用住宅作为公司住所吗？",
            "中山实行住所申报承诺制，一般可以登记；但餐饮、娱乐、危险化学品等法律法规禁止在"
            "住宅内从事的经营活动不得以住宅作为经营场所。",
        ),
    ],
)

ITEMS["company-change"] = item(
    "scjg",
    2,
    "企业变更登记",
    "Company change of registration",
    "01",
    summary="企业名称、住所、法定代表人、注册资本、经营范围、股东等登记事项发生变化时申请变更"
    "登记，换发营业执照。",
    conditions="已在本市登记的企业；变更事项已经股东会（股东大会）或董事会依法作出决议；"
    "自作出变更决议或法定变更事项发生之日起30日内申请。",
    basis="《中华人民共和国市场主体登记管理条例》第二十四条、第二十五条；"
    "《中华人民共和国公司法》第三十四条",
    review="核对变更决议的表决程序和签署是否符合章程；变更后的名称、住所、经营范围、"
    "法定代表人任职资格等是否符合登记规定；涉及前置许可的须已取得许可。",
    legal=3,
    legal_note="材料齐全、符合法定形式的当场登记，不能当场登记的3个工作日内登记",
    promised=0,
    forms=("online", "window", "postal"),
    depth=[*FULLY_ONLINE, "7"],
    location=at("C12", towns=True),
    objects=BIZ,
    themes=("biz-change",),
    regions=ALL_TOWNS,
    result="营业执照",
    popularity=9420,
    materials=[
        own(
            "M-COMPANY-CHANGE-FORM",
            "公司变更登记申请书",
            "在线填写，法定代表人电子签名",
            form="electronic",
            with_form=True,
        ),
        own(
            "M-CHANGE-RESOLUTION",
            "变更决议或决定",
            "股东会决议、董事会决议或股东决定，载明变更事项并由相关人员签署",
        ),
        m("M-ARTICLES", "conditional", req="涉及章程记载事项的，提交章程修正案或修改后的章程"),
        m("M-PREMISES", "conditional", req="变更住所的，在线填报新住所信息并承诺"),
        m("M-BIZ-LICENCE"),
    ],
    faqs=[
        faq(
            "变更法定代表人需要原法定代表人签字吗？",
            "不需要。由新任法定代表人签署变更登记申请书，并提交依章程作出的任免决议即可。",
        ),
        faq(
            "超过30日才申请变更会怎样？",
            "登记机关会责令改正；拒不改正的可处1万元以上10万元以下罚款，请及时申请。",
        ),
    ],
)

ITEMS["company-deregister"] = item(
    "scjg",
    3,
    "企业注销登记",
    "Company deregistration",
    "01",
    summary="企业因解散、被宣告破产等终止经营的，在清算完结后申请注销登记；未发生债权债务或"
    "已清偿完毕的可选择简易注销。",
    conditions="已依法完成清算，清算组已通过国家企业信用信息公示系统发布债权人公告满45日"
    "（简易注销为公示20日无异议）；已结清税款并办结社保、公积金注销。",
    basis="《中华人民共和国市场主体登记管理条例》第三十一条、第三十二条、第三十三条；"
    "《中华人民共和国公司法》第二百三十九条",
    review="核对清算报告是否经股东会确认、债权人公告期限是否届满、税务清税信息是否已推送；"
    "简易注销的核对公示期内有无异议。",
    legal=3,
    legal_note="自受理之日起3个工作日内作出决定",
    promised=1,
    promised_note="普通注销1个工作日内办结；简易注销的20日公示期不计入办理时限",
    forms=("online", "window", "postal"),
    depth=FULLY_ONLINE,
    location=at("C12", towns=True),
    objects=BIZ,
    themes=("biz-close",),
    regions=ALL_TOWNS,
    result="准予注销登记通知书",
    popularity=3120,
    special="简易注销公示期（20日）不计入办理时限",
    materials=[
        own(
            "M-DEREGISTER-FORM",
            "企业注销登记申请书",
            "在线填写，法定代表人或清算组负责人签署",
            form="electronic",
            with_form=True,
        ),
        own(
            "M-LIQUIDATION-REPORT",
            "清算报告",
            "经股东会确认并由全体股东或清算组成员签署；简易注销提交全体投资人承诺书",
        ),
        own(
            "M-TAX-CLEARANCE",
            "清税证明",
            "税务部门已通过数据共享推送清税信息的免于提交",
            necessity="conditional",
            source="government",
            note="税务机关出具",
        ),
        m("M-BIZ-LICENCE", req="缴回营业执照正、副本原件；遗失的在线声明作废"),
    ],
    faqs=[
        faq(
            "哪些企业可以简易注销？",
            "未发生债权债务或已将债权债务清偿完结、未发生或已结清清偿费用、职工工资、社会保险"
            "费用和税款的企业，经全体投资人书面承诺，可申请简易注销，公示期20日。",
        ),
    ],
)

ITEMS["sole-trader-setup"] = item(
    "scjg",
    4,
    "个体工商户设立登记",
    "Sole trader registration",
    "01",
    summary="自然人从事工商业经营的，申请个体工商户设立登记，领取营业执照；开办餐饮店、"
    "小店铺最常用。",
    conditions="有经营能力的自然人；有固定的经营场所；经营范围不属于法律法规禁止个体经营的行业。",
    basis="《中华人民共和国市场主体登记管理条例》第二条、第八条、第十九条；"
    "《促进个体工商户发展条例》第八条",
    review="核对经营者身份、名称（可不使用名称）、经营场所和经营范围是否符合规定。",
    legal=3,
    legal_note="材料齐全、符合法定形式的当场登记",
    promised=0,
    forms=("online", "window", "postal"),
    depth=[*FULLY_ONLINE, "7"],
    location=at("C11", "C12", towns=True),
    objects=("1", "5"),
    themes=("biz-start", "work"),
    regions=ALL_TOWNS,
    result="营业执照",
    popularity=15230,
    kiosk=True,
    materials=[
        own(
            "M-SOLE-TRADER-FORM",
            "个体工商户登记（备案）申请书",
            "在线填写并电子签名",
            form="electronic",
            with_form=True,
        ),
        m("M-ID-CARD", req="经营者本人居民身份证"),
        m("M-PREMISES"),
    ],
    faqs=[
        faq(
            "个体工商户可以不起字号名称吗？",
            "可以。个体工商户可以不使用名称，营业执照上将以经营者姓名登记。",
        ),
        faq(
            "个体工商户以后能转为公司吗？",
            '可以直接申请"个转企"，保留原名称字号，相关许可证件可按规定变更。',
        ),
    ],
)

ITEMS["food-business-permit"] = item(
    "scjg",
    5,
    "食品经营许可",
    "Food business permit",
    "01",
    summary="从事食品销售和餐饮服务的经营者，在营业前申请食品经营许可证；仅销售预包装食品的"
    "改为备案。",
    conditions="已取得营业执照；有与经营的食品品种、数量相适应的经营场所和设备设施；"
    "有食品安全管理人员和保证食品安全的规章制度；布局流程合理，能防止交叉污染。",
    basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》"
    "（国家市场监督管理总局令第78号）第十条、第十五条",
    review="审查经营场所面积与经营项目是否匹配，加工操作区布局、设备设施、食品安全管理"
    "制度和人员配备是否符合《食品经营许可审查通则》。",
    inspect="核查餐饮加工制作区、清洗消毒设施、冷藏冷冻设施、防蝇防鼠设施与申请材料是否一致。",
    legal=20,
    legal_note="依据《中华人民共和国行政许可法》第四十二条，20个工作日内作出决定",
    promised=5,
    promised_note="自受理之日起5个工作日内办结；选择告知承诺的当场发证、事后核查",
    forms=("online", "window", "postal"),
    depth=[*FULLY_ONLINE, "7"],
    location=at("C13", towns=True),
    objects=BIZ,
    themes=("biz-permit",),
    regions=ALL_TOWNS,
    result="食品经营许可证",
    popularity=8760,
    materials=[
        own(
            "M-FOOD-PERMIT-FORM",
            "食品经营许可申请书",
            "在线填写经营项目和主体业态",
            form="electronic",
            with_form=True,
        ),
        m("M-BIZ-LICENCE"),
        m("M-FLOOR-PLAN", req="标明加工操作区、就餐区、清洗消毒区和设备位置，比例适当"),
        own(
            "M-FOOD-SAFETY-RULES",
            "食品安全自查、进货查验记录等食品安全管理制度",
            "结合本店经营项目制定，由负责人签字",
        ),
        m("M-COMMITMENT", "conditional"),
    ],
    faqs=[
        faq(
            "只卖预包装食品还需要办许可证吗？",
            "不需要。仅销售预包装食品的，在取得营业执照后办理备案即可。",
        ),
        faq(
            "许可证有效期多长？",
            "食品经营许可证有效期为5年，需延续的应在有效期届满前90个工作日至15个工作日期间申请。",
        ),
    ],
)

ITEMS["special-equipment"] = item(
    "scjg",
    6,
    "特种设备使用登记",
    "Special equipment use registration",
    "01",
    summary="电梯、锅炉、压力容器、起重机械、场（厂）内专用机动车辆等特种设备在投入使用前或"
    "投入使用后30日内办理使用登记。",
    conditions="设备已经监督检验合格（需监督检验的）；使用单位已建立岗位责任、隐患治理、应急"
    "救援等安全管理制度，并配备安全管理人员。",
    basis="《中华人民共和国特种设备安全法》第三十三条；《特种设备使用管理规则》（TSG 08）第3.1条",
    review="核对设备产品合格证、监督检验证明与登记表信息是否一致，使用单位是否明确。",
    legal=15,
    promised=3,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C13"),
    objects=BIZ,
    themes=("biz-operate",),
    result="特种设备使用登记证",
    popularity=2130,
    intermediary="特种设备监督检验（法定检验机构）",
    materials=[
        own(
            "M-EQUIPMENT-REG-FORM",
            "特种设备使用登记表",
            "一式两份，加盖使用单位公章",
            copies=2,
            with_form=True,
        ),
        own(
            "M-EQUIPMENT-CERT",
            "产品合格证和产品数据表",
            "设备制造单位出具",
            form="copy",
            source="other",
            note="制造单位出具",
        ),
        own(
            "M-EQUIPMENT-INSPECTION",
            "监督检验证明",
            "需监督检验的设备提交",
            necessity="conditional",
            form="copy",
            source="intermediary",
            note="特种设备检验机构出具",
        ),
        m("M-BIZ-LICENCE"),
    ],
    faqs=[
        faq(
            "住宅小区的电梯由谁申请使用登记？",
            "由电梯使用单位申请，一般为受委托的物业服务企业；未委托的由产权单位申请。",
        ),
    ],
)

ITEMS["pharmacy-permit"] = item(
    "scjg",
    7,
    "药品零售企业经营许可",
    "Retail pharmacy permit",
    "01",
    summary="开办药店（药品零售企业）须取得药品经营许可证，方可从事药品零售活动。",
    conditions="有依法经过资格认定的药师或者其他药学技术人员；有与所经营药品相适应的营业场所、"
    "设备、仓储设施和卫生环境；有保证药品质量的规章制度和质量管理机构或人员。",
    basis="《中华人民共和国药品管理法》第五十一条、第五十二条；《药品经营和使用质量监督管理"
    "办法》第十五条",
    review="审查执业药师配备、营业场所和仓储条件、质量管理制度是否符合《药品经营质量管理规范》。",
    inspect="核查营业面积、阴凉柜等设施设备、处方药与非处方药分区陈列和计算机管理系统。",
    legal=20,
    promised=10,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C13"),
    objects=BIZ,
    themes=("biz-permit",),
    result="药品经营许可证",
    popularity=640,
    status="draft",
    materials=[
        own(
            "M-PHARMACY-FORM", "药品经营许可证申请表", "在线填写", form="electronic", with_form=True
        ),
        m("M-BIZ-LICENCE"),
        own(
            "M-PHARMACIST-CERT",
            "执业药师注册证",
            "在本企业注册的执业药师",
            form="copy",
            source="government",
            note="药品监督管理部门核发",
        ),
        m("M-FLOOR-PLAN", req="标明处方药区、非处方药区和阴凉区"),
        own("M-QUALITY-SYSTEM", "药品质量管理文件目录", "列明质量管理制度、岗位职责和操作规程"),
    ],
    faqs=[
        faq(
            "新开药店与原有药店的距离有限制吗？",
            "药品管理法律法规未设距离限制，按营业场所、人员和质量管理条件审查。",
        ),
    ],
)

ITEMS["tax-first-registration"] = item(
    "sw",
    1,
    "新办纳税人涉税事项（信息确认）",
    "New taxpayer information confirmation",
    "20",
    summary="新设立的企业和个体工商户领取营业执照后，在电子税务局确认登记信息、财务会计制度、"
    "存款账户等，完成首次涉税事项办理。",
    conditions="已领取加载统一社会信用代码的营业执照；法定代表人或办税人员已完成实名认证。",
    basis="《中华人民共和国税收征收管理法》第十五条；《中华人民共和国税收征收管理法实施细则》"
    "第十二条",
    review="核对市场监管部门共享的登记信息与纳税人补充信息是否一致，确定主管税务机关和税费种。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C11", "C15"),
    objects=BIZ,
    themes=("biz-start", "biz-tax"),
    result="税务事项通知书（纳税人信息确认）",
    popularity=12800,
    kiosk=True,
    materials=[
        m("M-BIZ-LICENCE"),
        own(
            "M-TAXPAYER-INFO",
            "纳税人信息确认表",
            "电子税务局在线确认，无需纸质表",
            form="electronic",
            with_form=True,
        ),
        m("M-COMPANY-ACCOUNT"),
    ],
    faqs=[
        faq(
            "还需要办理税务登记证吗？",
            '不需要。实行"多证合一"后营业执照即具有税务登记证的功能，只需在电子税务局'
            "确认信息即可。",
        )
    ],
)

ITEMS["invoice-type"] = item(
    "sw",
    2,
    "发票票种核定",
    "Invoice type approval",
    "10",
    summary="纳税人首次使用发票或需要调整发票种类、数量时，申请核定可使用的发票（含数电发票）"
    "种类和开具额度。",
    conditions="已完成新办纳税人信息确认；有真实经营业务需要开具发票。",
    basis="《中华人民共和国发票管理办法》第十五条；《中华人民共和国发票管理办法实施细则》第十五条",
    review="依据纳税人经营范围、规模和风险等级核定发票种类和初始开具额度。",
    legal=5,
    legal_note="主管税务机关在5个工作日内确认领用发票的种类、数量和方式",
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C11", "C15"),
    objects=BIZ,
    themes=("biz-start", "biz-tax"),
    result="税务事项通知书（发票票种核定）",
    popularity=9650,
    materials=[m("M-BIZ-LICENCE"), m("M-AGENT-ID", req="办税人员身份证件，已实名认证的免于提交")],
    faqs=[
        faq(
            "新开办企业首次能开多少额度的数电发票？",
            "系统根据纳税人风险等级赋予初始额度，经营中可按实际需要申请调整。",
        )
    ],
)

ITEMS["tax-clearance"] = item(
    "sw",
    3,
    "清税申报（注销税务登记）",
    "Tax clearance before deregistration",
    "20",
    summary="企业注销前向税务机关申报清税，结清应纳税款、滞纳金和罚款，缴销发票，取得清税证明。",
    conditions="已结清应纳税款、滞纳金、罚款；已缴销发票和税控设备；不处于税务检查状态。",
    basis="《中华人民共和国税收征收管理法》第十六条；《中华人民共和国税收征收管理法实施细则》"
    "第十五条",
    review="核查纳税人欠税、未申报、未缴销发票及税务检查情况；符合条件的即时出具清税证明。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C10", "C15"),
    objects=BIZ,
    themes=("biz-close", "biz-tax"),
    result="清税证明",
    popularity=2980,
    materials=[
        own(
            "M-TAX-CLEARANCE-FORM",
            "清税申报表",
            "电子税务局在线填报",
            form="electronic",
            with_form=True,
        ),
        m("M-BIZ-LICENCE"),
    ],
    faqs=[
        faq(
            "从未办理过涉税事项的企业怎样注销？",
            "未办理过涉税事项、无欠税的纳税人免予到税务机关办理清税，可直接向市场监管部门"
            "申请简易注销。",
        )
    ],
)

ITEMS["iit-annual"] = item(
    "sw",
    4,
    "个人所得税综合所得年度汇算",
    "Annual individual income tax reconciliation",
    "20",
    summary="居民个人在次年3月1日至6月30日汇总上一年度工资薪金、劳务报酬、稿酬和特许权使用费"
    "所得，多退少补。",
    conditions="上一年度取得综合所得且需要补税或申请退税的居民个人。",
    basis="《中华人民共和国个人所得税法》第六条、第十一条",
    review="比对申报数据与扣缴义务人申报、专项附加扣除等第三方信息；退税的审核退税账户。",
    legal=None,
    promised=0,
    promised_note="申报即时完成；申请退税的一般在10个工作日内审核",
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C15"),
    objects=("1",),
    themes=("work",),
    result="个人所得税纳税记录",
    popularity=21400,
    materials=[
        own(
            "M-IIT-RETURN",
            "个人所得税年度自行纳税申报表",
            "个人所得税APP预填报、确认提交",
            form="electronic",
            with_form=True,
        ),
        m("M-BANK-ACCOUNT", "conditional", req="申请退税的填写本人境内银行账户"),
    ],
    faqs=[
        faq(
            "收入不超过12万元需要补税吗？",
            "综合所得年收入不超过12万元且需要补税的，或补税金额不超过400元的，免予办理汇算补税。",
        )
    ],
)

ITEMS["resident-medical-premium"] = item(
    "sw",
    5,
    "城乡居民基本医疗保险费缴纳",
    "Paying resident medical insurance premiums",
    "04",
    summary='已参加城乡居民医保的人员每年缴纳下一年度个人缴费部分；新生儿出生后可在"一件事"'
    "中一并缴费。",
    conditions="已办理城乡居民基本医疗保险参保登记。",
    basis="《中华人民共和国社会保险法》第二十五条、第五十九条",
    review="核对参保登记信息和资助对象身份，按年度标准计算应缴金额。",
    legal=None,
    promised=0,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C15", "C17", towns=True),
    objects=("1",),
    themes=("birth", "health"),
    regions=ALL_TOWNS,
    result="社会保险费缴费凭证",
    popularity=30250,
    fees=[
        {
            "name": "城乡居民基本医疗保险费（个人缴费）",
            "standard": "按年度缴费标准，2026年度每人每年400元（以当年公布为准）",
            "amount_fen": 40000,
            "basis": "《中华人民共和国社会保险法》第二十五条；中山市年度城乡居民医保缴费通告",
            "can_reduce": True,
            "reduce_basis": "特困人员、低保对象等困难群众的个人缴费由医疗救助按规定资助",
        }
    ],
    materials=[m("M-ID-CARD", req="缴费人居民身份证或社会保障卡；新生儿使用户口簿信息")],
    faqs=[
        faq(
            "可以用微信缴费吗？",
            '可以。通过"粤税通"小程序、粤省事或银行渠道缴纳，缴费后即时生成电子凭证。',
        )
    ],
)
