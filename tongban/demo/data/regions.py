"""Guangdong → Zhongshan (no districts) → its 23 towns and streets (since 2021-07-19).

The 12-digit statistical division codes (统计用区划代码) below follow the national pattern
(442000 + 3-digit town + 000; streets 0xx, towns 1xx) but are SYNTHETIC: they have not been
checked against the National Bureau of Statistics list. Gaps (102, 104, 113) mark the former
民众镇, 东升镇 and 南朗镇, merged or turned into streets in 2021.
"""

from __future__ import annotations

PROVINCE = {"code": "440000", "name": "广东省", "name_en": "Guangdong", "level": "province"}
CITY = {
    "code": "442000",
    "name": "中山市",
    "name_en": "Zhongshan",
    "level": "prefecture",
    "seat": "东区街道松苑路1号",
    "profile": "不设区的地级市，辖8个街道、15个镇；孙中山先生故乡，珠江西岸制造业城市。",
}

# (code, name, English name, level, seat, profile)
TOWNS: list[tuple[str, str, str, str, str, str]] = [
    (
        "442000001000",
        "石岐街道",
        "Shiqi",
        "street",
        "悦来南路",
        "老城区，孙文西路步行街与岐江河商圈",
    ),
    ("442000002000", "东区街道", "Dongqu", "street", "兴中道", "市政府驻地，行政、金融与商务中心"),
    (
        "442000003000",
        "中山港街道",
        "Zhongshangang",
        "street",
        "中山港大道",
        "火炬开发区所在地，健康医药与装备制造",
    ),
    ("442000004000", "西区街道", "Xiqu", "street", "富华道", "商贸物流与城市更新片区"),
    ("442000005000", "南区街道", "Nanqu", "street", "城南二路", "居住与生态片区，邻近五桂山"),
    (
        "442000006000",
        "五桂山街道",
        "Wuguishan",
        "street",
        "长命水大道",
        "市区生态屏障，山地旅游与水源保护",
    ),
    (
        "442000007000",
        "民众街道",
        "Minzhong",
        "street",
        "六百六路61号",
        "2021年撤镇设街，沙田水乡与现代农业",
    ),
    (
        "442000008000",
        "南朗街道",
        "Nanlang",
        "street",
        "美景大道26号",
        "2021年撤镇设街，翠亨新区与孙中山故居",
    ),
    (
        "442000100000",
        "小榄镇",
        "Xiaolan",
        "town",
        "升平中路8号",
        "五金锁具、电子电器，2021年与东升镇合并",
    ),
    ("442000101000", "黄圃镇", "Huangpu", "town", "兴圃大道", "食品加工与腊味之乡"),
    ("442000103000", "东凤镇", "Dongfeng", "town", "东阜路", "小家电产业集群"),
    ("442000105000", "古镇镇", "Guzhen", "town", "中兴大道", "中国灯饰之都，灯饰照明产业"),
    ("442000106000", "沙溪镇", "Shaxi", "town", "沙溪中路", "休闲服装制造与批发"),
    ("442000107000", "坦洲镇", "Tanzhou", "town", "坦神北路", "毗邻珠海，装备制造与商贸"),
    ("442000108000", "港口镇", "Gangkou", "town", "港口大道", "游戏游艺设备产业"),
    ("442000109000", "三角镇", "Sanjiao", "town", "高平大道", "纺织印染与新材料"),
    ("442000110000", "横栏镇", "Henglan", "town", "横栏大道", "灯饰配件与花木种植"),
    ("442000111000", "南头镇", "Nantou", "town", "南头大道", "家用电器产业"),
    ("442000112000", "阜沙镇", "Fusha", "town", "阜沙大道", "精细化工与五金制品"),
    ("442000114000", "三乡镇", "Sanxiang", "town", "雅居乐大道", "古鹤村与温泉旅游，家具制造"),
    ("442000115000", "板芙镇", "Banfu", "town", "板芙中路", "智能家居与生物医药"),
    ("442000116000", "大涌镇", "Dachong", "town", "安堂路", "红木家具之乡"),
    ("442000117000", "神湾镇", "Shenwan", "town", "神湾大道", "菠萝种植与游艇制造"),
]

TOWN_CODES: list[str] = [t[0] for t in TOWNS]
