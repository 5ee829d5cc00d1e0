"""Items for enterprises: fire safety, signs, building, environment, transport (part 2)."""

from __future__ import annotations

from tongban.demo.catalogue.dsl import (
    ALL_TOWNS,
    FULLY_ONLINE,
    ONLINE_ACCEPT,
    Row,
    at,
    faq,
    item,
)
from tongban.demo.catalogue.materials import m, own

BIZ = ("2", "5")

ITEMS: dict[str, Row] = {}

ITEMS["fire-safety-check"] = item(
    "xf",
    1,
    "公众聚集场所投入使用、营业前消防安全检查",
    "Fire safety inspection before a public venue opens",
    "01",
    summary="宾馆、饭店、商场、娱乐场所等公众聚集场所在投入使用、营业前，向消防救援机构申请"
    "消防安全检查。",
    conditions="场所已依法通过消防验收或备案（需要的）；消防设施、器材完好有效；疏散通道、"
    "安全出口畅通；已建立消防安全制度并开展员工培训。",
    basis="《中华人民共和国消防法》第十五条、第七十三条；《公众聚集场所投入使用、营业消防安全"
    "检查规则》第五条",
    review="审查申请人作出的承诺和材料是否完整，场所用途与建筑消防设计是否一致。",
    inspect="对照消防技术标准检查疏散通道、安全出口、消防设施和器材、电气线路及员工消防"
    "安全培训情况。",
    legal=10,
    promised=5,
    promised_note="选择告知承诺方式的当场作出许可；不采用告知承诺的5个工作日内检查并决定",
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C25"),
    objects=BIZ,
    themes=("biz-permit",),
    result="公众聚集场所投入使用、营业消防安全检查合格证",
    popularity=4210,
    materials=[
        own(
            "M-FIRE-CHECK-FORM",
            "公众聚集场所投入使用、营业消防安全检查申请表",
            "在线填写场所名称、地址、面积和用途",
            form="electronic",
            with_form=True,
        ),
        m("M-COMMITMENT", "conditional"),
        m("M-BIZ-LICENCE"),
        m("M-FLOOR-PLAN", req="标明疏散通道、安全出口、消防设施和器材的位置"),
        own("M-FIRE-SAFETY-RULES", "消防安全制度、灭火和应急疏散预案", "由场所负责人签字"),
    ],
    faqs=[
        faq(
            "面积不大的餐饮店也要申请吗？",
            "要。《消防法》第七十三条将饭店列为公众聚集场所，营业前均应申请检查，可选择告知"
            "承诺方式当场取证。",
        )
    ],
)

ITEMS["signboard"] = item(
    "cg",
    1,
    "户外广告设施和招牌设置审批",
    "Outdoor advertising and shop sign approval",
    "01",
    summary="在建筑物外立面、屋顶或城市道路沿线设置户外广告设施和大型招牌，须经城市管理部门批准。",
    conditions="设置位置符合户外广告设施设置规划；设施结构安全；不影响交通安全、消防疏散和"
    "市容景观。",
    basis="《城市市容和环境卫生管理条例》第十一条；《中华人民共和国广告法》第四十一条",
    review="审查设置位置、尺寸、材质和照明方式是否符合设置规划和技术规范。",
    inspect="现场核对设置点位、建筑外立面和周边环境，确认与效果图一致。",
    legal=20,
    promised=5,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C25"),
    objects=BIZ,
    themes=("biz-permit", "biz-operate"),
    result="户外广告设施设置许可决定书",
    popularity=1870,
    materials=[
        own(
            "M-SIGN-FORM",
            "户外广告设施（招牌）设置申请表",
            "在线填写",
            form="electronic",
            with_form=True,
        ),
        m("M-BIZ-LICENCE"),
        own(
            "M-SIGN-DESIGN",
            "设计效果图和结构图",
            "标明位置、尺寸、材质和照明方式；大型设施附结构安全计算书",
        ),
        m("M-PREMISES", req="设置场地的使用权证明或业主同意书"),
    ],
    faqs=[
        faq(
            "门店门楣上的普通招牌也要审批吗？",
            "在本店门楣设置、不超出建筑外立面且符合招牌设置规范的一般招牌实行告知承诺备案，"
            "大型户外广告和屋顶招牌须审批。",
        )
    ],
)

ITEMS["construction-waste"] = item(
    "cg",
    2,
    "城市建筑垃圾处置核准",
    "Construction waste disposal approval",
    "01",
    summary="建设、施工单位和运输单位处置建筑垃圾前，申请核准处置方式、运输线路和消纳场所。",
    conditions="有建筑垃圾分类处置方案和消纳去向；运输车辆密闭并安装卫星定位装置；运输单位"
    "具备道路运输经营资格。",
    basis="《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）第101项；"
    "《城市建筑垃圾管理规定》（建设部令第139号）第七条",
    review="审查处置方案、运输车辆和消纳场所是否满足要求。",
    legal=20,
    promised=5,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C25"),
    objects=("2",),
    themes=("biz-build",),
    result="建筑垃圾处置核准证",
    popularity=520,
    status="draft",
    materials=[
        own(
            "M-WASTE-FORM", "建筑垃圾处置核准申请表", "在线填写", form="electronic", with_form=True
        ),
        own("M-WASTE-PLAN", "建筑垃圾处置方案", "含产生量、运输线路和消纳场所"),
        own(
            "M-WASTE-VEHICLES", "运输车辆清单及行驶证", "车辆须密闭并安装卫星定位装置", form="copy"
        ),
    ],
    faqs=[
        faq(
            "装修产生的少量建筑垃圾需要核准吗？",
            "居民个人装修垃圾按小区物业指定地点堆放、由专门单位清运，无需个人申请核准。",
        )
    ],
)

ITEMS["construction-permit"] = item(
    "zj",
    1,
    "建筑工程施工许可证核发",
    "Building construction permit",
    "01",
    summary="房屋建筑和市政基础设施工程开工前，建设单位申请领取施工许可证。",
    conditions="已办理用地批准手续；已取得建设工程规划许可证；已确定施工企业；有满足施工需要"
    "的资金安排和施工图纸；有保证工程质量和安全的具体措施。",
    basis="《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》"
    "（住房和城乡建设部令第18号）第四条、第六条",
    review="核对规划许可、施工合同、施工图审查意见、质量安全措施是否齐备并与项目一致。",
    legal=7,
    legal_note="自收到申请之日起7日内作出决定",
    promised=3,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C21"),
    objects=("2", "3"),
    themes=("biz-build",),
    result="建筑工程施工许可证",
    popularity=1340,
    materials=[
        own(
            "M-CONSTRUCTION-FORM",
            "建筑工程施工许可申请表",
            "在线填写",
            form="electronic",
            with_form=True,
        ),
        m("M-PLAN-PERMIT"),
        own("M-CONSTRUCTION-CONTRACT", "施工合同", "已确定施工企业的合同", form="copy"),
        own("M-FUNDS-COMMIT", "建设资金已落实承诺书", "建设单位法定代表人签署"),
    ],
    faqs=[
        faq(
            "小型工程也需要施工许可证吗？",
            "工程投资额在30万元以下或建筑面积在300平方米以下的建筑工程可以不申请施工许可证。",
        )
    ],
)

ITEMS["drainage-permit"] = item(
    "zj",
    2,
    "城镇污水排入排水管网许可",
    "Permit to discharge wastewater into sewers",
    "01",
    summary="餐饮、洗车、医疗、工业等排水户向城镇排水设施排放污水前，申请排水许可证。",
    conditions="排放口设置符合规划；按规定建设隔油池、沉淀池等预处理设施；排放水质符合国家和"
    "地方标准；设置专用检测井。",
    basis="《城镇排水与污水处理条例》第二十一条；《城镇污水排入排水管网许可管理办法》"
    "（住房和城乡建设部令第21号）第四条、第八条",
    review="审查排水户类别、排水量、排放口位置和预处理设施是否满足要求。",
    inspect="现场核查隔油设施、检测井和排放口与图纸是否一致。",
    legal=15,
    promised=5,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C21"),
    objects=BIZ,
    themes=("biz-permit", "biz-build"),
    result="城镇污水排入排水管网许可证",
    popularity=2260,
    materials=[
        own(
            "M-DRAINAGE-FORM",
            "城镇污水排入排水管网许可申请表",
            "在线填写",
            form="electronic",
            with_form=True,
        ),
        m("M-BIZ-LICENCE"),
        own("M-DRAINAGE-PLAN", "排水管网和检测井位置图", "标明排放口位置、口径和预处理设施"),
        m("M-COMMITMENT", "conditional"),
    ],
    faqs=[
        faq(
            "餐饮店一定要装隔油池吗？",
            "是的。餐饮排水户须设置隔油设施并定期清掏，这是核发排水许可的条件之一。",
        )
    ],
)

ITEMS["public-rental"] = item(
    "zj",
    3,
    "公共租赁住房保障申请",
    "Public rental housing application",
    "05",
    summary="本市住房困难的低收入家庭和符合条件的新市民，申请公共租赁住房实物配租或租赁补贴。",
    conditions="家庭人均收入和财产符合本年度准入标准；在本市无自有住房或人均住房面积低于"
    "规定标准；非本市户籍的持有居住证并连续缴纳社会保险满规定年限。",
    basis="《公共租赁住房管理办法》（住房和城乡建设部令第11号）第七条、第九条",
    review="镇街初审、入户调查并公示；住建部门复核家庭收入、财产和住房情况。",
    legal=None,
    promised=20,
    forms=("online", "window"),
    visits=1,
    reason="须本人到镇街窗口签署家庭经济状况核查授权并核验原件",
    depth=ONLINE_ACCEPT,
    location=at("C21", towns=True),
    objects=("1",),
    themes=("housing", "assistance"),
    regions=ALL_TOWNS,
    result="公共租赁住房保障资格确认通知书",
    popularity=2890,
    special="公示期（7日）不计入办理时限",
    materials=[
        own("M-RENTAL-FORM", "公共租赁住房申请表", "共同申请的家庭成员均须签名", with_form=True),
        m("M-ID-CARD", req="申请人及共同申请家庭成员的居民身份证"),
        m("M-RESIDENCE-PERMIT", "conditional"),
        m("M-INCOME-DECL"),
    ],
    faqs=[
        faq(
            "外来务工人员可以申请吗？",
            "可以。持有本市居住证并连续缴纳社会保险满当年度规定年限的新市民可申请，具体以"
            "当年公布的准入条件为准。",
        )
    ],
)

ITEMS["planning-permit"] = item(
    "zrzy",
    1,
    "建设工程规划许可证核发",
    "Construction planning permit",
    "01",
    summary="在城市、镇规划区内进行建筑物、构筑物、道路、管线等工程建设，申请建设工程规划许可证。",
    conditions="已取得土地使用权；建设工程设计方案符合控制性详细规划和规划条件。",
    basis="《中华人民共和国城乡规划法》第四十条、第五十条",
    review="审查设计方案总平面图的容积率、建筑密度、绿地率、退线、高度是否符合规划条件。",
    legal=20,
    promised=10,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C20"),
    objects=("2", "3"),
    themes=("biz-build",),
    result="建设工程规划许可证",
    popularity=980,
    materials=[
        own(
            "M-PLANNING-FORM",
            "建设工程规划许可申请表",
            "在线填写",
            form="electronic",
            with_form=True,
        ),
        m("M-LAND-USE"),
        own(
            "M-DESIGN-SCHEME",
            "建设工程设计方案",
            "总平面图及建筑单体平、立、剖面图，电子版",
            form="electronic",
        ),
        m("M-BIZ-LICENCE"),
    ],
    faqs=[
        faq(
            "已批准的设计方案还能修改吗？",
            "总平面图不得随意修改；确需修改的，规划部门将采取听证会等形式听取利害关系人"
            "意见后再作决定。",
        )
    ],
)

ITEMS["property-transfer"] = item(
    "zrzy",
    2,
    "不动产转移登记（二手房买卖）",
    "Property transfer registration (resale)",
    "07",
    summary="买卖二手房屋，买卖双方共同申请不动产转移登记，买方领取不动产权证书；可与税费"
    "缴纳、水电气过户一并办理。",
    conditions="房屋已办理首次登记；未被查封；设有抵押的已经抵押权人同意（带押过户）；已签订"
    "网签备案的买卖合同并完税。",
    basis="《不动产登记暂行条例》第三条、第十四条、第二十条；《中华人民共和国民法典》第二百"
    "零九条、第四百零六条",
    review="查验权属状况、查封抵押情况、申请人身份和意愿、税费缴纳信息，询问买卖双方。",
    legal=30,
    legal_note="自受理登记申请之日起30个工作日内办结",
    promised=1,
    promised_note="自受理之日起1个工作日内办结，具备条件的即时办结",
    forms=("online", "window"),
    visits=1,
    reason="买卖双方须到场核验身份、签署询问笔录（可预约远程视频核验）",
    depth=ONLINE_ACCEPT,
    location=at("C20", towns=True),
    objects=("1",),
    themes=("housing",),
    regions=ALL_TOWNS,
    result="不动产权证书",
    popularity=14620,
    fees=[
        {
            "name": "不动产登记费（住宅）",
            "standard": "80元/件",
            "amount_fen": 8000,
            "basis": "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》"
            "（发改价格规〔2016〕2559号）",
            "can_reduce": True,
            "reduce_basis": "小微企业和个体工商户等按规定免收；每增加一本证书加收工本费10元",
        }
    ],
    materials=[
        own("M-PROPERTY-REG-FORM", "不动产登记申请书", "买卖双方共同签名", with_form=True),
        m("M-ID-CARD", req="买卖双方的居民身份证"),
        m("M-PROPERTY-CERT"),
        m("M-SALE-CONTRACT"),
        m("M-MARRIAGE-CERT", "conditional", req="卖方已婚的，提交结婚证以确认共有人"),
    ],
    faqs=[
        faq(
            "房子还有贷款没还清，可以过户吗？",
            '可以办理"带押过户"：经抵押权人同意，无需先还清贷款，转移登记与新的抵押登记同时办理。',
        )
    ],
)

ITEMS["eia-report"] = item(
    "sthj",
    1,
    "建设项目环境影响报告表审批",
    "Environmental impact report form approval",
    "01",
    summary="按《建设项目环境影响评价分类管理名录》需编制环境影响报告表的建设项目，开工前报批。",
    conditions="项目符合生态环境分区管控要求和产业政策；已委托编制单位编制报告表；"
    "污染防治措施可行。",
    basis="《中华人民共和国环境影响评价法》第二十二条、第二十五条",
    review="技术评估后审查项目选址、污染物排放和防治措施、环境风险是否可接受。",
    legal=30,
    legal_unit="calendar_days",
    legal_note="自收到报告表之日起30日内作出审批决定",
    promised=10,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C23"),
    objects=("2", "3"),
    themes=("biz-build",),
    result="关于建设项目环境影响报告表的批复",
    popularity=760,
    special="技术评估（专家评审）时间不计入办理时限",
    intermediary="环境影响报告表编制（申请人自主选择编制单位）",
    materials=[
        own(
            "M-EIA-APPLICATION",
            "建设项目环境影响评价文件报批申请书",
            "加盖建设单位公章",
            with_form=True,
        ),
        own(
            "M-EIA-REPORT",
            "建设项目环境影响报告表",
            "全本及删除涉密内容的公开版本",
            source="intermediary",
            note="环评编制单位编制",
        ),
        m("M-BIZ-LICENCE"),
    ],
    faqs=[
        faq(
            "怎么知道项目要做报告书、报告表还是登记表？",
            "按《建设项目环境影响评价分类管理名录（2021年版）》确定；登记表项目在线备案即可。",
        )
    ],
)

ITEMS["pollutant-permit"] = item(
    "sthj",
    2,
    "排污许可证核发",
    "Pollutant discharge permit",
    "01",
    summary="纳入排污许可重点管理和简化管理的排污单位，排放污染物前申请排污许可证。",
    conditions="依法取得环评批复或备案；污染防治设施和排放口符合要求；自行监测方案符合规范。",
    basis="《排污许可管理条例》（国务院令第736号）第六条、第八条、第十一条",
    review="审查排放口、排放浓度和总量、自行监测方案及守法承诺是否符合条例和技术规范。",
    legal=20,
    legal_note="简化管理20日，重点管理30日（不含现场核查时间）",
    promised=10,
    forms=("online",),
    depth=FULLY_ONLINE,
    location="全国排污许可证管理信息平台在线申请；咨询可到" + at("C23"),
    objects=("2",),
    themes=("biz-permit",),
    result="排污许可证",
    popularity=890,
    materials=[
        own(
            "M-POLLUTANT-FORM",
            "排污许可证申请表",
            "在全国排污许可证管理信息平台填报",
            form="electronic",
            with_form=True,
        ),
        own("M-MONITORING-PLAN", "自行监测方案", "含监测点位、指标和频次", form="electronic"),
        m("M-COMMITMENT", req="守法承诺书，由法定代表人签署"),
    ],
    faqs=[
        faq(
            "排放量很小的企业也要申请许可证吗？",
            "污染物产生量、排放量和环境影响很小的，实行排污登记管理，在平台填报排污登记表"
            "即可，不需申请许可证。",
        )
    ],
)

ITEMS["investment-filing"] = item(
    "fg",
    1,
    "企业投资项目备案",
    "Enterprise investment project filing",
    "10",
    summary="企业在本市投资建设不属于核准目录的固定资产投资项目，开工前通过在线平台备案。",
    conditions="项目不属于《政府核准的投资项目目录》；不属于产业政策禁止投资建设的项目。",
    basis="《企业投资项目核准和备案管理条例》（国务院令第673号）第十三条、第十四条",
    review="核对备案信息是否完整，项目是否属于产业政策禁止类或需核准的项目。",
    legal=None,
    promised=0,
    forms=("online",),
    depth=[*FULLY_ONLINE, "7"],
    location="广东省投资项目在线审批监管平台在线办理；咨询可到" + at("C25"),
    objects=("2",),
    themes=("biz-build",),
    result="广东省企业投资项目备案证",
    popularity=1560,
    appointment=False,
    express=False,
    materials=[
        own(
            "M-PROJECT-INFO",
            "项目备案信息表",
            "在线填写项目名称、地点、规模、内容和总投资",
            form="electronic",
            with_form=True,
        ),
        m("M-BIZ-LICENCE"),
        m("M-COMMITMENT", req="对备案信息真实性作出承诺"),
    ],
    faqs=[
        faq(
            "备案后项目信息变了怎么办？",
            "项目法人、建设地点、规模、内容发生较大变更或放弃建设的，应当通过平台及时告知"
            "备案机关并修改备案信息。",
        )
    ],
)

ITEMS["freight-permit"] = item(
    "jt",
    1,
    "道路货物运输经营许可",
    "Road freight transport permit",
    "01",
    summary="使用总质量4.5吨以上普通货运车辆从事道路货物运输经营，申请道路运输经营许可证。",
    conditions="有与经营相适应并经检测合格的车辆；有符合条件的驾驶人员；有健全的安全生产管理制度。",
    basis="《中华人民共和国道路运输条例》第二十一条、第二十四条",
    review="审查车辆技术条件、驾驶人员从业资格和安全生产管理制度。",
    legal=20,
    promised=5,
    forms=("online", "window"),
    depth=FULLY_ONLINE,
    location=at("C23"),
    objects=BIZ,
    themes=("biz-permit",),
    result="道路运输经营许可证",
    popularity=1180,
    materials=[
        own(
            "M-FREIGHT-FORM",
            "道路货物运输经营申请表",
            "在线填写",
            form="electronic",
            with_form=True,
        ),
        own(
            "M-VEHICLE-LICENCE",
            "机动车行驶证",
            "拟投入车辆的行驶证",
            form="copy",
            source="government",
            note="公安交通管理部门核发",
        ),
        own(
            "M-DRIVER-QUALIFICATION",
            "驾驶人员从业资格证",
            "聘用驾驶员的从业资格证",
            form="copy",
            source="government",
            note="交通运输部门核发",
        ),
        own("M-TRANSPORT-SAFETY", "安全生产管理制度文本", "含安全责任、驾驶员和车辆管理制度"),
    ],
    faqs=[
        faq(
            "用4.5吨以下的货车拉货需要办许可证吗？",
            "不需要。使用总质量4500千克及以下普通货运车辆从事普通货运经营的，无需取得道路"
            "运输经营许可证和车辆营运证。",
        )
    ],
)

ITEMS["ride-hailing-permit"] = item(
    "jt",
    2,
    "网络预约出租汽车运输证核发",
    "Ride-hailing vehicle transport permit",
    "01",
    summary="拟从事网约车经营的车辆，由车辆所有人或平台公司申请《网络预约出租汽车运输证》。",
    conditions="7座及以下乘用车；安装具有行驶记录功能的车辆卫星定位装置和应急报警装置；"
    "车辆技术性能符合运营安全要求及本市车辆标准。",
    basis="《网络预约出租汽车经营服务管理暂行办法》第十二条、第十三条",
    review="审查车辆登记信息、车辆标准和平台接入情况。",
    inspect="在指定地点查验车辆外观、座位数、卫星定位和应急报警装置。",
    legal=20,
    promised=5,
    forms=("online", "window"),
    visits=1,
    reason="车辆须开到指定地点接受现场查验",
    depth=ONLINE_ACCEPT,
    location=at("C23"),
    objects=("1", "2"),
    themes=("travel", "work", "biz-permit"),
    result="网络预约出租汽车运输证",
    popularity=2470,
    materials=[
        own("M-RIDE-HAILING-FORM", "网络预约出租汽车运输证申请表", "在线填写", with_form=True),
        m("M-ID-CARD", req="车辆所有人的居民身份证"),
        own(
            "M-VEHICLE-LICENCE",
            "机动车行驶证",
            "车辆使用性质登记为预约出租客运",
            form="copy",
            source="government",
            note="公安交通管理部门核发",
        ),
        own(
            "M-PLATFORM-ACCESS",
            "网约车平台接入证明",
            "平台公司出具",
            source="other",
            note="网约车平台公司出具",
        ),
    ],
    faqs=[
        faq(
            "燃油车可以申请吗？",
            "本市新增网约车须为新能源汽车，具体车辆标准以本市网约车管理实施细则为准。",
        )
    ],
)
