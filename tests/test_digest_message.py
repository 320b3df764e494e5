"""What arrives at the SMTP server: parts, headers, encodings, as a mail client reads them."""

from __future__ import annotations

import re
from email.header import decode_header
from email.message import EmailMessage
from pathlib import Path

from test_digest_support import NOW, FakeCollection, SmtpServer, make_article, make_config

from feeds.digest import subscribers
from feeds.digest.run import open_db, run_digest


def deliver_one(tmp_path: Path, name: str = "张三") -> tuple[bytes, EmailMessage]:
    with SmtpServer() as server:
        config = make_config(tmp_path, port=server.port,
                             digest={"reply_to": "编辑 <ed@example.com>"})
        db = open_db(config)
        subscribers.add(db, "ann@example.com", ["daily"], name=name)
        db.close()
        run_digest(config, "daily", now=NOW, collection=FakeCollection((make_article(1),)))
        [(rcpt, raw)] = server.received
        assert rcpt == "ann@example.com"
        return raw, server.messages()[rcpt]


def test_structure_is_text_then_html_in_utf8(tmp_path: Path) -> None:
    _, message = deliver_one(tmp_path)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert all(p["Content-Transfer-Encoding"] in ("base64", "quoted-printable") for p in parts)
    assert not message.defects


def test_cjk_subject_and_names_are_rfc2047_encoded(tmp_path: Path) -> None:
    raw, message = deliver_one(tmp_path)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    raw_subject = re.search(rb"^Subject: (.*(?:\r\n .*)*)", head, re.M)
    assert raw_subject and b"=?utf-8?" in raw_subject.group(1)
    assert str(message["Subject"]) == "示例新闻 · 2026-11-26 · 1 篇"
    assert str(message["To"]) == "张三 <ann@example.com>"
    assert str(message["From"]) == "示例新闻 <news@example.com>"
    assert str(message["Reply-To"]) == "编辑 <ed@example.com>"
    raw_to = re.search(rb"^To: (.*)", head, re.M)
    assert raw_to is not None
    assert decode_header(raw_to.group(1).decode())[0][0] == "张三".encode()


def test_list_headers_follow_rfc_8058(tmp_path: Path) -> None:
    raw, message = deliver_one(tmp_path)
    links = re.findall(r"<([^>]+)>", str(message["List-Unsubscribe"]))
    assert links[0].startswith("https://news.example.com/unsubscribe?token=v1.")
    assert links[1].startswith("mailto:news@example.com?subject=unsubscribe%20v1.")
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert str(message["List-Id"]).endswith("<daily.news.example.com>")
    assert b"List-Unsubscribe: <https://" in raw  # written as is, not as encoded words
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_date_and_message_id_are_stable(tmp_path: Path) -> None:
    _, first = deliver_one(tmp_path / "a")
    _, second = deliver_one(tmp_path / "b")
    assert str(first["Date"]) == "Thu, 26 Nov 2026 08:00:00 +0800"
    assert first["Message-ID"] == second["Message-ID"]
    assert re.fullmatch(r"<daily\.20261126000000\.[0-9a-f]{20}@news\.example\.com>",
                        str(first["Message-ID"]))


def test_html_part_has_view_in_browser_and_unsubscribe_links(tmp_path: Path) -> None:
    _, message = deliver_one(tmp_path)
    part = message.get_body(("html",))
    assert part is not None
    html = part.get_content()
    assert 'href="https://news.example.com/digests/daily/2026-11-26-0800.html"' in html
    assert "在浏览器中查看" in html and "退订" in html
    assert 'class="preheader' in html and "第1条：测试新闻" in html
    assert len(html.encode()) < 100_000
