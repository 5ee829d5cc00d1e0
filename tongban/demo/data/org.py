"""Municipal departments, the city service centre with its windows, and town centres.

Credit codes are invented (``11`` = government body, region 442000, a GB 11714-valid
organisation code) and phone numbers are plausible 0760 numbers, not the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.demo.ids import uscc


@dataclass(frozen=True)
class DepartmentData:
    num: int
    code: str
    name: str
    short_name: str
    name_en: str
    address: str
    phone: str
    complaint_phone: str
    site: str
    description: str
    kind: str = "government"
    authority: str = "11"

    @property
    def uscc(self) -> str:
        return uscc(self.authority, "442000", f"{707100 + self.num * 37:08d}")


D = DepartmentData
DEPARTMENTS: list[DepartmentData] = [
    D(
        1,
        "zssj",
        "中山市政务服务和数据管理局",
        "市政务和数据局",
        "Government Services and Data Administration Bureau",
        "东区博爱六路22号",
        "0760-89817000",
        "0760-89989215",
        "zsjzsj",
        "统筹全市政务服务、一件事集成改革、数据资源管理与数字政府建设。",
    ),
    D(
        2,
        "fg",
        "中山市发展和改革局",
        "市发展改革局",
        "Development and Reform Bureau",
        "东区松苑路1号",
        "0760-88316201",
        "0760-88316299",
        "zsdpc",
        "拟订经济社会发展规划，负责企业投资项目核准和备案管理。",
    ),
    D(
        3,
        "jy",
        "中山市教育和体育局",
        "市教育体育局",
        "Education and Sports Bureau",
        "东区松苑路1号",
        "0760-89817133",
        "0760-88327520",
        "zsjtj",
        "主管全市教育和体育事业，负责义务教育招生、教师资格认定与民办教育审批。",
    ),
    D(
        4,
        "mz",
        "中山市民政局",
        "市民政局",
        "Civil Affairs Bureau",
        "东区起湾道25号",
        "0760-88322103",
        "0760-88322190",
        "zsmz",
        "负责婚姻登记、社会救助、社会组织登记、养老服务和殡葬管理。",
    ),
    D(
        5,
        "sf",
        "中山市司法局",
        "市司法局",
        "Justice Bureau",
        "东区银湾东路5号",
        "0760-88339148",
        "0760-88339100",
        "zssfj",
        "负责法律援助、人民调解、公证和律师工作管理及普法。",
    ),
    D(
        6,
        "zrzy",
        "中山市自然资源局",
        "市自然资源局",
        "Natural Resources Bureau",
        "东区兴中道18号",
        "0760-88346207",
        "0760-88346333",
        "zrzyj",
        "负责国土空间规划、用地与工程规划许可、不动产登记。",
    ),
    D(
        7,
        "sthj",
        "中山市生态环境局",
        "市生态环境局",
        "Ecology and Environment Bureau",
        "东区博爱七路68号",
        "0760-89892601",
        "0760-12369",
        "zssthjj",
        "负责建设项目环境影响评价审批、排污许可和生态环境监管。",
    ),
    D(
        8,
        "zj",
        "中山市住房和城乡建设局",
        "市住房城乡建设局",
        "Housing and Urban-Rural Development Bureau",
        "东区中山四路88号",
        "0760-88326511",
        "0760-88326599",
        "zszjj",
        "负责建筑工程施工许可、城镇排水许可、住房保障和房地产市场监管。",
    ),
    D(
        9,
        "jt",
        "中山市交通运输局",
        "市交通运输局",
        "Transport Bureau",
        "东区博爱六路36号",
        "0760-88313622",
        "0760-88313600",
        "zsjtj",
        "负责道路运输经营许可、网约车与出租车管理及交通基础设施建设。",
    ),
    D(
        10,
        "nync",
        "中山市农业农村局",
        "市农业农村局",
        "Agriculture and Rural Affairs Bureau",
        "东区松苑路1号",
        "0760-88318862",
        "0760-88318800",
        "zsnyj",
        "负责农药经营许可、动物防疫和农村经营管理。",
    ),
    D(
        11,
        "shangwu",
        "中山市商务局",
        "市商务局",
        "Commerce Bureau",
        "东区松苑路1号",
        "0760-88318571",
        "0760-88318500",
        "zsswj",
        "负责内外贸易与消费促进，组织汽车以旧换新等消费补贴，监管单用途预付卡。",
    ),
    D(
        12,
        "wgl",
        "中山市文化广电旅游局",
        "市文化广电旅游局",
        "Culture, Radio, Television and Tourism Bureau",
        "东区松苑路1号",
        "0760-88329132",
        "0760-88329100",
        "zswgl",
        "负责娱乐场所与营业性演出许可、公共文化服务和旅游市场管理。",
    ),
    D(
        13,
        "wj",
        "中山市卫生健康局",
        "市卫生健康局",
        "Health Bureau",
        "东区松苑路1号",
        "0760-89892311",
        "0760-89892300",
        "zswsjkj",
        "负责医疗机构与医师执业管理、公共场所卫生许可、妇幼健康和预防接种。",
    ),
    D(
        14,
        "tyjr",
        "中山市退役军人事务局",
        "市退役军人事务局",
        "Veterans Affairs Bureau",
        "东区中山四路2号",
        "0760-88311601",
        "0760-88311600",
        "zstyjrswj",
        "负责退役军人移交安置、优待抚恤和褒扬纪念。",
    ),
    D(
        15,
        "yj",
        "中山市应急管理局",
        "市应急管理局",
        "Emergency Management Bureau",
        "东区兴中道20号",
        "0760-88316511",
        "0760-88316500",
        "zsajj",
        "负责安全生产综合监管、危险化学品经营许可和防灾减灾。",
    ),
    D(
        16,
        "scjg",
        "中山市市场监督管理局",
        "市市场监管局",
        "Market Regulation Bureau",
        "东区博爱六路22号",
        "0760-89892111",
        "0760-12315",
        "zszjj",
        "负责经营主体登记注册、食品药品经营许可、特种设备安全和知识产权保护。",
    ),
    D(
        17,
        "yb",
        "中山市医疗保障局",
        "市医保局",
        "Healthcare Security Bureau",
        "东区博爱六路22号",
        "0760-89817211",
        "0760-89817200",
        "zsybj",
        "负责医疗保险参保登记、待遇核定、异地就医和医保基金监管。",
    ),
    D(
        18,
        "cg",
        "中山市城市管理和综合执法局",
        "市城管执法局",
        "Urban Management and Law Enforcement Bureau",
        "东区起湾道8号",
        "0760-88331219",
        "0760-88331200",
        "zscgj",
        "负责户外广告与招牌设置、建筑垃圾处置核准、市容环境卫生和综合执法。",
    ),
    D(
        19,
        "rs",
        "中山市人力资源和社会保障局",
        "市人力资源社会保障局",
        "Human Resources and Social Security Bureau",
        "东区博爱六路22号",
        "0760-12333",
        "0760-88311399",
        "zshrss",
        "负责就业创业、社会保险登记与待遇、社会保障卡和劳动关系。",
    ),
    D(
        20,
        "ga",
        "中山市公安局",
        "市公安局",
        "Public Security Bureau",
        "东区中山四路66号",
        "0760-88898110",
        "0760-88898000",
        "zsga",
        "负责户籍、居民身份证、出入境证件、机动车驾驶人管理和印章治安管理。",
    ),
    D(
        21,
        "sw",
        "国家税务总局中山市税务局",
        "市税务局",
        "Zhongshan Tax Service, State Taxation Administration",
        "东区中山五路1号",
        "0760-12366",
        "0760-88386000",
        "guangdong.chinatax",
        "负责税费征收管理、纳税服务和社会保险费、医疗保险费征收。",
        kind="vertical",
    ),
    D(
        22,
        "xf",
        "中山市消防救援支队",
        "市消防救援支队",
        "Fire and Rescue Detachment",
        "东区博爱五路17号",
        "0760-88386119",
        "0760-88386100",
        "zsxf",
        "负责公众聚集场所投入使用、营业前消防安全检查和消防监督。",
        kind="vertical",
    ),
    D(
        23,
        "gjj",
        "中山市住房公积金管理中心",
        "市公积金中心",
        "Housing Provident Fund Centre",
        "东区博爱六路22号",
        "0760-12329",
        "0760-88883600",
        "zsgjj",
        "负责住房公积金缴存登记、提取和个人住房贷款。",
        kind="public_service",
        authority="12",
    ),
    D(
        24,
        "cl",
        "中山市残疾人联合会",
        "市残联",
        "Disabled Persons' Federation",
        "东区中山四路53号",
        "0760-88313880",
        "0760-88313800",
        "zsdpf",
        "负责残疾人证核发、残疾人康复、就业和权益保障服务。",
        kind="public_service",
        authority="51",
    ),
]

CENTRE_ADDRESS = "中山市东区博爱六路22号"
CENTRE_ADDRESS_EN = "22 Bo'ai 6th Road, East District, Zhongshan"
CENTRE_HOURS = "周一至周五 上午9:00—12:00，下午13:30—17:00（法定节假日除外）"
CENTRE_HOURS_EN = "Monday to Friday, 9am to 12 noon and 1:30pm to 5pm (closed on public holidays)"
CENTRE = {
    "name": "中山市行政服务中心",
    "name_en": "Zhongshan City Administrative Service Centre",
    "region": "442000",
    "address": CENTRE_ADDRESS,
    "address_en": CENTRE_ADDRESS_EN,
    "opening_hours": CENTRE_HOURS,
    "opening_hours_en": CENTRE_HOURS_EN,
    "phone": "0760-89817100",
    "transit": '乘公交至"市行政服务中心"站下车；中心设无障碍通道和母婴室，提供免费停车位。',
    "transit_en": "Take a bus to the City Administrative Service Centre stop. The centre has "
    "step-free access, a baby care room and free parking.",
}

# (number, name, English name, department code or "", comprehensive?)
CENTRE_WINDOWS: list[tuple[str, str, str, str, bool]] = [
    ("C10", "一件事综合窗口", "One-thing comprehensive window", "zssj", True),
    ("C11", "企业开办专区", "Business start-up counter", "zssj", True),
    ("C12", "市场监管 登记注册", "Market regulation: registration", "scjg", False),
    ("C13", "市场监管 许可审批", "Market regulation: permits", "scjg", False),
    ("C14", "公安 户政与出入境", "Public security: household register and travel", "ga", False),
    ("C15", "税务", "Tax", "sw", False),
    ("C16", "人力资源和社会保障", "Human resources and social security", "rs", False),
    ("C17", "医疗保障", "Healthcare security", "yb", False),
    ("C18", "卫生健康", "Health", "wj", False),
    ("C19", "教育和体育", "Education and sports", "jy", False),
    (
        "C20",
        "自然资源与不动产登记",
        "Natural resources and real estate registration",
        "zrzy",
        False,
    ),
    ("C21", "住房和城乡建设", "Housing and construction", "zj", False),
    ("C22", "住房公积金", "Housing provident fund", "gjj", False),
    ("C23", "交通运输与生态环境", "Transport and environment", "jt", False),
    ("C24", "民政、残联与退役军人", "Civil affairs, disability and veterans", "mz", False),
    ("C25", "无差别综合受理", "General counter for all other departments", "zssj", True),
]

TOWN_HALL_HOURS = "周一至周五 上午8:30—12:00，下午14:00—17:30（法定节假日除外）"
TOWN_HALL_HOURS_EN = (
    "Monday to Friday, 8:30am to 12 noon and 2pm to 5:30pm (closed on public holidays)"
)
# (region code, name, English name, address, phone)
TOWN_HALLS: list[tuple[str, str, str, str, str]] = [
    (
        "442000100000",
        "小榄镇行政服务中心",
        "Xiaolan Administrative Service Centre",
        "中山市小榄镇升平中路8号",
        "0760-22101234",
    ),
    (
        "442000105000",
        "古镇镇行政服务中心",
        "Guzhen Administrative Service Centre",
        "中山市古镇镇中兴大道南1号",
        "0760-22335678",
    ),
    (
        "442000001000",
        "石岐街道行政服务中心",
        "Shiqi Administrative Service Centre",
        "中山市石岐街道悦来南路33号",
        "0760-88861234",
    ),
    (
        "442000003000",
        "中山港街道（火炬开发区）政务服务中心",
        "Zhongshangang (Torch Zone) Government Service Centre",
        "中山市火炬开发区中山港大道70号",
        "0760-85591234",
    ),
]
# English addresses of the town halls, by region code.
TOWN_HALL_ADDRESSES_EN: dict[str, str] = {
    "442000100000": "8 Shengping Middle Road, Xiaolan Town, Zhongshan",
    "442000105000": "1 Zhongxing Avenue South, Guzhen Town, Zhongshan",
    "442000001000": "33 Yuelai South Road, Shiqi Subdistrict, Zhongshan",
    "442000003000": "70 Zhongshangang Avenue, Torch Development Zone, Zhongshan",
}
# Every town hall gets these windows.
TOWN_WINDOWS: list[tuple[str, str, str, bool]] = [
    ("01", "综合受理窗口", "General counter", True),
    ("02", "社保医保窗口", "Social and medical insurance counter", False),
    ("03", "公安户政窗口", "Household register counter", False),
]
