"""Fast paths of the code that runs over every article of an archive on each rebuild: each
one gives exactly what the plain version gives."""

from __future__ import annotations

import os
import re
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

import pytest
from feeds_support import article
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.config import default_config
from feeds.content.bodyformat import block_marks
from feeds.content.collect import collect
from feeds.content.collectrun import learning_sample
from feeds.content.discover import Source, _ignored, _junk, discover, display_path
from feeds.content.normalize import Meta
from feeds.content.perfile import FileRecord
from feeds.content.readers import READERS
from feeds.content.suffixes import stem_of, suffix_of
from feeds.html.rules import source_of
from feeds.html.urls import LINK_SCHEMES, MEDIA_SCHEMES, absolute, cleaned_ref, resolved
from feeds.models import Article, sort_newest_first
from feeds.render.fields import (
    FIELDS,
    all_supply_every_field,
    missing_fields,
    supplies_every_field,
)

BASE = datetime(2024, 3, 1, tzinfo=UTC)
URLS = st.sampled_from([
    "https://example.com/a/", "http://example.com/a", "HTTPS://example.com/", "https://",
    "https:///x", "http://", "http:///x", "ftp://example.com/", "", "  ", "/relative/",
    "https://例子.中国/文章/", "https:/example.com", "mailto:a@example.com",
])
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(0)),
                         None])
DATES = st.builds(lambda hours, zone: (BASE + timedelta(hours=hours)).replace(tzinfo=zone),
                  st.integers(-50, 50), ZONES)


@settings(max_examples=300, deadline=None)
@given(url=URLS, published=DATES, updated=DATES, title=st.sampled_from(["t", "", " ", "标题"]),
       ident=st.sampled_from(["id-1", "", "\t"]))
def test_every_field_check_agrees_with_missing_fields(
    url: str, published: datetime, updated: datetime, title: str, ident: str
) -> None:
    subject = replace(article(), url=url, published=published, updated=updated, title=title,
                      id=ident)
    assert supplies_every_field(subject) == (not missing_fields(subject, FIELDS))


# mostly the values of a usual article, so that lists of them often pass whole
_GOOD_URL = st.sampled_from(["https://example.com/a/", "http://example.com/a"])
_UTC_DATE = st.builds(lambda hours: BASE + timedelta(hours=hours), st.integers(-50, 50))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_GOOD_URL | URLS, _UTC_DATE | DATES, _UTC_DATE | DATES,
                          st.sampled_from(["t", "标题"]) | st.sampled_from(["", " "]),
                          st.just("id-1") | st.sampled_from(["", "\t"])), max_size=6))
def test_the_all_articles_field_check_agrees_with_each_article(
    rows: list[tuple[str, datetime, datetime, str, str]],
) -> None:
    items = [replace(article(), url=url, published=published, updated=updated, title=title,
                     id=ident) for url, published, updated, title, ident in rows]
    each = [supplies_every_field(a) for a in items]
    usual = all(a.url.startswith(("https://", "http://")) and a.published.tzinfo is UTC
                and a.updated.tzinfo is UTC for a in items)
    if all_supply_every_field(items):
        assert all(each)
    elif usual:  # the articles a build meets: the quick answer is the answer
        assert not all(each)


@pytest.mark.parametrize("field, value", [
    ("url", "https://"), ("url", "http://"), ("url", "https:///x"), ("url", "http:///x"),
    ("url", "ftp://example.com/"), ("url", " "), ("published", datetime(2024, 1, 1)),
    ("updated", datetime(2024, 1, 1)), ("id", " "), ("title", "\t"),
])
def test_one_article_lacking_a_field_fails_the_all_articles_check(
    field: str, value: object
) -> None:
    lacking = replace(article(), **{field: value})
    assert not supplies_every_field(lacking)
    assert not all_supply_every_field([article(), lacking, article()])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from("abcde")), max_size=30),
       st.booleans(), st.sampled_from(["published", "updated"]))
def test_sorting_newest_first_agrees_with_the_plain_key(
    keys: list[tuple[int, str]], presorted: bool, order: str
) -> None:
    items = [
        replace(article(), id=f"{letter}-{n}" if n % 3 else letter,
                published=BASE + timedelta(days=day), updated=BASE + timedelta(days=6 - day))
        for n, (day, letter) in enumerate(keys)
    ]
    def plain(a: Article) -> tuple[float, str]:
        return (-getattr(a, order).timestamp(), a.id)

    if presorted:  # the common case the fast path recognises: already in order
        items.sort(key=plain)
    expected = sorted(items, key=plain)
    sort_newest_first(items, order)
    assert [(a.id, getattr(a, order)) for a in items] == [
        (a.id, getattr(a, order)) for a in expected
    ]


def test_mixed_naive_and_aware_dates_still_sort() -> None:
    naive = replace(article(), id="b", published=datetime(2024, 3, 2))
    aware = replace(article(), id="a", published=datetime(2024, 3, 1, tzinfo=UTC))
    items = [aware, naive]
    sort_newest_first(items)
    assert [a.id for a in items] == sorted(
        ["a", "b"], key=lambda i: -{"a": aware, "b": naive}[i].published.timestamp()
    )


def _meta(published: datetime, ident: str, categories: tuple[str, ...]) -> Meta:
    return Meta(title=ident, published=published, updated=published, authors=(),
                categories=categories, tags=(), slug=ident, url=ident, id=ident,
                language="en", declared_summary=None, draft=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["甲", "乙", "丙 ", "甲/乙", ""]),
                          st.sampled_from(["a", "b/c"])), max_size=40),
       st.integers(1, 6), st.sampled_from(["category", "folder"]))
def test_the_learning_sample_is_the_newest_of_each_source(
    rows: list[tuple[int, str, str]], limit: int, by: str
) -> None:
    config = default_config({"cleaning": {"boilerplate": {"sample": limit, "source_by": by}}})
    kept = [Source(f"/c/{folder}/{n:03d}.md", f"c/{folder}/{n:03d}.md", f"{n:03d}.md", False)
            for n, (_, _, folder) in enumerate(rows)]
    metas = [_meta(BASE + timedelta(days=day), f"id-{n % 7}", tuple(filter(None, cats.split("/"))))
             for n, (day, cats, _) in enumerate(rows)]
    records = {s.fspath: FileRecord(m, None, (), ()) for s, m in zip(kept, metas, strict=True)}
    groups: dict[str, list[tuple[Source, Meta]]] = {}
    for source, meta in zip(kept, metas, strict=True):
        key = source_of(source.display, meta.categories, by, 2)
        groups.setdefault(key, []).append((source, meta))
    expected: set[str] = set()
    for members in groups.values():
        members.sort(key=lambda pair: (-pair[1].published.timestamp(), pair[1].id))
        expected.update(source.fspath for source, _ in members[:limit])
    chosen = learning_sample(kept, records, config)
    assert [s.fspath for s in chosen] == [s.fspath for s in kept if s.fspath in expected]


def test_collected_articles_carry_every_field_of_an_article(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("---\ntitle: A\ndate: 2024-03-01\n---\n\nBody.\n")
    config = default_config({"site": {"url": "https://example.com/"},
                             "content": {"dirs": [str(content)]}, "state": str(tmp_path / "s")})
    indexed: list[Article] = []

    def choose(index: object) -> set[str]:
        indexed.extend(index)  # type: ignore[call-overload]
        return set()

    collect(config, now=BASE, clean_only=choose)
    for made in (*collect(config, now=BASE).articles, *indexed):
        assert set(vars(made)) == {f.name for f in fields(Article)}
        assert made == Article(**vars(made))
    assert len(indexed) == 1


def _plain_groups(articles: list[Article], per: str) -> list[tuple[str, str, list[str]]]:
    """groups() as it was written first: one pass, a match per name of every article."""
    from feeds.content.slugs import match_key, slugify
    from feeds.render.select import names_of

    display: dict[str, str] = {}
    members: dict[str, list[Article]] = {}
    for item in articles:
        for name in names_of(item, per):
            key = match_key(name)
            if not key:
                continue
            display.setdefault(key, name.strip())
            bucket = members.setdefault(key, [])
            if not bucket or bucket[-1] is not item:
                bucket.append(item)
    return [(display[k], slugify(display[k]), [a.id for a in found])
            for k, found in members.items()]


NAMES = st.sampled_from(["金融", "新浪财经－国內", "新浪财经-国內", " 金融 ", "Tech", "tech",
                         "", "  ", "A–B", "a-b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(NAMES, max_size=4), st.lists(NAMES, max_size=3)),
                max_size=25),
       st.sampled_from(["category", "tag", "author"]))
def test_grouping_by_name_agrees_with_one_match_per_name(
    rows: list[tuple[list[str], list[str]]], per: str
) -> None:
    from feeds.models import Author
    from feeds.render.select import groups

    items = [replace(article(), id=f"a{n}", categories=tuple(cats), tags=tuple(tags),
                     authors=tuple(Author(t) for t in tags))
             for n, (cats, tags) in enumerate(rows)]
    made = [(g.name, g.slug, [a.id for a in g.articles]) for g in groups(items, per)]
    assert made == _plain_groups(items, per)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(NAMES, max_size=3), st.integers(0, 6), st.integers(0, 6)),
                max_size=25),
       st.sampled_from(["category", "tag"]), st.sampled_from(["published", "updated"]),
       st.lists(NAMES, max_size=2), st.lists(NAMES, max_size=2))
def test_a_group_of_a_selection_needs_no_selecting_again(
    rows: list[tuple[list[str], int, int]], per: str, order: str, include: list[str],
    exclude: list[str],
) -> None:
    """plan takes each group of a per-name feed as it comes (see plan._expand)."""
    from feeds.config.sections.feeds import FeedSpec
    from feeds.render.select import groups, select

    items = [replace(article(), id=f"a{n % 4}-{n}", categories=tuple(names), tags=tuple(names),
                     published=BASE + timedelta(days=p), updated=BASE + timedelta(days=p + u))
             for n, (names, p, u) in enumerate(rows)]
    spec = FeedSpec(name="x", format="atom", path="x/{slug}.xml", per=per, order=order,
                    include={"categories": include}, exclude={"tags": exclude})
    for group in groups(select(items, spec, 0), per):
        assert list(group.articles) == select(group.articles, spec, 0)



def _walked(root: Path, ignore: list[str]) -> list[tuple[str, str, str]]:
    """(path, display, rel) of every article file, found with os.walk: the plain version."""
    found = []
    shown = display_path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_drafts"))]
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            wanted = name.lower().endswith(tuple(READERS)) and not _junk(name)
            if wanted and not _ignored(rel, ignore):
                display = rel if shown == "." else f"{shown}/{rel}"
                found.append((os.path.join(dirpath, name), display, rel))
    return sorted(found, key=lambda f: f[1])


def test_listing_a_folder_agrees_with_os_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "content"
    for rel in ["a.md", "b.HTML", "x.txt", ".hidden.md", "#x.md#", "x.md~", "y.tmp",
                "news/2024/c.md", "news/2024/d.markdown", "news/.git/e.md", "_drafts/f.md",
                "_posts/g.md", "deep/er/and/deeper/h.htm", "skip/i.md", "news/skip.md"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("---\ntitle: t\n---\nbody\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "j.md").write_text("x", encoding="utf-8")
    (root / "linked").symlink_to(tmp_path / "elsewhere")  # listed, never walked into
    (root / "k.md").symlink_to(root / "a.md")  # a linked file is a file
    (root / "broken.md").symlink_to(root / "missing.md")
    for ignore in ([], ["skip/*", "skip.md"]):
        for where in (tmp_path, root / "news", root):  # names are relative to the working folder
            monkeypatch.chdir(where)
            listed = discover([root], ignore, explicit=False)
            assert [(s.fspath, s.display, s.rel) for s in listed] == _walked(root, ignore)
            stats = {s.rel: s.stat for s in listed}
            assert stats["broken.md"] is None and stats["k.md"] == stats["a.md"] is not None


_URL_PIECES = st.sampled_from([
    "http://", "https://", "HTTP://", "ftp://", "//", "example.com", "EXAMPLE.com", "a..b",
    "例子.中国", "127.0.0.1", ":8080", ":x", "user@", "/", "//", "/路径", "?", "?q=1", "#",
    "#top", ";p", ";", "%20", " ", "\t", "\x01", "\u3000", "-", ".", "[::1]", "a", "é",
    "?a?b", "#a#b", "/x/../y", "\\", "mailto:", "tel:", "javascript:",
])
# URLs built part by part: most are the simple kind, each part sometimes odd
_URLS_BY_PART = st.tuples(
    st.sampled_from(["http://", "https://", "HTTP://", "//", "ftp://", ""]),
    st.sampled_from(["example.com", "EXAMPLE.com", "a..b", "例子.中国", "127.0.0.1", "",
                     "example.com:8080", "example.com:x", "user@example.com", "[::1]", "."]),
    st.lists(st.sampled_from(["/", "/a", "/路径", ";", ";p", "/x/../y", "%20", " ", "\u3000",
                              "\x01", "\\", ":", "//"]), max_size=4).map("".join),
    st.sampled_from(["", "", "?", "?q=1", "?a?b", "?;", "? x", "?é"]),
    st.sampled_from(["", "", "#", "#top", "#a#b", "#;", "#\u3000"]),
).map("".join)
_BASES = st.sampled_from(["https://example.com/a/b.html", "http://example.com/", "",
                          "ftp://example.com/"])
_SCHEMES_SETS = st.sampled_from([LINK_SCHEMES, MEDIA_SCHEMES])


@settings(max_examples=3000, deadline=None)
@given(_URLS_BY_PART | st.lists(_URL_PIECES, min_size=1, max_size=7).map("".join), _BASES,
       _SCHEMES_SETS)
def test_a_simple_absolute_url_resolves_as_the_long_way_does(
    ref: str, base: str, schemes: frozenset[str]
) -> None:
    assert absolute.__wrapped__(ref, base, schemes) == resolved(cleaned_ref(ref), base, schemes)


@settings(max_examples=300, deadline=None)
@given(
    folder=st.sampled_from(["", "posts/", "/srv/site/content/", "a.b/", "./"]),
    name=st.text(alphabet=st.sampled_from("ab.-_ M文"), min_size=1, max_size=10).filter(
        lambda name: name not in (".", "..")  # folders, never a file's name
    ),
)
def test_the_suffix_of_a_path_string_is_the_suffix_of_its_path(folder: str, name: str) -> None:
    """Readers take the file's suffix from its path string (no Path made per file)."""
    assert suffix_of(folder + name) == Path(folder + name).suffix


@settings(max_examples=300, deadline=None)
@given(
    folder=st.sampled_from(["", "posts/", "2021/11/", "a.b/"]),
    name=st.text(alphabet=st.sampled_from("ab.-_ M文"), min_size=1, max_size=10).filter(
        lambda name: name not in (".", "..")
    ),
)
def test_the_stem_of_a_relative_path_is_the_stem_of_its_path(folder: str, name: str) -> None:
    """Normalizing takes a file's stem (for slugs and Jekyll dates) from its path string."""
    assert stem_of(folder + name) == PurePosixPath(folder + name).stem


# lines built from pieces that make or nearly make Markdown block marks
_LINE_PIECES = st.sampled_from(
    ["#", "# ", "####### ", "- ", "-", "* ", "+ ", "1. ", "12. ", "١. ", "```", "> ", ">",
     " ", "text", "<p>", "\n", "\r\n", "\u3000", "**b** "]
)


@settings(max_examples=500, deadline=None)
@given(text=st.lists(_LINE_PIECES, max_size=20).map("".join))
def test_block_marks_counts_what_a_multiline_search_counts(text: str) -> None:
    reference = re.compile(r"^(?:#{1,6} |[*+-] |\d+\. |```|> )", re.MULTILINE)
    assert block_marks(text) == len(reference.findall(text))
