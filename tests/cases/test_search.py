"""Search over both languages, answered by the index that database triggers keep in step."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import counting
from cases.models import Case, CaseSearch
from cases.search import MAX_TERMS, SearchQuery, cjk_tokens, through_the_index
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def slugs(queryset):
    return [case.slug for case in queryset]


def make(slug, title_zh="", title_en="", summary_zh="", summary_en=""):
    return CaseFactory(
        slug=slug,
        title_zh=title_zh,
        title_en=title_en or slug,
        summary_zh=summary_zh,
        summary_en=summary_en,
    )


def test_cjk_text_is_indexed_as_bigrams_then_characters():
    assert cjk_tokens("数据跨境。金") == [
        "数据",
        "据跨",
        "跨境",
        "金",
        "数",
        "据",
        "跨",
        "境",
        "金",
    ]


def test_a_two_character_word_finds_it_inside_a_longer_title():
    make("data", title_zh="建立数据跨境安全管理机制")
    make("sports", title_zh="推动体育服务贸易创新发展")
    assert slugs(Case.objects.search("数据")) == ["data"]


def test_a_single_character_finds_every_case_that_contains_it():
    make("data", title_zh="数据跨境")
    make("numbers", summary_zh="统计数字")
    make("sports", title_zh="体育")
    assert set(slugs(Case.objects.search("数"))) == {"data", "numbers"}


def test_a_longer_chinese_term_must_occur_as_written():
    make("together", title_zh="推动数据跨境流动")
    make("apart", title_zh="数据安全", summary_zh="跨境电商")
    assert slugs(Case.objects.search("数据跨境")) == ["together"]


@pytest.mark.parametrize("term", ["管体系", "服务贸易", "数字人民币", "服务贸易创新发展"])
def test_a_chinese_term_of_three_characters_or_more_occurs_as_written(term):
    make("together", title_zh=f"建立{term}试点")
    make("spaced", title_zh=" ".join(term))
    make("split", summary_zh=f"{term[:2]}和{term[2:]}")
    make("reversed", title_zh=term[::-1])
    assert slugs(Case.objects.search(term)) == ["together"]
    assert slugs(Case.objects.search(f"建立{term}")) == ["together"]


def test_postgresql_asks_for_a_term_of_up_to_six_characters_as_one_ngram():
    assert SearchQuery.parse("管体系 数据 数").tsquery_sql()[1] == ["管体系 & 数据 & 数"]
    assert SearchQuery.parse("服务贸易创新").tsquery_sql()[1] == ["服务贸易创新"]
    assert SearchQuery.parse("服务贸易创新发展").tsquery_sql()[1] == [
        "服务贸易创新 <-> 务贸易创新发 <-> 贸易创新发展"
    ]


def test_a_long_term_is_found_at_the_end_of_a_long_summary():
    """A tsvector counts positions up to 16,383; a phrase of 6-grams needs its own, so
    PostgreSQL's document puts them first."""
    make("long", summary_zh="甲乙丙丁戊" * 1600 + "，服务贸易创新发展")
    make("short", summary_zh="服务贸易创新和发展")
    assert slugs(Case.objects.search("服务贸易创新发展")) == ["long"]


def test_each_database_indexes_the_tokens_its_queries_ask_for():
    """PostgreSQL's document holds each Chinese run's n-grams of 3 to 6 characters, which its
    queries ask for, and none across two runs; SQLite's holds bigrams and characters only, since
    FTS5 answers a phrase of bigrams from the positions its index keeps."""
    case = make("flows", title_zh="数据跨境流动。金融")
    document = CaseSearch.objects.values_list("document", flat=True).get(case=case)
    tokens = {token.split(":")[0].strip("'") for token in document.split()}
    assert {"数据", "据跨", "流动", "金融", "数", "融"} <= tokens
    ngrams = {"数据跨", "境流动", "数据跨境", "据跨境流动", "数据跨境流动"}
    if connection.vendor == "postgresql":
        assert ngrams <= tokens
    else:
        assert not ngrams & tokens
    assert not {"动。金", "流动金", "动金融", "流动金融", "据跨境流动金"} & tokens


def test_english_words_match_stemmed_and_case_insensitively():
    make("financing", title_en="IP-based cross-border financing")
    make("sports", title_en="Sports services trade")
    assert slugs(Case.objects.search("Financing")) == ["financing"]
    assert slugs(Case.objects.search("sport")) == ["sports"]


def test_one_query_searches_both_languages_at_once():
    make("xiamen", title_zh="厦门市体育服务贸易", title_en="Sports services trade")
    make("beijing", title_zh="北京市数据", title_en="Sports data")
    assert slugs(Case.objects.search("sports 厦门")) == ["xiamen"]


def test_every_term_must_match():
    make("both", title_en="Cross-border data flows")
    make("one", title_en="Cross-border railway rules")
    assert slugs(Case.objects.search("cross-border data")) == ["both"]


def test_common_english_words_are_not_required():
    make("data", title_en="Data security")
    assert slugs(Case.objects.search("the data")) == ["data"]


def test_better_matches_rank_first():
    make("once", title_en="Trade rules", summary_en="Touches on sports once among many things.")
    make("title", title_en="Sports", summary_en="Sports services and sports events.")
    ranked = Case.objects.search("sports")
    assert slugs(ranked) == ["title", "once"]
    assert ranked[0].search_rank < ranked[1].search_rank


@pytest.mark.parametrize(
    "text",
    [
        '"',
        'data" OR',
        "NEAR(a b)",
        "*",
        "-data",
        "a\x00b",
        "数" * 10_000,
        "😀 ̈ \u200b",
        "AND OR NOT",
    ],
)
def test_odd_input_never_breaks_the_query(text):
    make("data", title_en="Data security", title_zh="数据安全")
    assert isinstance(list(Case.objects.search(text)), list)


def test_text_with_nothing_searchable_matches_nothing():
    make("data", title_en="Data")
    assert not SearchQuery.parse("!!! ？？")
    assert list(Case.objects.search("!!! ？？")) == []


def test_a_very_long_query_is_cut_and_says_so():
    query = SearchQuery.parse(" ".join(f"word{n}" for n in range(MAX_TERMS + 5)))
    assert len(query.words) == MAX_TERMS and query.truncated
    assert not SearchQuery.parse("data 数据").truncated


def test_the_index_follows_updates_that_bypass_save():
    case = make("renamed", title_zh="旧标题")
    Case.objects.filter(pk=case.pk).update(title_zh="体育赛事")
    assert slugs(Case.objects.search("体育")) == ["renamed"]
    assert slugs(Case.objects.search("旧标题")) == []


def test_the_index_follows_bulk_inserts_and_deletes():
    batch = CaseFactory().batch
    Case.objects.bulk_create(
        [
            Case(slug=f"bulk-{n}", title_zh=f"金融服务{n}", batch=batch, status="draft")
            for n in range(3)
        ]
    )
    assert len(Case.objects.search("金融")) == 3
    Case.objects.filter(slug="bulk-0").delete()
    assert sorted(slugs(Case.objects.search("金融"))) == ["bulk-1", "bulk-2"]
    assert CaseSearch.objects.count() == Case.objects.count()


def test_search_combines_with_other_filters():
    make("published", title_zh="数据")
    draft = make("draft", title_zh="数据")
    Case.objects.filter(pk=draft.pk).update(status=Case.Status.DRAFT)
    assert slugs(Case.objects.published().search("数据")) == ["published"]


@pytest.mark.django_db(transaction=True)
def test_flushing_the_cases_empties_the_index_too():
    from django.core.management import call_command

    make("data", title_zh="数据")
    call_command("flush", interactive=False, verbosity=0)
    assert not CaseSearch.objects.exists()
    make("again", title_zh="数据")
    assert slugs(Case.objects.search("数据")) == ["again"]


def test_other_forms_of_an_english_word_match():
    make("finance", summary_en="Cross-border finance for IP")
    make("financing", title_en="IP-based cross-border financing")
    make("sports", title_en="Sports services trade")
    for query in ("finance", "financial", "financing"):
        assert set(slugs(Case.objects.search(query))) == {"finance", "financing"}, query


def test_a_sector_or_theme_name_finds_its_cases_after_those_whose_text_matches():
    from tests.factories import ServiceSectorFactory, ThemeFactory

    finance = ServiceSectorFactory(code="SG", name_en="Financial services", name_zh="金融服务")
    transport = ServiceSectorFactory(code="SC", name_en="Transport", name_zh="运输")
    in_text = make("in-text", summary_en="Financial platform")
    in_sector = CaseFactory(slug="in-sector", title_en="Bank pilot", sectors=[finance])
    CaseFactory(slug="elsewhere", title_en="Rail rules", sectors=[transport])
    assert slugs(Case.objects.search("financial")) == ["in-text", "in-sector"]
    assert slugs(Case.objects.search("金融")) == ["in-sector"]
    # A name matches at the start of a word only: "sport" is not in "Transport".
    assert slugs(Case.objects.search("sport")) == []
    theme = ThemeFactory(name_en="Opening up wider", name_zh="扩大对外开放")
    in_text.theme = theme
    in_text.save()
    assert slugs(Case.objects.search("开放")) == ["in-text"]
    assert in_sector not in Case.objects.search("opening")


def test_the_names_a_query_gives_are_read_from_the_kept_tables_as_sql_reads_them(
    django_assert_num_queries,
):
    """A page knows its catalogue version: the sectors' and themes' names come from the tables
    the process keeps per version (cases.linked), tested in Python as SQL tests them."""
    from cases import linked
    from cases.models import CatalogueVersion
    from tests.factories import ServiceSectorFactory, ThemeFactory

    ServiceSectorFactory(code="SG", name_en="Financial services", name_zh="金融服务")
    ServiceSectorFactory(code="SC", name_en="Transport", name_zh="运输")
    ServiceSectorFactory(code="SK", name_en="Personal, cultural and recreational services")
    ThemeFactory(slug="opening", name_en="Opening up wider", name_zh="扩大对外开放")
    ThemeFactory(slug="finance-first", name_en="FINANCIAL opening", name_zh="金融开放")
    version = CatalogueVersion.objects.current()
    linked.forget()
    queries = [
        "financial", "金融", "sport", "transport", "port", "opening", "开放", "金融 opening",
        "services", "cultural", "recreation", "运输服务", "金融 transport", "wider 扩大",
    ]  # fmt: skip
    expected = {text: Case.objects.names_in(SearchQuery.parse(text)) for text in queries}
    assert expected["financial"] == {"sector": ["SG"], "theme": ["finance-first"]}
    assert expected["sport"] == {"sector": [], "theme": []}  # not inside "Transport"
    Case.objects.names_in(SearchQuery.parse("x"), version)  # the tables, read once
    with django_assert_num_queries(0):
        for text in queries:
            got = Case.objects.names_in(SearchQuery.parse(text), version)
            assert {k: sorted(v) for k, v in got.items()} == {
                k: sorted(v) for k, v in expected[text].items()
            }, text


def test_a_common_word_is_read_through_the_search_index_not_by_scanning_every_document():
    """On PostgreSQL the planner would scan every (out-of-line) document for a word that half
    the cases contain; through_the_index() makes it use the GIN index. SQLite's FTS5 table is
    always read through its own index."""
    CaseFactory.create_batch(30, title_en="Data flows", title_zh="数据跨境")
    matches = CaseSearch.objects.filter(document__matches=SearchQuery.parse("数据"))
    sql, params = matches.values_list("case_id", flat=True).query.sql_with_params()
    with through_the_index(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE cases_casesearch")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Scan on cases_casesearch_document" in plan and "Seq Scan" not in plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan
    assert len(list(matches)) == 30


@pytest.mark.parametrize("params", ["q=数据&sort=title", "q=数据&page=2&per_page=20"])
def test_a_search_lists_its_page_of_rows_read_through_the_search_index(
    client, settings, monkeypatch, params
):
    """Sorted by a column or deep, a search with more results than it ranks is filtered in SQL;
    its matches are read through the search index there too (on PostgreSQL the planner scanned
    every document for them, 0.4 s a subquery at 100,000 cases)."""
    settings.COUNTING_FEW_RESULTS = 5
    monkeypatch.setattr(counting, "DEEPEST", 10)  # page 2 is past it
    CaseFactory.create_batch(25, title_en="Data flows", title_zh="数据跨境")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/en/cases/?{params}")
    assert response.status_code == 200
    assert response.content.decode().count("Data flows") >= 5
    statements = [query["sql"] for query in queries]
    rows = next(
        n
        for n, sql in enumerate(statements)
        if sql.startswith('SELECT "cases_case"."id", "cases_case"."needs_verification"')
        and "LIMIT" in sql
    )
    if connection.vendor == "postgresql":
        off = max(n for n, sql in enumerate(statements[:rows]) if "enable_seqscan = off" in sql)
        assert not any("enable_seqscan = on" in sql for sql in statements[off:rows])
