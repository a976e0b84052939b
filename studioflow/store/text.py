"""The one matching rule: how typed text is compared with names, in Python and in SQL.

"emilie" finds "Émilie" and "dubois" finds "DUBOIS": text is case-folded, its
accents dropped (NFKD, then the combining marks removed) and its runs of spaces made one. The same function is the
SQL function `casefold` on every connection, so a query and a filter in Python agree.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """`text` as names are compared: case folded, accents and other combining marks dropped,
    runs of spaces made one."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Folding again after the marks are gone: NFKD may leave capitals (e.g. from ligatures).
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(bare.split())


def matches(typed: str, *texts: str) -> bool:
    """True when every word of `typed` is inside one of `texts` (the rule of every filter)."""
    haystack = fold(" ".join(texts))
    return all(word in haystack for word in fold(typed).split())


def escape_like(word: str, escape: str = "!") -> str:
    """`word` as a LIKE pattern's literal part (its % and _ and the escape itself escaped)."""
    return word.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
