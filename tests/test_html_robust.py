"""Bad input never crashes and never yields unsafe markup (property-based where it counts)."""

from __future__ import annotations

import base64
import re
import time

import pytest
from html_support import build, config, tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.content.pipeline import ContentResult, CorpusHints, build_content, learn_corpus
from feeds.html.sanitize import sanitize

ON_ATTR = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
TAGS = ["p", "div", "a", "img", "script", "style", "iframe", "svg", "math", "noscript", "object",
        "embed", "form", "span", "table", "td", "template", "textarea", "title"]  # fmt: skip
ATTRS = ["href", "src", "srcset", "data-src", "onclick", "onerror", "style", "formaction",
         "xlink:href", "poster", "hidden", "class"]  # fmt: skip
VALUES = ["javascript:alert(1)", " JaVaScRiPt:x", "java\tscript:y", "data:text/html,<script>",
          "vbscript:z", "//evil.example/x.js", "https://ok.example/a.png", "x\" onload=\"y",
          "&#106;avascript:q", "display:none", "1", ""]  # fmt: skip


@st.composite
def hostile_html(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        tag = draw(st.sampled_from(TAGS))
        attrs = " ".join(
            f'{draw(st.sampled_from(ATTRS))}="{draw(st.sampled_from(VALUES))}"'
            for _ in range(draw(st.integers(0, 3)))
        )
        inner = draw(st.text(max_size=20))
        close = draw(st.sampled_from([f"</{tag}>", "", "</p>", "<!--", "-->"]))
        parts.append(f"<{tag} {attrs}>{inner}{close}")
    return "".join(parts)


def assert_safe(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert not ON_ATTR.search(html)
    for el in tree(html).iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on")
            compact = re.sub(r"[\x00-\x20]", "", value).lower()
            assert not compact.startswith(("javascript:", "vbscript:", "data:")), (name, value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_html())
def test_sanitizer_output_is_always_safe(html: str):
    assert_safe(sanitize(html))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(hostile_html(), st.text(max_size=300)))
def test_whole_pipeline_output_is_always_safe(html: str):
    result = build(html)
    assert isinstance(result, ContentResult)
    assert_safe(result.content_html)
    assert "<" not in result.summary or "<" in html  # plain text: markup only if it was text


def test_ten_thousand_nested_divs():
    html = "<div>" * 10_000 + "<p>深处的文字。</p>" + "</div>" * 10_000
    started = time.perf_counter()
    result = build(html)
    assert time.perf_counter() - started < 10
    assert "深处的文字。" in result.content_html
    assert result.summary == "深处的文字。"


def test_word_markup_keeps_its_text_even_when_deeply_nested():
    # <o:p> from Word is a name lxml refuses to create but its HTML parser accepts
    assert build("<p>一段<o:p></o:p>文字<o:p>。</o:p></p>").content_html == "<p>一段文字。</p>"
    deep = "<div>" * 3_000 + "<p>深<o:p>处</o:p>的文字。</p>" + "</div>" * 3_000
    assert build(deep).summary == "深处的文字。"


def test_whitespace_between_tags_is_one_space_or_newline_outside_pre():
    result = build(
        "<p><code><b>a</b>   <b>b</b></code> <i>c</i> \t<i>d</i></p><pre>  x\n\n  y</pre>"
    )
    assert result.content_html == (
        "<p><code><b>a</b> <b>b</b></code> <i>c</i> <i>d</i></p><pre>  x\n\n  y</pre>"
    )


@pytest.mark.parametrize("depth", [1_999, 2_000, 2_046, 2_047, 2_048])
def test_nesting_around_the_parsers_depth_limit_keeps_the_text(depth: int):
    assert build("<div>" * depth + "深处").summary == "深处"


def test_ten_thousand_unclosed_tags():
    result = build("<b><i><span>" * 3_000 + "text")
    assert "text" in result.content_html


def test_megabytes_of_inline_base64_images():
    blob = base64.b64encode(b"\x89PNG" + b"\x00" * 3_000_000).decode()
    html = f'<p>Before.</p><img src="data:image/png;base64,{blob}"><p>After.</p>'
    started = time.perf_counter()
    result = build(html)
    assert time.perf_counter() - started < 10
    assert "base64" not in result.content_html and len(result.content_html) < 1000
    assert result.thumbnail is None
    assert "Before." in result.content_html and "After." in result.content_html


def test_malformed_markup_still_yields_clean_text():
    html = '<p>一<b>二<i>三</p></b>四<div><p>五<table><td>六</tr><a href="x">七<img src=>'
    result = build(html)
    text = "".join(tree(result.content_html).itertext())
    for ch in "一二三四五六七":
        assert ch in text
    assert_safe(result.content_html)


def test_broken_urls_everywhere():
    html = (
        '<a href="http://[::1">a</a><a href="https://x.org:99999/">b</a><a href="http://">c</a>'
        '<img src="http://%zz/">'
        '<img src="https://ok.example/%E4%B8%AD.png" srcset=",,, , 2x">'
    )
    result = build(html, metadata={"thumbnail": "http://[bad"})
    assert "abc" in "".join(tree(result.content_html).itertext())
    assert result.thumbnail is not None and result.thumbnail.url.endswith("%E4%B8%AD.png")


def test_odd_metadata_shapes_do_not_crash():
    for value in (None, 42, [], {}, [None], {"feature": None}, [[["deep"]]], {"x": {"y": 1}}):
        assert build("<p>x</p>", metadata={"thumbnail": value, "image": value}) is not None


def test_learning_survives_bad_articles():
    from html_support import item

    inputs = [item("<div" * 5000), item(""), item("<p>ok</p>"), item("\x00\x01<p>\ud800</p>")]
    hints = learn_corpus(inputs, config())
    assert isinstance(hints, CorpusHints)
    for one in inputs:
        assert_safe(build_content(one, config(), hints).content_html)


def test_empty_and_whitespace_bodies():
    assert build("").content_html == "" and build("").problems == ()
    assert build("   \n\u3000 ").content_html == ""


def test_a_body_that_is_only_boilerplate_is_reported():
    result = build("<style>.a{}</style><!-- nothing -->")
    assert result.content_html == ""
    (problem,) = result.problems
    assert problem.field == "content" and "nothing left" in problem.message
