"""Digest rendering: Jinja2 templates, CSS inlined with css-inline, a size budget.

Templates: a user folder (``digests[].templates``) is searched first, then the defaults
(``templates/`` in a checkout, ``feeds/templates`` when installed). A user template can
extend a default one as ``{% extends "default/digest.html.j2" %}``. Autoescape is on and
undefined names are errors; article text only ever enters as data, never as template code.

The shared part is rendered once per distinct article list, with placeholders for the
subscriber's values; ``personalize`` fills them in with one regex pass per message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import css_inline
import jinja2

from feeds.digest.views import PLACEHOLDER, SUBSCRIBER_FIELDS, Mode, Placeholders
from feeds.errors import ConfigError

HTML_TEMPLATE, TEXT_TEMPLATE = "digest.html.j2", "digest.txt.j2"
_PLACEHOLDER = re.compile(PLACEHOLDER.format(r"([a-z_]+)"))
_RESERVE_PER_PLACEHOLDER = 600  # room for an address and a signed URL, HTML-escaped


@dataclass(frozen=True, slots=True)
class Rendered:
    """One digest's HTML and text, still holding subscriber placeholders."""

    html: str
    text: str
    modes: tuple[Mode, ...]

    @property
    def shown(self) -> int:
        return sum(1 for m in self.modes if m != "hidden")


def default_template_dir() -> Path:
    """``templates/`` of a source checkout, else the copy installed inside the package."""
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / HTML_TEMPLATE).is_file():
        return checkout
    return Path(str(resources.files("feeds") / "templates"))


@lru_cache(maxsize=8)
def environment(user_dir: Path | None) -> jinja2.Environment:
    defaults = jinja2.FileSystemLoader(str(default_template_dir()))
    loaders: list[jinja2.BaseLoader] = []
    if user_dir is not None:
        if not user_dir.is_dir():
            raise ConfigError([f"digests[].templates: {user_dir} is not a folder"])
        loaders.append(jinja2.FileSystemLoader(str(user_dir)))
    loaders += [jinja2.PrefixLoader({"default": defaults}), defaults]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


_SUBJECT_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


def render_subject(template: str, context: Mapping[str, object]) -> str:
    """The subject line: the configured Jinja2 string, on one line."""
    try:
        text = _SUBJECT_ENV.from_string(template).render(context)
    except jinja2.TemplateError as exc:
        raise ConfigError([f"digests[].subject: {exc}"]) from None
    return " ".join(text.split())


def render_once(env: jinja2.Environment, context: Mapping[str, object]) -> tuple[str, str]:
    """(inlined HTML, text) for one context, with placeholders for subscriber values."""
    full = {**context, "subscriber": Placeholders()}
    try:
        page = env.get_template(HTML_TEMPLATE).render(full)
        text = env.get_template(TEXT_TEMPLATE).render(full)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or getattr(exc, "name", None) or "template"
        raise ConfigError([f"{where}: {exc}"], hint="check the digest templates") from None
    return inline_css(page), text


def inline_css(page: str) -> str:
    """Copy the <style> rules onto the elements (Gmail, Outlook); keep the block for media
    queries (dark mode, phones). Remote stylesheets are never fetched."""
    inliner = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)
    return inliner.inline(page)


def render_within_budget(
    render: Callable[[Sequence[Mode]], tuple[str, str]], count: int, max_bytes: int
) -> Rendered:
    """Largest layout under the budget: all full, else a prefix full and the rest brief,
    else a prefix brief and the rest summed up as "and N more" (binary searches)."""

    def attempt(modes: Sequence[Mode]) -> tuple[Rendered, bool]:
        page, text = render(modes)
        reserve = _RESERVE_PER_PLACEHOLDER * len(_PLACEHOLDER.findall(page))
        return Rendered(page, text, tuple(modes)), len(page.encode()) + reserve < max_bytes

    full: list[Mode] = ["full"] * count
    first, fits = attempt(full)
    if fits or count == 0:
        return first
    best = _search(count, lambda k: attempt(modes_of(("full", k), ("brief", count - k))))
    if best is not None:
        return best
    fallback = _search(count, lambda k: attempt(modes_of(("brief", k), ("hidden", count - k))))
    return fallback or attempt(modes_of(("hidden", count)))[0]


def modes_of(*runs: tuple[Mode, int]) -> list[Mode]:
    return [mode for mode, n in runs for _ in range(n)]


def _search(count: int, attempt: Callable[[int], tuple[Rendered, bool]]) -> Rendered | None:
    """The attempt with the largest k in 0..count that fits (fits is monotone in k)."""
    low, high, best = 0, count, None
    while low <= high:
        middle = (low + high) // 2
        rendered, fits = attempt(middle)
        if fits:
            best, low = rendered, middle + 1
        else:
            high = middle - 1
    return best


def personalize(rendered: Rendered, values: Mapping[str, str]) -> tuple[str, str]:
    """(html, text) for one subscriber: placeholders replaced, HTML-escaped in the HTML."""
    missing = set(SUBSCRIBER_FIELDS) - set(values)
    if missing:
        raise ValueError(f"subscriber values missing: {sorted(missing)}")
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    # an unknown name (say, typed into an article) stays as written
    page = _PLACEHOLDER.sub(lambda m: escaped.get(m.group(1), m.group(0)), rendered.html)
    text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), rendered.text)
    return page, text
