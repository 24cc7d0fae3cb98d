"""Keyword search over cases that serves Chinese as well as English.

Most Chinese queries are one or two characters long (数据, 金融), which neither a word tokenizer nor
a trigram index can answer from an index. So each run of Chinese characters is indexed as its
overlapping bigrams (数据跨境 -> 数据 据跨 跨境) followed by its single characters; a query is
turned into the same tokens, a multi-character run becoming a phrase of bigrams. PostgreSQL's
document holds each run's n-grams of three to six characters too, and its queries use them for
runs of three characters or more (see POSTGRESQL_DOCUMENT_FUNCTION). English text is indexed as
ordinary, stemmed words.

The index is the ``cases_casesearch`` table (see ``CaseSearch`` and cases.db_objects): an FTS5 table
on SQLite, a GIN-indexed ``tsvector`` on PostgreSQL. Database triggers keep it in step with every
write to ``cases_case``, whether it comes from the admin, an import, ``bulk_create`` or
``QuerySet.update``. On SQLite the trigger calls ``servtrade_search_document``, a function that
every Django connection registers (see ``register_sqlite_functions``); a connection without it
cannot write a case at all, rather than leave the index stale.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import NotSupportedError, connection, models, transaction
from django.db.models import Func, Lookup

# CJK Unified Ideographs, Extension A and the compatibility block.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
# Letters and digits that are not CJK, i.e. the words of English (and pinyin, numbers...).
WORD = re.compile(rf"[^\W{CJK}_]+")
# The case fields that are searched, in the order the triggers pass them.
SEARCHED_FIELDS = ("title_zh", "title_en", "summary_zh", "summary_en")
# English words too common to search for; PostgreSQL's English configuration drops them too, so
# both databases answer alike.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)
# A query keeps this many terms at most; a longer one is cut (and the page says so).
MAX_TERMS = 16
# Endings taken off an English query word so that its other forms match too: the word is then
# searched as a prefix ("financial" -> financ*, which finds finance, financing and financial).
# The stemmer alone does not join them: it makes "financ" of finance but "financi" of financial.
ENDINGS = ("ations", "ation", "ially", "ial", "ing", "ies", "ied", "ed", "es", "al", "e", "s", "y")
# The shortest root a word is cut to; shorter words are searched whole, as prefixes.
MIN_ROOT = 4


def word_root(word):
    """``financial`` -> ``financ``: the part every form of the word starts with."""
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_ROOT:
            return word[: -len(ending)]
    return word


def cjk_tokens(text):
    """Bigrams of every CJK run in order, then every single character."""
    runs = CJK_RUN.findall(text)
    bigrams = [run[i : i + 2] for run in runs for i in range(max(len(run) - 1, 1))]
    return bigrams + [char for run in runs for char in run]


def search_document(*parts):
    """The text the SQLite index holds for a case; FTS5's tokenizer does the English words."""
    text = " ".join(part or "" for part in parts)
    return " ".join(cjk_tokens(text)) + " " + CJK_RUN.sub(" ", text)


# The same document on PostgreSQL, for its trigger (cases.db_objects): the n-grams of 6 to 3
# characters of each CJK run, its bigrams, its single characters ('simple': no stemming), then
# the English words ('english': stemmed, as FTS5's porter tokenizer does on SQLite). The n-grams
# are for PostgreSQL alone: its GIN index holds no positions, so a phrase (管体 <-> 体系) is
# checked in the document of every case holding all its parts (20,000 at 100,000 cases:
# 0.1-0.6 s for bigrams, 18-28 ms for phrases of trigrams such as 务便利 <-> 便利化 <-> 利化机).
# A term of 3 to 6 characters is one n-gram the index answers exactly (2 ms), and a longer one
# a phrase of 6-grams, rare enough that few documents are read. The price is a document twice
# as large (docs/search.md). FTS5 keeps positions in its index.
LONGEST_NGRAM = 6
POSTGRESQL_DOCUMENT_FUNCTION = f"""
CREATE FUNCTION servtrade_search_document(VARIADIC parts text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH body AS (SELECT coalesce(array_to_string(parts, ' '), '') AS text),
    runs AS (
        SELECT match[1] AS run, ordinal
        FROM body, regexp_matches(body.text, '[{CJK}]+', 'g')
            WITH ORDINALITY AS found(match, ordinal)
    ),
    bigrams AS (
        SELECT string_agg(substr(run, i, 2), ' ' ORDER BY ordinal, i) AS tokens
        FROM runs, generate_series(1, greatest(length(run) - 1, 1)) AS i
    ),
    unigrams AS (
        SELECT string_agg(substr(run, i, 1), ' ' ORDER BY ordinal, i) AS tokens
        FROM runs, generate_series(1, length(run)) AS i
    ),
    ngrams AS (
        -- Longest first, each run in order: a long term's 6-grams stand side by side, as <->
        -- asks, and first, below the 16,383 positions a tsvector counts.
        SELECT string_agg(substr(run, i, n), ' ' ORDER BY n DESC, ordinal, i) AS tokens
        FROM runs, generate_series(3, {LONGEST_NGRAM}) AS n,
            generate_series(1, length(run) - n + 1) AS i
    )
    SELECT to_tsvector('simple', concat_ws(' ', ngrams.tokens, bigrams.tokens, unigrams.tokens))
        || to_tsvector('english', regexp_replace(body.text, '[{CJK}]+', ' ', 'g'))
    FROM body, bigrams, unigrams, ngrams
$$"""


def ngram_phrase(term):
    """A CJK term as PostgreSQL's document holds it: up to six characters as it is (管体系), a
    longer one as a phrase of its 6-grams (服务贸易创新发展 -> 服务贸易创新 <-> 务贸易创新发
    <-> 贸易创新发展)."""
    if len(term) <= LONGEST_NGRAM:
        return term
    return " <-> ".join(term[i : i + LONGEST_NGRAM] for i in range(len(term) - LONGEST_NGRAM + 1))


@contextmanager
def through_the_index():
    """On PostgreSQL, read the search index through its GIN index, never by a sequential scan.

    The documents are long enough to be stored out of line (TOAST), which the planner does not
    count: for a common word (数据, half the catalogue) it chose to scan every row and match
    each decompressed document, 300-420 ms at 100,000 cases, against 5-14 ms through the index,
    which gives the matching rows without reading a document (measured with EXPLAIN ANALYZE).
    """
    if connection.vendor != "postgresql":
        yield
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            yield
        finally:
            # Inside a caller's transaction, the setting would outlive this block.
            if not outermost:
                cursor.execute("SET LOCAL enable_seqscan = on")


def register_sqlite_functions(sender, connection, **kwargs):
    """connection_created receiver: give each SQLite connection the trigger's function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "servtrade_search_document", -1, search_document, deterministic=True
        )


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: CJK phrases (each a sequence of bigrams) and English words."""

    phrases: tuple
    words: tuple
    truncated: bool = False

    @classmethod
    def parse(cls, text):
        text = (text or "").replace("\x00", " ")
        phrases, words = [], []
        for match in re.finditer(f"[{CJK}]+|{WORD.pattern}", text):
            term = match.group()
            if CJK_RUN.fullmatch(term):
                bigrams = [term[i : i + 2] for i in range(max(len(term) - 1, 1))]
                phrases.append(tuple(bigrams))
            elif term.lower() not in STOP_WORDS:
                words.append(term.lower())
        terms = len(phrases) + len(words)
        return cls(
            phrases=tuple(phrases[:MAX_TERMS]),
            words=tuple(words[: max(MAX_TERMS - len(phrases), 0)]),
            truncated=terms > MAX_TERMS,
        )

    def __bool__(self):
        return bool(self.phrases or self.words)

    @property
    def roots(self):
        return [word_root(word) for word in self.words]

    @property
    def chinese_terms(self):
        """The CJK phrases as written (``数据跨境``), rebuilt from their bigrams."""
        return [phrase[0] + "".join(bigram[1:] for bigram in phrase[1:]) for phrase in self.phrases]

    def fts5(self):
        """An FTS5 MATCH expression: every phrase and word must occur (implicit AND); words as
        prefixes of their roots, so that other forms of a word match."""
        phrases = ['"' + " ".join(phrase) + '"' for phrase in self.phrases]
        return " ".join(phrases + [f'"{root}"*' for root in self.roots])

    def tsquery_sql(self):
        """SQL and params for a PostgreSQL tsquery equal to fts5()."""
        parts, params = [], []
        if self.phrases:
            # CJK characters only, so they need no tsquery escaping.
            parts.append("to_tsquery('simple', %s)")
            params.append(" & ".join(map(ngram_phrase, self.chinese_terms)))
        if self.words:
            # Roots are letters and digits only (WORD), so ":*" prefixes need no escaping.
            parts.append("to_tsquery('english', %s)")
            params.append(" & ".join(f"{root}:*" for root in self.roots))
        return " && ".join(parts), params


class SearchDocumentField(models.TextField):
    """The indexed document of a case: an FTS5 column on SQLite, a tsvector on PostgreSQL."""


@SearchDocumentField.register_lookup
class Matches(Lookup):
    """``search_entry__document__matches=SearchQuery(...)``: the index answers, no scan."""

    lookup_name = "matches"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"Case search needs SQLite or PostgreSQL, not {connection.vendor}.")

    def as_sqlite(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} MATCH %s", [*params, self.rhs.fts5()]

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        tsquery, tsquery_params = self.rhs.tsquery_sql()
        return f"{lhs} @@ ({tsquery})", [*params, *tsquery_params]


class SearchRank(Func):
    """Relevance of a match, smaller is better on both databases (FTS5 bm25, negated ts_rank)."""

    output_field = models.FloatField()

    def __init__(self, document, query):
        self.query = query
        super().__init__(document)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"Case search needs SQLite or PostgreSQL, not {connection.vendor}.")

    def as_sqlite(self, compiler, connection, **extra_context):
        # bm25() takes the FTS5 table itself, which the join names by its table name.
        table = self.source_expressions[0].alias
        return f"bm25({connection.ops.quote_name(table)})", []

    def as_postgresql(self, compiler, connection, **extra_context):
        document, params = compiler.compile(self.source_expressions[0])
        tsquery, tsquery_params = self.query.tsquery_sql()
        return f"-ts_rank({document}, {tsquery})", [*params, *tsquery_params]
