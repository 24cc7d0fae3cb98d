import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from regions.models import Region
from servtrade.bilingual import LocalizedText
from tests.factories import (
    MembershipFactory,
    PilotProgramFactory,
    ProvinceFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def test_a_city_without_a_province_is_refused_with_a_clear_message():
    city = RegionFactory.build(parent=None, code="440100")
    with pytest.raises(ValidationError) as error:
        city.full_clean()
    assert "every other region needs one" in str(error.value)


def test_the_database_refuses_a_province_with_a_parent():
    other = ProvinceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProvinceFactory(parent=other)


def test_a_region_code_must_be_six_digits():
    region = RegionFactory.build(code="4401")
    with pytest.raises(ValidationError) as error:
        region.full_clean(exclude=["parent"])
    assert error.value.message_dict["code"] == ["A GB/T 2260 code is six digits."]


def test_new_areas_may_share_an_empty_code():
    hebei = ProvinceFactory(code="130000")
    RegionFactory(parent=hebei, kind=Region.Kind.NEW_AREA, code=None, slug="xiongan")
    RegionFactory(parent=hebei, kind=Region.Kind.NEW_AREA, code=None, slug="other-area")
    assert Region.objects.filter(code__isnull=True).count() == 2


def test_the_database_refuses_a_duplicate_code():
    province = ProvinceFactory(code="440000")
    RegionFactory(parent=province, code="440100")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionFactory(parent=province, code="440100")


def test_a_latitude_out_of_range_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionFactory(latitude=95)


def test_a_duplicate_slug_gets_a_validation_message():
    RegionFactory(slug="guangzhou")
    duplicate = RegionFactory.build(slug="guangzhou", parent=ProvinceFactory())
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "slug" in error.value.message_dict


def test_a_region_is_a_member_of_a_program_once():
    membership = MembershipFactory()
    duplicate = MembershipFactory.build(program=membership.program, region=membership.region)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already a member of this program" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_program_period_cannot_end_before_it_starts():
    program = PilotProgramFactory.build(ends_on="2015-01-01")
    with pytest.raises(ValidationError) as error:
        program.full_clean()
    assert "cannot end before it starts" in str(error.value)


def test_with_children_of_includes_a_provinces_cities():
    guangdong = ProvinceFactory(slug="guangdong", code="440000")
    guangzhou = RegionFactory(slug="guangzhou", parent=guangdong)
    shenzhen = RegionFactory(slug="shenzhen", parent=guangdong)
    RegionFactory(slug="elsewhere")
    found = set(Region.objects.with_children_of(["guangdong"]))
    assert found == {guangdong, guangzhou, shenzhen}


def test_a_name_is_read_in_the_active_language_with_a_visible_fallback(settings):
    from django.utils import translation

    region = RegionFactory.build(name_zh="广州市", name_en="")
    with translation.override("en"):
        name = region.name
    assert isinstance(name, LocalizedText)
    assert (str(name), name.lang, name.is_fallback) == ("广州市", "zh", True)
    with translation.override("zh-hans"):
        assert (region.name, region.name.is_fallback) == ("广州市", False)
