"""The flat front-matter fast path loads exactly what PyYAML loads, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.content.frontmatter_split import FrontMatterError, split_front_matter
from feeds.content.yamlfast import load_simple

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def pyyaml(raw: str) -> dict[str, object]:
    data = yaml.load(raw, Loader=Loader)
    return {} if data is None else {str(k): v for k, v in data.items()}


def same(raw: str) -> None:
    fast = load_simple(raw)
    if fast is None:
        return  # stepped aside: PyYAML reads it
    expected = pyyaml(raw)
    assert fast == expected
    assert [type(v) for v in fast.values()] == [type(v) for v in expected.values()]


SEED_LIKE = (  # "categories: " keeps the seed's trailing space
    "\ntitle: '浙江：借势长三角一体化发展 推动共同富裕示范区建设'\ncategories: \n"
) + """ - 金融
 - 新浪财经
 - 新浪财经－国內
headimg: 'https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png'
author: 新浪财经
comments: false
date: Thu, 04 Nov 2021 03:38:02 GMT
"""


def test_the_seeds_front_matter_takes_the_fast_path_with_pyyamls_values() -> None:
    fast = load_simple(SEED_LIKE)
    assert fast == pyyaml(SEED_LIKE)
    assert fast is not None and fast["comments"] is False
    assert fast["categories"] == ["金融", "新浪财经", "新浪财经－国內"]


@pytest.mark.parametrize(
    "raw",
    [
        "date: 2021-11-04 11:38:02\ntags: [hexo, rss, 2021]\n",  # a timestamp, an int in a list
        "n: 010\nf: 1.5e3\nx: ~\ny: yes\nz: 0x1F\nt: 1:30\n",  # YAML 1.1's numbers and bools
        "a: 'it''s'\nb: \"quoted\"\nc: C#\nd: https://x.example/?a=1&b=2\n",
        "empty:\nnext: 1\n",  # "key:" alone is null
        "list:\n- a\n- b\n# a comment\nafter: [ ]\n",
        "tags: [a, b, ]\n",
    ],
)
def test_tricky_but_flat_values_match_pyyaml(raw: str) -> None:
    assert load_simple(raw) is not None
    same(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "author:\n  name: A\n",  # nesting
        "title: a: b\n",  # not a plain scalar
        "title: x # note\n",  # a comment after a value
        "title: >\n  folded\n",
        "title: 'two\n  lines'\n",
        "list:\n - a\n   - b\n",  # a deeper item continues the scalar
        "yes: 1\n",  # a key that is not a string
        "a: 1\na: 2\n",
        "a: \"esc\\tape\"\n",
        "base: &b x\nother: *b\n",
        "t: [a, [b]]\n",
        "s:\tx\n",
    ],
)
def test_anything_else_is_left_to_pyyaml(raw: str) -> None:
    assert load_simple(raw) is None


def test_broken_front_matter_still_gets_pyyamls_error() -> None:
    with pytest.raises(FrontMatterError) as raised:
        split_front_matter("---\ntitle: ok\ntags: [a, b\n---\nbody\n")
    assert str(raised.value) == (
        "invalid YAML front matter at line 4, column 1: did not find expected ',' or ']'"
    )


SCALARS = st.one_of(
    st.sampled_from(["yes", "No", "on", "null", "~", "1", "-1", "0o17", "1_000", "1.5",
                     ".inf", "2021-11-04", "2021-11-04 11:38:02", "12:30", "true", "x y",
                     "a:b", "C#", "'q'", "'it''s'", '"dq"', "新浪财经－国內", "=", "<<",
                     "@x", "%x", "`x`", "a,b", "[]", "[a]", "{}", "- x", "'", '"', "''"]),
    st.text(alphabet=st.sampled_from("ab1:-#' \",[]{}.~新"), min_size=1, max_size=8),
)
KEYS = st.sampled_from(["title", "date", "tags", "categories", "yes", "on", "a-b", "x_1"])


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        key = draw(KEYS)
        shape = draw(st.sampled_from(["scalar", "flow", "block", "empty"]))
        if shape == "scalar":
            lines.append(f"{key}: {draw(SCALARS)}")
        elif shape == "flow":
            lines.append(f"{key}: [{', '.join(draw(st.lists(SCALARS, max_size=3)))}]")
        elif shape == "block":
            indent = " " * draw(st.integers(0, 3))
            lines.append(f"{key}:")
            lines += [f"{indent}- {s}" for s in draw(st.lists(SCALARS, min_size=1, max_size=3))]
        else:
            lines.append(f"{key}:")
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None)
@given(front_matter())
def test_whenever_the_fast_path_answers_it_agrees_with_pyyaml(raw: str) -> None:
    fast = load_simple(raw)
    if fast is None:
        return
    try:
        expected = pyyaml(raw)
    except yaml.YAMLError as exc:  # the fast path must never accept what PyYAML refuses
        raise AssertionError(f"accepted what PyYAML refuses: {exc}") from None
    assert fast == expected
    assert [type(v) for v in fast.values()] == [type(v) for v in expected.values()]


@pytest.mark.skipif(not SEED.is_dir(), reason="the shared seeds are not checked out beside")
def test_the_real_seed_takes_the_fast_path() -> None:
    for path in sorted(SEED.iterdir()):
        text = path.read_text(encoding="utf-8").lstrip("\n")
        raw = text.split("---", 2)[1]
        assert load_simple(raw) == pyyaml(raw)
