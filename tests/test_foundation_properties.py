"""Property-based: no input, however broken, crashes a run; every file found is accounted for.

Each file must end up as exactly one of: an article, a skipped draft/future post, or a file
with at least one error naming it.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from foundation_support import NOW, make_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.content.collect import Collection, collect
from feeds.models import Severity

KEYS = ["title", "date", "updated", "lastmod", "tags", "categories", "author", "authors",
        "draft", "published", "link", "id", "slug", "format", "summary", "lang"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from([" ", "\t", "2021-11-04", "2021-11-04 11:38:02",
                     "Thu, 04 Nov 2021 03:38:02 GMT", "2021年11月04日 11:38", "1636000000",
                     "Thu, 32 Nov 2021", "0001-01-01",
                     "9999-12-31T23:59:59-05:00", "&amp;", "#", "新浪财经－国內", "a, b，c"]),
    st.dates(min_value=date(1, 1, 1)),
    st.datetimes(timezones=st.sampled_from([UTC, None])),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["name", "email", "url"]),
                                                     inner, max_size=3)
    ),
    max_leaves=6,
)
front_matter = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)

bodies = st.one_of(
    st.text(max_size=200),
    st.sampled_from([
        "", "\n", "# Heading\n\ntext", "<div>\n\n            <p>indented</p>\n</div>",
        "<style>a&#123;b&#125;</style><!-- c --><p class='article-editor'>责任编辑：x</p>",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~", "<p>unclosed <b>tags", "　　全角缩进。",
        "<!-- more -->", "<script>alert(1)</script><img src=x onerror=y>", "\x00\x01\x02",
    ]),
)


def yaml_file(meta: dict[str, Any], body: str) -> bytes:
    text = yaml.safe_dump(meta, allow_unicode=True, default_flow_style=False)
    return f"---\n{text}---\n{body}".encode("utf-8", "surrogatepass")


def json_file(meta: dict[str, Any], body: str) -> bytes:
    return (json.dumps(meta, default=str, ensure_ascii=False) + "\n" + body).encode(
        "utf-8", "surrogatepass"
    )


def raw_file(front: str, body: str) -> bytes:
    return f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass")


files = st.one_of(
    st.builds(yaml_file, front_matter, bodies),
    st.builds(json_file, front_matter, bodies),
    st.builds(raw_file, st.text(max_size=80), bodies),  # invalid YAML, TABs, anything
    st.binary(max_size=300),  # random bytes, empty files, NULs, legacy encodings
    st.builds(lambda b: b.encode("gb18030", "replace"), bodies),
)
ARTICLE_SUFFIXES = {".md", ".markdown", ".html", ".htm"}  # '.i.md.swp' etc. are not articles
names = st.sampled_from(["a.md", "b.markdown", "c.html", "d.htm", "2017-4-20-e.md", "浙江.md",
                         "f.md", "#g.md#", "h.md~", ".i.md.swp"])


def accounted(result: Collection, found: list[str]) -> None:
    articles = {a.source_path for a in result.articles}
    skipped = set(result.skipped)
    errored = {p.path for p in result.problems if p.severity is Severity.ERROR}
    assert result.files == len(found)
    for path in found:
        outcomes = (path in articles) + (path in skipped) + (path in errored - articles)
        assert outcomes == 1, (path, [str(p) for p in result.problems])
    for problem in result.problems:
        assert problem.path in found and problem.field and problem.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(names, files, min_size=1, max_size=5))
def test_every_file_is_an_article_a_skipped_draft_or_a_problem(tree: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, data in tree.items():
            (root / name).write_bytes(data)
        result = collect(make_config(), now=NOW, paths=[root])
        found = [str(p) for p in sorted(root.iterdir()) if p.suffix in ARTICLE_SUFFIXES]
        accounted(result, found)
        for article in result.articles:
            assert article.title.strip() and article.published.tzinfo is UTC
            assert article.updated >= article.published
            assert article.url.startswith("https://example.com/") or "://" in article.url


@settings(max_examples=40, deadline=None)
@given(front_matter, bodies)
def test_one_file_named_explicitly_never_crashes(meta: dict[str, Any], body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "post.txt"
        path.write_bytes(yaml_file(meta, body))
        result = collect(make_config(), now=NOW, paths=[path])
        accounted(result, [str(path)])


@settings(max_examples=40, deadline=None)
@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2090, 1, 1)),
    st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"]),
)
def test_a_written_hexo_date_is_read_in_the_site_timezone(moment: datetime, zone: str) -> None:
    moment = moment.replace(microsecond=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "post.md"
        path.write_text(f"---\ntitle: t\ndate: '{moment:%Y-%m-%d %H:%M:%S}'\n---\nx\n", "utf-8")
        config = make_config({"timezone": zone}, future=True)
        (article,) = collect(config, now=NOW, paths=[path]).articles
        assert article.published == moment.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
