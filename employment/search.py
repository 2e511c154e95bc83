"""Keyword search of the job board: character n-grams for an inverted (GIN) index.

Chinese is written without spaces, so a word index does not apply and ``LIKE '%保安%'`` had to
read every public posting. Each posting therefore keeps ``search_grams``: the distinct single
characters and character pairs of its title, its employer's name and its description,
space-separated ("保安队长" → 保 安 队 长 保安 安队 队长). On PostgreSQL a GIN index over
these grams as an array finds the postings holding every pair of a keyword
(its one character for a 1-character keyword) — a necessary condition of the substring match.
The selector keeps the ``LIKE`` as the deciding test, so the results are exactly those of
``LIKE`` alone; SQLite (``make run`` without DATABASE_URL) uses the plain ``LIKE``.

``search_grams`` is written by ``JobPosting.save()`` and refreshed for all of an employer's
postings by ``Employer.save()`` when the name changes (and by ``seed_demo`` for its bulk insert).
"""

from __future__ import annotations

import unicodedata

SEPARATOR = " "
# PostgreSQL: the grams as an array, through the function of migration 0005 (plpgsql, declared
# costly, so that a plan walking the newest postings tests the cheap LIKE first and the array
# only for rows that passed it); a partial GIN index on it covers published postings.
PG_GRAMS_SQL = "employment_posting_grams(%s)"


def _ok(gram: str) -> bool:
    # Keywords are whitespace-split words: a gram with whitespace is never asked for.
    return not any(ch.isspace() for ch in gram)


def text_grams(*texts: str) -> str:
    """The distinct characters and character pairs of ``texts``, sorted, space-separated."""
    grams: set[str] = set()
    for text in texts:
        text = text or ""
        grams.update(text)
        grams.update(text[i : i + 2] for i in range(len(text) - 1))
    return SEPARATOR.join(sorted(g for g in grams if _ok(g)))


def _caseless(ch: str) -> bool:
    # Letters without case (CJK ideographs, kana, Hangul: category Lo) and decimal digits are
    # the same under SQL UPPER(); anything else may match another character case-insensitively.
    return unicodedata.category(ch) in ("Lo", "Nd")


def keyword_grams(word: str, *, case_insensitive: bool) -> list[str]:
    """Grams every posting matching ``word`` must hold (an empty list: no condition).

    A case-sensitive word needs all of its pairs (a 1-character word: the character). A
    case-insensitive word (it holds Latin letters) needs only the grams of its runs of
    caseless characters, e.g. "A级司机" → 级司, 司机; "java" → none.
    """
    if not case_insensitive:
        runs = [word]
    else:
        runs, run = [], ""
        for ch in word:
            if _caseless(ch):
                run += ch
            else:
                if run:
                    runs.append(run)
                run = ""
        if run:
            runs.append(run)
    needed: set[str] = set()
    for run in runs:
        if len(run) == 1:
            needed.add(run)
        else:
            needed.update(run[i : i + 2] for i in range(len(run) - 1))
    return sorted(g for g in needed if _ok(g))
