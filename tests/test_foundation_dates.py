"""Dates: every accepted form to aware UTC; naive values take the site timezone."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from foundation_support import collect_paths, fixture, make_config, only_article
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.content.dates import ACCEPTED, DateError, date_from_filename, to_utc

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED_MOMENT = datetime(2021, 11, 4, 3, 38, 2, tzinfo=UTC)


@pytest.fixture(autouse=True)
def machine_in_another_timezone() -> Iterator[None]:
    """Run every date test with the machine clock in New York: results must not move."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.mark.parametrize(
    "value",
    [
        "Thu, 04 Nov 2021 03:38:02 GMT",  # RFC 822, the seed's form
        "Thu, 04 Nov 2021 11:38:02 +0800",
        "2021-11-04T03:38:02Z",  # ISO 8601
        "2021-11-04T11:38:02+08:00",
        "2021-11-04 11:38:02",  # Hexo, naive: site timezone
        "2021/11/04 11:38:02",
        datetime(2021, 11, 4, 11, 38, 2),  # what YAML makes of an unquoted Hexo date
        datetime(2021, 11, 4, 3, 38, 2, tzinfo=UTC),
        "1635997082",  # epoch seconds, as text
        1635997082,  # and as a YAML integer
        "2021年11月04日 11:38:02",
    ],
)
def test_every_form_reads_the_same_moment(value: object) -> None:
    assert to_utc(value, SHANGHAI) == SEED_MOMENT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-11-04", datetime(2021, 11, 3, 16, 0, tzinfo=UTC)),  # date only: site midnight
        (date(2021, 11, 4), datetime(2021, 11, 3, 16, 0, tzinfo=UTC)),
        ("2021年11月04日 11:38", datetime(2021, 11, 4, 3, 38, tzinfo=UTC)),
        ("2021年11月4日", datetime(2021, 11, 3, 16, 0, tzinfo=UTC)),
        ("2021年11月04日 11时38分", datetime(2021, 11, 4, 3, 38, tzinfo=UTC)),
        ("Thu, 04 Nov 2021 11:38:02", datetime(2021, 11, 4, 3, 38, 2, tzinfo=UTC)),  # no zone
        ("2021-11-04T11:38", datetime(2021, 11, 4, 3, 38, tzinfo=UTC)),
    ],
)
def test_dates_without_a_zone_take_the_site_timezone(value: object, expected: datetime) -> None:
    assert to_utc(value, SHANGHAI) == expected
    assert to_utc(value, UTC) == expected + timedelta(hours=8)  # same wall time, UTC site


def test_results_are_aware_utc_without_microseconds() -> None:
    parsed = to_utc("2021-11-04T11:38:02.987654+08:00", SHANGHAI)
    assert parsed.tzinfo is UTC and parsed.microsecond == 0


@pytest.mark.parametrize(
    "value",
    ["Thu, 32 Nov 2021", "yesterday", "2021-13-01", "  ", "1999", 2021, 1.5e12, True, None, []],
)
def test_unreadable_dates_name_the_value_and_the_forms(value: object) -> None:
    with pytest.raises(DateError) as raised:
        to_utc(value, SHANGHAI)
    assert str(raised.value) == f"{value!r} is not a date ({ACCEPTED})"


def test_out_of_range_yaml_date_is_a_date_error_not_a_crash() -> None:
    with pytest.raises(DateError):
        to_utc(date(1, 1, 1), SHANGHAI)


@pytest.mark.parametrize(
    ("stem", "expected_day", "rest"),
    [
        ("2017-04-20-name", date(2017, 4, 20), "name"),
        ("2017-4-20-name", date(2017, 4, 20), "name"),  # Jekyll accepts one-digit months
        ("2017-4-2-x", date(2017, 4, 2), "x"),
    ],
)
def test_jekyll_file_name_dates(stem: str, expected_day: date, rest: str) -> None:
    found = date_from_filename(stem, SHANGHAI)
    assert found is not None
    moment, remainder = found
    assert moment.astimezone(SHANGHAI).date() == expected_day
    assert moment.astimezone(SHANGHAI).hour == 0 and remainder == rest


@pytest.mark.parametrize("stem", ["2017-02-30-x", "notes", "2017-04-20", "17-04-20-x"])
def test_names_that_are_not_jekyll_dates(stem: str) -> None:
    assert date_from_filename(stem, SHANGHAI) is None


def test_jekyll_post_without_a_date_field_takes_the_file_name_date() -> None:
    article = only_article("2017-4-20-jekyll-short-date.md")
    assert article.published == datetime(2017, 4, 19, 16, 0, tzinfo=UTC)
    assert article.url == "https://example.com/2017/04/20/jekyll-short-date/"


def test_hexo_date_in_front_matter_uses_the_site_timezone() -> None:
    assert only_article("yaml_front_matter.md").published == SEED_MOMENT
    utc_site = make_config({"timezone": "UTC"})
    assert only_article("yaml_front_matter.md", utc_site).published == datetime(
        2021, 11, 4, 11, 38, 2, tzinfo=UTC
    )


def test_rfc822_seed_like_date() -> None:
    assert only_article("seed_like_indented_html.md").published == SEED_MOMENT


def test_toml_lastmod_is_the_update_date() -> None:
    article = only_article("toml_front_matter.md")
    assert article.published == SEED_MOMENT
    assert article.updated == datetime(2021, 11, 6, 1, 0, tzinfo=UTC)


def test_updated_is_the_published_date_when_absent() -> None:
    article = only_article("json_front_matter.md")
    assert article.updated == article.published == SEED_MOMENT


def test_updated_is_never_earlier_than_published() -> None:
    result = collect_paths(fixture("updated_before_published.md"))
    (article,) = result.articles
    assert article.updated == article.published == SEED_MOMENT
    assert [(p.field, p.message, str(p.severity)) for p in result.problems] == [
        ("updated", "is earlier than the publication date; used the publication date", "warning")
    ]


def test_an_unreadable_date_is_an_error_naming_the_value_and_the_forms() -> None:
    result = collect_paths(fixture("date_unreadable.md"))
    assert result.articles == ()
    assert [(p.field, p.message, str(p.severity)) for p in result.problems] == [
        ("date", f"'Thu, 32 Nov 2021' is not a date ({ACCEPTED})", "error")
    ]


def test_a_missing_date_is_an_error() -> None:
    result = collect_paths(fixture("no_front_matter.html"))
    assert result.articles == ()
    errors = [(p.field, p.message) for p in result.errors]
    assert errors == [("date", f"missing (write date: in one of these forms: {ACCEPTED})")]


def test_an_unreadable_update_date_falls_back_to_published_with_a_warning() -> None:
    result = collect_paths(fixture("updated_unreadable.md"))
    (article,) = result.articles
    assert article.updated == article.published == SEED_MOMENT
    assert [(p.field, p.message, str(p.severity)) for p in result.problems] == [
        ("modified", f"'someday' is not a date ({ACCEPTED}); used the publication date", "warning")
    ]


def _by_email_utils(text: str) -> object:
    """What to_utc gives for ``text`` read by email.utils alone (the fast path off)."""
    from feeds.content import dates

    saved = dates._RFC822_COMMON
    dates._RFC822_COMMON = re.compile(r"(?!)")  # matches nothing
    try:
        return to_utc(text, SHANGHAI)
    except DateError:
        return "error"
    finally:
        dates._RFC822_COMMON = saved


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    weekday=st.sampled_from(["", "Wed, ", "Xyz, "]),
    month=st.sampled_from(["", "Foo", "jan", "DEC"]),
    seconds=st.booleans(),
    zone=st.one_of(st.sampled_from(["GMT", "UTC", "UT", "Z", "-0000", "+2400", "+0099"]),
                   st.from_regex(r"[+-][0-2][0-9][0-5][0-9]", fullmatch=True)),
    day=st.integers(min_value=1, max_value=32),
)
def test_common_rfc822_dates_read_as_email_utils_reads_them(
    moment: datetime, weekday: str, month: str, seconds: bool, zone: str, day: int
) -> None:
    """The fast path for "Wed, 02 Feb 2022 01:34:26 GMT" gives what email.utils gives,
    also for impossible days, unknown months and zones, and moments at the calendar's ends."""
    written_month = month or moment.strftime("%b")
    clock = f"{moment:%H:%M}" + (f":{moment:%S}" if seconds else "")
    text = f"{weekday}{day:02d} {written_month} {moment.year:04d} {clock} {zone}"
    try:
        fast: object = to_utc(text, SHANGHAI)
    except DateError:
        fast = "error"
    assert fast == _by_email_utils(text)
