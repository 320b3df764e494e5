"""Which articles a digest takes: period bounds, filters, limit, grouping, transport URLs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from test_digest_support import NOW, make_article, make_config

from feeds.config.sections.digests import DigestSpec, TransportSettings
from feeds.digest.select import group_articles, select_articles
from feeds.digest.transport import parse_transport_url
from feeds.errors import UsageError


def spec(**values: object) -> DigestSpec:
    return DigestSpec.model_validate({"name": "daily", **values})


def test_period_is_open_at_the_start_and_closed_at_the_end() -> None:
    at_start = make_article(1, hours_ago=24)
    inside = make_article(2, hours_ago=12)
    at_end = make_article(3, hours_ago=0)
    future = make_article(4, hours_ago=-1)
    chosen = select_articles([at_start, inside, at_end, future], spec(),
                             start=NOW - timedelta(hours=24), end=NOW)
    assert chosen == (at_end, inside)


def test_already_sent_ids_are_left_out() -> None:
    a, b = make_article(1), make_article(2, hours_ago=2)
    chosen = select_articles([a, b], spec(), start=NOW - timedelta(days=1), end=NOW,
                             already_sent={a.id})
    assert chosen == (b,)


def test_include_exclude_match_names_case_and_width_insensitively() -> None:
    finance = make_article(1, categories=("新浪财经－国內",))
    sport = make_article(2, categories=("Sport",))
    other = make_article(3, categories=("Weather",))
    rule = spec(include={"categories": ["新浪财经-国內", "sport"]},
                exclude={"authors": ["Nobody"]})
    chosen = select_articles([finance, sport, other], rule, start=NOW - timedelta(days=1), end=NOW)
    assert {a.id for a in chosen} == {finance.id, sport.id}
    dropped = select_articles([finance, sport], spec(exclude={"categories": ["SPORT"]}),
                              start=NOW - timedelta(days=1), end=NOW)
    assert dropped == (finance,)


def test_max_items_keeps_the_newest() -> None:
    articles = [make_article(n, hours_ago=n + 1) for n in range(10)]
    chosen = select_articles(articles, spec(max_items=3), start=NOW - timedelta(days=1), end=NOW)
    assert [a.id for a in chosen] == [a.id for a in articles[:3]]


def test_grouping_keeps_first_appearance_order_and_puts_uncategorized_last() -> None:
    articles = [make_article(1, categories=()), make_article(2, categories=("B",)),
                make_article(3, categories=("a",)), make_article(4, categories=("b",))]
    groups = group_articles(articles, "category")
    assert [(g.title, [a.id[-2] for a in g.articles]) for g in groups] == [
        ("B", ["2", "4"]), ("a", ["3"]), ("", ["1"])]
    assert [len(g.articles) for g in group_articles(articles, "none")] == [4]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:2525", ("smtp", "127.0.0.1", 2525, "none", None)),
        ("smtp://me@mail.example.com", ("smtp", "mail.example.com", None, "starttls", "me")),
        ("smtps://mailer@mail.example.com:465", ("smtp", "mail.example.com", 465, "tls", "mailer")),
    ],
)
def test_transport_urls(url: str, expected: tuple[object, ...]) -> None:
    got = parse_transport_url(url, TransportSettings())
    assert (got.kind, got.host, got.port, got.security, got.username) == expected


def test_outbox_url_and_bad_urls(tmp_path: Path) -> None:
    got = parse_transport_url(f"outbox:{tmp_path}", TransportSettings())
    assert (got.kind, got.dir) == ("outbox", tmp_path)
    for bad in ("http://x", "smtp://", "outbox:"):
        with pytest.raises(UsageError):
            parse_transport_url(bad, TransportSettings())


def test_config_refuses_a_clear_text_password(tmp_path: Path) -> None:
    from feeds.errors import ConfigError

    with pytest.raises(ConfigError, match="secrets are read from the environment only"):
        make_config(tmp_path, transport={"kind": "smtp", "password": "hunter2"})


def test_config_checks_addresses_and_the_subject_template(tmp_path: Path) -> None:
    from feeds.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        make_config(tmp_path, digest={"from": "nobody", "subject": "{{ date"})
    assert caught.value.problems == [
        "digests[0].subject: not a valid Jinja2 template: unexpected end of template, "
        "expected 'end of print statement'.",
        "digests[0].from: expected 'Name <address@example.com>' or an address, got 'nobody'",
    ]
