"""One factory per model. Lookup models use django_get_or_create on their natural key."""

import datetime

import factory
from django.contrib.auth import get_user_model

from cases.models import Adoption, Case, CaseBatch, ServiceSector, Source, Theme
from regions.models import Membership, PilotProgram, Region


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"province-{n}")
    name_zh = factory.Sequence(lambda n: f"测试省{n}")
    name_en = factory.Sequence(lambda n: f"Test Province {n}")
    kind = Region.Kind.PROVINCE
    # Unique six digits; the sequence is shared with RegionFactory, so cities never clash.
    code = factory.Sequence(lambda n: f"{n:06d}")
    parent = None


class RegionFactory(ProvinceFactory):
    slug = factory.Sequence(lambda n: f"city-{n}")
    name_zh = factory.Sequence(lambda n: f"测试市{n}")
    name_en = factory.Sequence(lambda n: f"Test City {n}")
    kind = Region.Kind.PREFECTURE_CITY
    parent = factory.SubFactory(ProvinceFactory)
    latitude = factory.Faker("pydecimal", left_digits=2, right_digits=4, min_value=18, max_value=50)
    longitude = factory.Faker(
        "pydecimal", left_digits=3, right_digits=4, min_value=75, max_value=130
    )


class PilotProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PilotProgram
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"pilot-{2016 + n}")
    name_zh = factory.Sequence(lambda n: f"服务贸易创新发展试点（第{n}期）")
    name_en = factory.Sequence(lambda n: f"Trade in services pilot, phase {n}")
    approving_body_zh = "国务院"
    approving_body_en = "State Council"
    approved_on = datetime.date(2020, 8, 2)
    starts_on = datetime.date(2020, 8, 2)
    ends_on = datetime.date(2023, 8, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    program = factory.SubFactory(PilotProgramFactory)
    region = factory.SubFactory(RegionFactory)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name_zh = factory.Sequence(lambda n: f"主题{n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")
    position = factory.Sequence(lambda n: n)


class ServiceSectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceSector
        django_get_or_create = ["code"]

    code = factory.Iterator([f"S{letter}" for letter in "ABCDEFGHIJKL"])
    name_zh = factory.LazyAttribute(lambda o: f"服务{o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Services {o.code}")


class CaseBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseBatch

    program = factory.SubFactory(PilotProgramFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_zh = factory.LazyAttribute(lambda o: f"最佳实践案例（第{o.number}批）")
    title_en = factory.LazyAttribute(lambda o: f"Best practice cases, batch {o.number}")
    published_on = datetime.date(2023, 11, 1)
    official_case_count = 25


class SourceFactory(factory.django.DjangoModelFactory):
    """A secondary source unless told otherwise; an official one sits on a government site."""

    class Meta:
        model = Source
        django_get_or_create = ["key"]

    key = factory.Sequence(lambda n: f"S{n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/{n}.html")
    title = factory.Sequence(lambda n: f"Report {n} on the best practice cases")
    publisher = "news reprint"
    date = "2023-11"
    kind = Source.Kind.SECONDARY


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    batch = factory.SubFactory(CaseBatchFactory)
    theme = factory.SubFactory(ThemeFactory)
    title_zh = factory.Sequence(lambda n: f"推动数据跨境安全有序流动的案例{n}")
    title_en = factory.Sequence(lambda n: f"Safe and orderly cross-border data flows, case {n}")
    slug = factory.Sequence(lambda n: f"case-{n}")
    summary_zh = "探索数据出境安全管理机制。"
    summary_en = "Explores a security management mechanism for outbound data."
    status = Case.Status.PUBLISHED
    published_on = datetime.date(2023, 11, 1)
    source_url = "https://example.org/source"

    @factory.post_generation
    def lead_regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.lead_regions.set(extracted)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create and extracted:
            self.sources.set(extracted)


class DraftCaseFactory(CaseFactory):
    """A draft with everything publication needs, a lead region included (lead_regions=[]: none)."""

    status = Case.Status.DRAFT
    published_on = None

    @factory.post_generation
    def lead_regions(self, create, extracted, **kwargs):
        if create:
            self.lead_regions.set([RegionFactory()] if extracted is None else extracted)


class AdoptionFactory(factory.django.DjangoModelFactory):
    """A published adoption of a published case by another region, with its evidence."""

    class Meta:
        model = Adoption

    case = factory.SubFactory(CaseFactory)
    region = factory.SubFactory(RegionFactory)
    extent = Adoption.Extent.FULL
    adopted_on = datetime.date(2024, 6, 1)
    evidence_url = "https://example.org/adoption-report"
    evidence_quote = "借鉴推广了该案例的做法。"
    status = Adoption.Status.PUBLISHED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True
