"""Synthetic, realistic bilingual cases for scale tests and benchmarks (generate_cases).

Built from the real programs, batches, themes, sectors and regions, so filters and facets behave
as they will when the catalogue holds every region's local cases. Deterministic for a seed.
"""

import datetime
import random

from django.db import transaction

from cases.models import Case, CaseBatch, ServiceSector, Theme
from regions.models import Region

# Topics a case can be about: Chinese, English, and the EBOPS sector it mostly belongs to.
TOPICS = [
    ("数据跨境流动", "cross-border data flows", "SI"),
    ("知识产权质押融资", "intellectual property financing", "SH"),
    ("体育服务贸易", "sports services trade", "SK"),
    ("中医药服务出口", "exports of traditional Chinese medicine services", "SK"),
    ("数字人民币跨境支付", "cross-border e-CNY payments", "SG"),
    ("国际航空运输", "international air transport", "SC"),
    ("远洋船舶维修", "ocean-going ship repair", "SB"),
    ("建筑工程服务", "construction engineering services", "SE"),
    ("涉外法律服务", "foreign-related legal services", "SJ"),
    ("金融服务开放", "opening up financial services", "SG"),
    ("跨境保险服务", "cross-border insurance", "SF"),
    ("服务外包", "services outsourcing", "SJ"),
    ("技术进出口", "technology imports and exports", "SH"),
    ("文化产品出口", "cultural exports", "SK"),
    ("入境旅游", "inbound tourism", "SD"),
    ("地理信息服务", "geographic information services", "SI"),
    ("无纸化贸易", "paperless trade", "SJ"),
    ("服务贸易统计", "services trade statistics", "SJ"),
    ("会展服务", "exhibition services", "SJ"),
    ("人力资源服务", "human resources services", "SJ"),
    ("跨境电子商务", "cross-border e-commerce", "SI"),
    ("保税维修", "bonded maintenance", "SA"),
    ("国际铁路运输", "international rail freight", "SC"),
    ("政务服务", "government services for traders", "SL"),
]
# Chinese verb, English participle for titles, English base form for summaries.
ACTIONS = [
    ("推动", "Promoting", "promote"),
    ("探索", "Exploring", "explore"),
    ("创新", "Innovating", "renew"),
    ("完善", "Improving", "improve"),
    ("建设", "Building", "build"),
]
MECHANISMS = [
    ("新模式", "a new model for"),
    ("便利化机制", "facilitation mechanisms for"),
    ("公共服务平台", "a public service platform for"),
    ("监管体系", "a supervision system for"),
    ("国际合作机制", "an international cooperation mechanism for"),
]
RESULTS_ZH = [
    "试点以来，相关企业办理时间明显缩短，服务出口规模持续扩大。",
    "通过部门协同和数据共享，企业跨境业务的合规成本有所下降。",
    "该做法已在区内多家重点企业推广，形成了可复制的操作指引。",
    "当地还建立了定期评估机制，及时总结问题并完善配套政策。",
]
RESULTS_EN = [
    "Since the pilot began, firms have needed less time for each transaction and exports of the "
    "service have kept growing.",
    "Departments shared data and coordinated their procedures, lowering firms' compliance costs "
    "for cross-border business.",
    "The approach has spread to several major firms in the area and produced written guidance "
    "that other places can follow.",
    "The locality also reviews the measure regularly, fixing problems and adjusting the policies "
    "around it.",
]


class MissingFixtures(RuntimeError):
    pass


def generate_cases(count, seed, batch_size=2000):
    """Add ``count`` published synthetic cases; returns how many were created."""
    themes = list(Theme.objects.order_by("pk"))
    sectors = {sector.code: sector for sector in ServiceSector.objects.order_by("pk")}
    batches = list(CaseBatch.objects.select_related("program").order_by("pk"))
    regions = list(Region.objects.filter(memberships__isnull=False).distinct().order_by("pk"))
    if not (themes and sectors and batches and regions):
        raise MissingFixtures(
            "generate_cases needs the real programs, regions, batches, themes and sectors: "
            "load them first with `manage.py load_demo` (make demo does)."
        )
    prefix = f"generated-{seed}-"
    start = Case.objects.filter(slug__startswith=prefix).count()
    rng = random.Random(f"{seed}:{start}")
    lead_regions = Case.lead_regions.through
    case_sectors = Case.sectors.through
    created = 0
    with transaction.atomic():
        for offset in range(0, count, batch_size):
            rows, links = [], []
            for number in range(start + offset, start + min(offset + batch_size, count)):
                case, case_regions, case_sector_codes = make_case(
                    rng, number, prefix, themes, batches, regions, sectors
                )
                rows.append(case)
                links.append((case_regions, case_sector_codes))
            Case.objects.bulk_create(rows)
            lead_regions.objects.bulk_create(
                lead_regions(case_id=case.pk, region_id=region.pk)
                for case, (case_regions, _) in zip(rows, links, strict=True)
                for region in case_regions
            )
            case_sectors.objects.bulk_create(
                case_sectors(case_id=case.pk, servicesector_id=sectors[code].pk)
                for case, (_, codes) in zip(rows, links, strict=True)
                for code in codes
            )
            created += len(rows)
    return created


def make_case(rng, number, prefix, themes, batches, regions, sectors):
    topic_zh, topic_en, sector_code = rng.choice(TOPICS)
    action_zh, action_en, action_verb = rng.choice(ACTIONS)
    mechanism_zh, mechanism_en = rng.choice(MECHANISMS)
    case_regions = rng.sample(regions, rng.randint(1, 3))
    lead = case_regions[0]
    codes = [sector_code]
    if rng.random() < 0.4:
        codes.append(rng.choice([code for code in sectors if code != sector_code]))
    batch = rng.choice(batches)
    published_on = batch.published_on or datetime.date(2016, 3, 1) + datetime.timedelta(
        days=rng.randrange(365 * 8)
    )
    results_zh = rng.sample(RESULTS_ZH, 2)
    results_en = rng.sample(RESULTS_EN, 2)
    case = Case(
        slug=f"{prefix}{number:06d}",
        batch=batch,
        theme=rng.choice(themes),
        title_zh=f"{lead.name_zh}{action_zh}{topic_zh}{mechanism_zh}",
        title_en=f"{lead.name_en}: {action_en} {mechanism_en} {topic_en}",
        summary_zh=(
            f"{lead.name_zh}围绕{topic_zh}，{action_zh}{mechanism_zh}，"
            f"在审批流程、信息共享和人才引进等方面出台配套措施。" + "".join(results_zh)
        ),
        summary_en=(
            f"{lead.name_en} set out to {action_verb} {mechanism_en} "
            f"{topic_en}, with supporting measures on approvals, information sharing and hiring "
            "talent. " + " ".join(results_en)
        ),
        status=Case.Status.PUBLISHED,
        published_on=published_on,
        source_url=f"https://servtrade.example.org/synthetic/{number}",
        verification_note="Synthetic case made by generate_cases for scale tests.",
    )
    return case, case_regions, codes
