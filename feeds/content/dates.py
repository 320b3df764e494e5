"""Reading the many ways articles write dates into aware UTC datetimes.

Naive values take the site timezone, never the machine's.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

ACCEPTED = "RFC 822, ISO 8601, YYYY-MM-DD HH:MM:SS, YYYY年MM月DD日 or epoch seconds"

_CHINESE = re.compile(
    r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*"
    r"(?:(\d{1,2})\s*[:：时点]\s*(\d{1,2})\s*分?(?:\s*[:：]?\s*(\d{1,2})\s*秒?)?)?\s*$"
)
_LOOSE = re.compile(
    r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?\s*$"
)
_EPOCH = re.compile(r"^\s*\d{9,11}(\.\d+)?\s*$")
_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
_LETTERS = re.compile(r"[A-Za-z]{3}")  # a month or day name: RFC 822 at all
_NAMED_UTC = re.compile(r"(-0000|GMT|UTC|UT)\s*$")  # no offset, but a zone written


class DateError(ValueError):
    """A value that is not a date in any accepted form."""


def to_utc(value: Any, site_tz: tzinfo) -> datetime:
    """Any accepted date value as an aware UTC datetime; raise DateError otherwise."""
    try:
        parsed = _convert(value, site_tz)
    except OverflowError:  # e.g. YAML's 0001-01-01 moved into UTC
        parsed = None
    if parsed is None:
        raise DateError(f"{value!r} is not a date ({ACCEPTED})")
    return parsed


def _convert(value: Any, site_tz: tzinfo) -> datetime | None:
    if isinstance(value, datetime):
        return _aware(value, site_tz)
    if isinstance(value, date):
        return _aware(datetime(value.year, value.month, value.day), site_tz)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(value)
    if isinstance(value, str) and value.strip():
        return _parse_text(value.strip(), site_tz)
    return None


def date_from_filename(stem: str, site_tz: tzinfo) -> tuple[datetime, str] | None:
    """Jekyll's ``2017-04-20-title`` (also ``2017-4-20-title``): the date and the rest."""
    match = _JEKYLL_NAME.match(stem)
    if not match:
        return None
    year, month, day, rest = match.groups()
    try:
        return _aware(datetime(int(year), int(month), int(day)), site_tz), rest
    except ValueError:
        return None


def _parse_text(text: str, site_tz: tzinfo) -> datetime | None:
    for parse in (_iso, _loose, _chinese, _rfc822, _epoch_text):
        try:
            result = parse(text, site_tz)
        except (ValueError, TypeError, OverflowError, IndexError):
            continue
        if result is not None:
            return result
    return None


def _iso(text: str, site_tz: tzinfo) -> datetime | None:
    if not text[:4].isdigit():
        return None
    return _aware(datetime.fromisoformat(text.replace("z", "Z")), site_tz)


def _loose(text: str, site_tz: tzinfo) -> datetime | None:
    match = _LOOSE.match(text)
    return _from_groups(match.groups(), site_tz) if match else None


def _chinese(text: str, site_tz: tzinfo) -> datetime | None:
    match = _CHINESE.match(text)
    return _from_groups(match.groups(), site_tz) if match else None


def _rfc822(text: str, site_tz: tzinfo) -> datetime | None:
    if not _LETTERS.search(text):
        return None
    common = _RFC822_COMMON.match(text)
    if common is not None and (read := _common_rfc822(common)) is not None:
        return read  # what feed pipelines write: read here, as email.utils would
    from email.utils import parsedate_to_datetime  # 7 ms of imports, for RFC 822 dates only

    parsed = parsedate_to_datetime(text)
    if parsed.tzinfo is None and not _NAMED_UTC.search(text):
        return _aware(parsed, site_tz)  # no zone written at all: the site's
    return _aware(parsed, UTC)


# "Wed, 02 Feb 2022 01:34:26 GMT" and "2 Feb 2022 01:34 +0800": the form nearly every
# scraped article carries, read without email.utils (10 us a date, on every file of an
# archive); anything else (other zones, two-digit years, odd spacing) is left to it
_RFC822_COMMON = re.compile(
    r"(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?"
    r" (GMT|UTC|UT|Z|[+-]\d{4})\Z"
)
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def _common_rfc822(match: re.Match[str]) -> datetime | None:
    day, month_name, year, hour, minute, second, zone = match.groups()
    month = _MONTHS.get(month_name.lower())
    offset = 0
    if zone[0] in "+-":
        offset = int(zone[1:3]) * 3600 + int(zone[3:]) * 60
        offset = -offset if zone[0] == "-" else offset
    if month is None or abs(offset) >= 86400 or year[0] == "0":
        return None  # not a month, no zone Python has, or a year it reads as two-digit
    moment = datetime(int(year), month, int(day), int(hour), int(minute), int(second or 0))
    return (moment - timedelta(seconds=offset)).replace(tzinfo=UTC)


def _epoch_text(text: str, _site_tz: tzinfo) -> datetime | None:
    return _from_epoch(float(text)) if _EPOCH.match(text) else None


def _from_groups(groups: tuple[str | None, ...], site_tz: tzinfo) -> datetime:
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in groups)
    return _aware(datetime(year, month, day, hour, minute, second), site_tz)


def _from_epoch(seconds: float) -> datetime:
    # Only 9-11 digit values read as epoch seconds: `date: 2021` is a year, and a
    # millisecond stamp would overflow (both are reported, not guessed at).
    if not 1e8 <= abs(seconds) < 1e11:
        raise DateError(f"{seconds!r} is not a date ({ACCEPTED})")
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)


def _aware(value: datetime, site_tz: tzinfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=site_tz)
    return value.astimezone(UTC).replace(microsecond=0)
