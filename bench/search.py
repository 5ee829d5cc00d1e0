"""Benchmark: catalogue search against the raw FTS5 floor (SQLite).

Run as ``.venv/bin/python bench/search.py``. Builds a throw-away SQLite database with
~2,000 synthetic service items, indexes them, then for a fixed list of queries compares
the median time of ``search.search_items(q)`` with a raw FTS5 ``MATCH … ORDER BY bm25``
issued with the same match expression straight through the sqlite3 connection.
The ratio is the cost of tokenising the query, Django's cursor, the published-item join
and paging. Aim: within 2x. Not a test; never part of ``make test``.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ITEMS = 2_000
REPEATS = 200

QUERIES = [
    "营业执照",
    "申领营业执照",
    "食品经营许可证",
    "身份证",
    "居住证 签注",
    "医疗器械",
    "不动产登记",
    "公积金 提取",
    "社会保障卡",
    "出生医学证明",
    "驾驶证 换领",
    "个体工商户 注销",
    "排污许可",
    "yyzz",
    "yingyezhizhao",
    "jzz",
    "shehuibaozhang",
    "business licence",
    "permit",
    "营业执照 公积金",
]

QUALIFIERS = [
    "",
    "",
    "个体工商户",
    "企业",
    "外商投资企业",
    "农民专业合作社",
    "港澳台居民",
    "第二类",
    "第三类",
    "城乡居民",
    "灵活就业人员",
    "个人",
]
OBJECTS = [
    ("营业执照", "business licence"),
    ("食品经营许可证", "food business permit"),
    ("居民身份证", "resident identity card"),
    ("居住证", "residence permit"),
    ("机动车驾驶证", "driving licence"),
    ("医疗器械经营许可证", "medical device permit"),
    ("建设工程规划许可证", "construction planning permit"),
    ("出生医学证明", "medical birth certificate"),
    ("社会保障卡", "social security card"),
    ("住房公积金", "housing provident fund"),
    ("不动产权证书", "real estate certificate"),
    ("排污许可证", "pollutant discharge permit"),
    ("药品经营许可证", "drug business permit"),
    ("道路运输经营许可证", "road transport permit"),
    ("残疾人证", "disability certificate"),
    ("养老保险待遇", "pension benefits"),
    ("户口迁移证明", "household transfer certificate"),
    ("港澳通行证", "travel permit to Hong Kong and Macao"),
]
ACTIONS = [
    ("申领", "application for"),
    ("变更", "change of"),
    ("注销", "cancellation of"),
    ("补领", "replacement of"),
    ("换领", "renewal of"),
    ("延续", "extension of"),
    ("核发", "issue of"),
    ("备案", "filing of"),
    ("登记", "registration of"),
    ("查询", "enquiry about"),
    ("签注", "endorsement of"),
    ("提取", "withdrawal from"),
]
MATERIALS = [
    "申请书",
    "居民身份证",
    "营业执照副本复印件",
    "法定代表人身份证明",
    "授权委托书",
    "场所使用证明",
    "户口簿",
    "近期免冠照片",
    "结婚证",
    "社会保障卡",
    "公司章程",
    "检验报告",
    "规划设计方案",
    "劳动合同",
]
DEPARTMENTS = [
    "市场监督管理局",
    "公安局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "自然资源局",
    "卫生健康局",
    "生态环境局",
    "交通运输局",
    "民政局",
    "税务局",
]


def configure() -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="tongban-bench-search-"))
    os.environ["TONGBAN_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return workdir


def populate(rng: random.Random) -> None:
    from tongban.catalog.models import ItemStatus, ItemType, Material, ServiceItem
    from tongban.org.models import Department, Region, RegionLevel

    city = Region.objects.create(
        code="442000", name="中山市", name_en="Zhongshan", level=RegionLevel.PREFECTURE
    )
    departments = [
        Department.objects.create(
            code=f"d{n}", name=f"中山市{name}", region=city, uscc=f"11442000MB2C{n:04d}X"
        )
        for n, name in enumerate(DEPARTMENTS)
    ]
    items = []
    for n in range(ITEMS):
        qualifier = rng.choice(QUALIFIERS)
        obj, obj_en = rng.choice(OBJECTS)
        action, action_en = rng.choice(ACTIONS)
        items.append(
            ServiceItem(
                name=f"{qualifier}{obj}{action}",
                name_en=f"{action_en} {obj_en}".capitalize(),
                basic_code=f"B{n:06d}",
                implementation_code=f"11442000MB2C0000X-{n:06d}",
                item_type=ItemType.LICENSING,
                department=rng.choice(departments),
                status=ItemStatus.PUBLISHED if n % 10 else ItemStatus.DRAFT,
                summary=f"申请人办理{obj}{action}，可通过网上或窗口提交材料。",
                acceptance_conditions=f"{qualifier or '申请人'}符合{obj}有关规定。",
                result_name=obj,
            )
        )
    ServiceItem.objects.bulk_create(items, batch_size=500)
    Material.objects.bulk_create(
        [
            Material(item=item, code=f"M{k}", name=name)
            for item in ServiceItem.objects.only("id")
            for k, name in enumerate(rng.sample(MATERIALS, rng.randint(2, 5)))
        ],
        batch_size=1_000,
    )


def median_seconds(fn, repeats: int = REPEATS) -> float:
    for _ in range(5):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    workdir = configure()
    try:
        from django.db import connection

        from tongban.catalog import search
        from tongban.catalog.search.backends import TABLE, SQLiteBackend
        from tongban.catalog.search.text import parse_query

        populate(random.Random(20261128))
        start = time.perf_counter()
        indexed = search.reindex_all()
        print(f"indexed {indexed} published items in {time.perf_counter() - start:.2f} s")

        store = SQLiteBackend()
        connection.ensure_connection()
        raw = connection.connection
        floor_sql = (
            f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ?"  # noqa: S608 - constants
            f" ORDER BY {SQLiteBackend.RANK}, rowid"
        )

        def floor(expressions: list[str]) -> list[int]:
            for expression in expressions:  # AND, then OR when AND finds nothing
                rows = raw.execute(floor_sql, (expression,)).fetchall()
                if rows:
                    break
            return [row[0] for row in rows]

        print(f"{'query':<22} {'hits':>5} {'search_items':>13} {'raw FTS5':>10} {'ratio':>6}")
        ours, floors = [], []
        for q in QUERIES:
            parsed = parse_query(q)
            expressions = [store.render(parsed, any_term=False)]
            if len(parsed.terms) > 1:
                expressions.append(store.render(parsed, any_term=True))
            total = search.search_items(q).total
            t_ours = median_seconds(lambda q=q: search.search_items(q))
            t_floor = median_seconds(lambda e=expressions: floor(e))
            ours.append(t_ours)
            floors.append(t_floor)
            print(
                f"{q:<22} {total:>5} {t_ours * 1e6:>10.0f} µs {t_floor * 1e6:>7.0f} µs"
                f" {t_ours / t_floor:>5.2f}x"
            )
        m_ours, m_floor = statistics.median(ours), statistics.median(floors)
        print(
            f"median search_items {m_ours * 1e6:.0f} µs, raw FTS5 floor {m_floor * 1e6:.0f} µs,"
            f" ratio {m_ours / m_floor:.2f}x (aim: within 2x)"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
