"""Chinese full-text search without a dictionary: overlapping character bigrams in a
PostgreSQL ``tsvector`` (the CJK analyser of Lucene/Elasticsearch does the same).

Why bigrams: Chinese has no spaces, and PostgreSQL's parsers see a whole sentence as one
word. A segmenter (jieba) needs a dictionary and misses words it does not know (new place
names, 代表家站); ``pg_trgm`` cannot index a two-character word (a trigram needs three) and,
under this cluster's C locale, treats non-ASCII characters as separators. Bigrams find every
substring of two or more characters, are indexed with GIN, and a query is a phrase of its
bigrams (``预算 <-> 算监 <-> 监督``) so 预算监督 never matches 预算…监督 far apart. A one-
character query is a prefix of bigrams (``预:*``). Latin words and numbers are kept as words.
Ranking: ``ts_rank_cd`` with the title weighted above the body (A vs B).
"""
import html
import re

_TAG = re.compile(r"<[^>]*>")
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def plain_text(markup):
    return html.unescape(_TAG.sub(" ", markup or ""))


def _runs(text):
    return _RUN.findall((text or "").lower())


def tokens(text):
    """Index tokens of ``text`` in order: bigrams of each Chinese run (a lone character as
    itself), latin words and numbers as they are."""
    out = []
    for run in _runs(text):
        if _CJK.match(run) and len(run) > 1:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def document(text):
    """The text handed to ``to_tsvector('simple', …)``."""
    return " ".join(tokens(text))


def query(text, max_runs=8):
    """A ``to_tsquery('simple', …)`` string for what a reader typed, or None when it has no
    searchable characters. Each run must match (AND); a Chinese run matches as a phrase."""
    parts = []
    for run in _runs(text)[:max_runs]:
        run = run[:64]
        if _CJK.match(run):
            if len(run) == 1:
                parts.append(f"{run}:*")
            else:
                parts.append("(" + " <-> ".join(run[i:i + 2] for i in range(len(run) - 1)) + ")")
        else:
            parts.append(f"{run}:*")
    return " & ".join(parts) if parts else None
