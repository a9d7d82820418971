"""ID numbers and phones in the bad rows an import job keeps for its page (ImportJob.bad_rows).

A bad row's reason quotes what the importer typed ("公民身份号码“210802199507142118”校验不通过"),
so the job's page would show full ID numbers and phones to anyone who may see the job. When a
bad row is recorded, `pii_spans` notes where in its reason the row's personal data is quoted (the
whole number, or a part of it such as the birth date); the page shows those spans masked, by
parties.pii's masks as they are when the page is shown, unless the user may reveal personal data
in the job's region (`masked_bad_rows`). Bad rows kept before the spans existed are masked by
their long runs of digits instead.
"""

from __future__ import annotations

import re
import unicodedata

from parties.pii import mask_id_number, mask_phone

ID_NUMBER = "id_number"
PHONE = "phone"
PART = "part"  # a piece of a number (a birth date): masked whole

# A run of digits as a reason quotes it: 21080219950714211X, 138 0000 0001, 0417-2812345, 1995-07-14.
_RUN = re.compile(r"\d[\d Xx\-－]*[\dXx]")
_NOT_SIGNIFICANT = re.compile(r"[^0-9X]")
MIN_DIGITS = 6  # shorter pieces ("前 2 位“21”", "是 17 位") say nothing about the person


def _signature(text: str) -> str:
    return _NOT_SIGNIFICANT.sub("", unicodedata.normalize("NFKC", text).upper())


def pii_spans(reason: str, values: list[tuple[str, str]]) -> list[list]:
    """[start, end, kind] of each piece of `reason` that quotes one of `values` ((kind, text as typed)
    of the row's personal-data cells): kind ID_NUMBER or PHONE for the whole number, PART for a piece."""
    numbers = [(kind, sig) for kind, text in values if len(sig := _signature(text)) >= MIN_DIGITS]
    spans: list[list] = []
    if not numbers:
        return spans
    for match in _RUN.finditer(reason):
        quoted = _signature(match.group())
        if len(quoted) < MIN_DIGITS:
            continue
        for kind, number in numbers:
            if quoted == number or quoted in number:
                spans.append([match.start(), match.end(), kind if quoted == number else PART])
                break
    return spans


def _mask(text: str, kind: str) -> str:
    if kind == ID_NUMBER:
        return mask_id_number(text)
    if kind == PHONE:
        return mask_phone(text)
    return "*" * len(text)


def _legacy_spans(reason: str) -> list[list]:
    """For a bad row kept without spans: every run of 7 digits or more, as an ID number from 15 on."""
    spans = []
    for match in _RUN.finditer(reason):
        digits = len(_signature(match.group()))
        if digits >= 7:
            spans.append([match.start(), match.end(), ID_NUMBER if digits >= 15 else PHONE])
    return spans


def masked_reason(reason: str, spans: list[list]) -> str:
    out, last = [], 0
    for start, end, kind in sorted(spans):
        if start < last:
            continue
        out += [reason[last:start], _mask(reason[start:end], kind)]
        last = end
    out.append(reason[last:])
    return "".join(out)


def masked_bad_rows(bad_rows: list[dict], *, reveal: bool) -> list[dict]:
    """The job's bad rows as the page shows them: as recorded if `reveal`, else with the ID numbers
    and phones their reasons quote masked."""
    if reveal:
        return bad_rows
    return [
        {**entry, "reason": masked_reason(entry.get("reason", ""),
                                          entry["pii"] if "pii" in entry else _legacy_spans(entry.get("reason", "")))}
        for entry in bad_rows
    ]
