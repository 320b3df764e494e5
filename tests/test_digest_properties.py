"""Properties that must hold for any text: bodies survive the MIME encoding unchanged, names
survive RFC 2047, tokens round-trip, subscriber values are escaped in the HTML."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.digest import message, tokens
from feeds.digest.render import Rendered, personalize
from feeds.digest.views import PLACEHOLDER

# any text a template or an article could produce (no surrogates, no NUL)
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=400)
NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)


def envelope(name: str) -> message.Envelope:
    return message.Envelope(
        subject="示例 · subject", sender="示例 <news@example.com>",
        recipient="ann@example.com", recipient_name=name,
        date=datetime(2026, 11, 26, tzinfo=UTC), message_id="<1.2@example.com>",
        list_id=message.list_id("示例", "daily", "example.com"),
        unsubscribe_url="https://example.com/u?token=x", unsubscribe_mailto=None,
    )


@settings(max_examples=60, deadline=None)
@given(html=TEXT, text=TEXT, name=NAME)
def test_bodies_and_names_round_trip_through_mime(html: str, text: str, name: str) -> None:
    data = message.build_message(envelope(name), html, text)
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert data.isascii()
    parsed = message.to_email(data)
    plain, rich = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and rich is not None

    def normal(s: str) -> str:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
        return s if s.endswith("\n") else s + "\n"

    # (Python's parser leaves CRLF in a body that is one empty line: compare line ends loosely)
    assert normal(plain.get_content()) == normal(text)
    assert normal(rich.get_content()) == normal(html)
    shown = parsed["To"].addresses[0].display_name
    assert " ".join(shown.split()) == " ".join(name.split())


@settings(max_examples=60, deadline=None)
@given(address=st.emails(), digest=st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True))
def test_tokens_round_trip(address: str, digest: str) -> None:
    token = tokens.make_token(b"secret", address, digest)
    assert tokens.read_token(b"secret", token) == tokens.Unsubscribe(address, digest)


@settings(max_examples=60, deadline=None)
@given(name=NAME)
def test_subscriber_values_cannot_inject_markup(name: str) -> None:
    name_slot, url_slot = PLACEHOLDER.format("name"), PLACEHOLDER.format("unsubscribe_url")
    page = f'<p>{name_slot}</p><a href="{url_slot}">'
    rendered = Rendered(page, PLACEHOLDER.format("name"), ())
    values = {"name": name, "address": "a@b.c", "greeting_name": name,
              "unsubscribe_url": f"https://x/?t={name}"}
    html, text = personalize(rendered, values)
    assert text == name
    # whatever the name holds, the markup keeps exactly its own tags and quotes
    assert html.count("<") == 3 and html.count(">") == 3 and html.count('"') == 2
