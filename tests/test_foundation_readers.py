"""Readers: front matter kinds, encodings, line endings, editor files, explicit suffixes, limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from foundation_support import collect_paths, fixture, messages

from feeds.content.decode import decode_bytes
from feeds.content.discover import discover
from feeds.content.readers import (
    MAX_FILE_BYTES,
    READERS,
    ReadError,
    read_text_body,
    read_text_document,
)
from feeds.models import Document


def read(name: str) -> Document:
    return read_text_document(fixture(name), name)


@pytest.mark.parametrize(
    ("name", "title", "key"),
    [
        ("yaml_front_matter.md", "YAML front matter", "tags"),
        ("toml_front_matter.md", "TOML front matter", "lastmod"),
        ("json_front_matter.md", "JSON front matter", "categories"),
    ],
)
def test_front_matter_kinds_are_split_from_the_body(name: str, title: str, key: str) -> None:
    doc = read(name)
    assert doc.metadata["title"] == title
    assert key in doc.metadata
    assert "---" not in doc.body and "+++" not in doc.body and "{" not in doc.body


def test_no_front_matter_gives_empty_metadata_and_the_whole_body() -> None:
    doc = read("no_front_matter.html")
    assert doc.metadata == {}
    assert doc.body.startswith("<h1>A page with no front matter</h1>")
    assert doc.body_format == "html"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("bom.md", "Starts with a BOM"),
        ("crlf.md", "CRLF line endings"),
        ("blank_lines_before_front_matter.md", "Blank lines before the front matter"),
    ],
)
def test_bom_crlf_and_leading_blank_lines_do_not_hide_front_matter(name: str, title: str) -> None:
    doc = read(name)
    assert doc.metadata["title"] == title
    assert doc.encoding == "utf-8"
    assert "\r" not in doc.body and "\ufeff" not in doc.body


def test_gb18030_file_is_decoded_and_warned_about() -> None:
    doc = read("gb18030.md")
    assert doc.encoding == "gb18030"
    assert doc.metadata["title"] == "国标编码的文章"
    assert "GB18030 编码保存" in doc.body
    result = collect_paths(fixture("gb18030.md"))
    assert [a.title for a in result.articles] == ["国标编码的文章"]
    assert [(p.field, p.message, str(p.severity)) for p in result.problems] == [
        ("encoding", "not UTF-8; decoded as gb18030", "warning")
    ]


@pytest.mark.parametrize(
    ("name", "field", "message"),
    [
        (
            "invalid_yaml.md",
            "front matter",
            "invalid YAML front matter at line 3, column 5: did not find expected ',' or ']'",
        ),
        (
            "tab_in_yaml.md",
            "front matter",
            "invalid YAML front matter at line 4, column 1: found character that cannot "
            "start any token",
        ),
        ("unclosed_front_matter.md", "front matter", "YAML front matter is not closed"),
        (
            "front_matter_is_a_list.md",
            "front matter",
            "front matter must be a mapping of keys to values, got list",
        ),
    ],
)
def test_unparseable_front_matter_is_an_error_naming_the_reason(
    name: str, field: str, message: str
) -> None:
    with pytest.raises(ReadError) as raised:
        read(name)
    assert (raised.value.field, raised.value.message) == (field, message)


def test_editor_and_temp_files_are_ignored_in_folders(tmp_path: Path) -> None:
    article = fixture("yaml_front_matter.md").read_bytes()
    for name in ("post.md", "#post.md#", ".post.md.swp", "post.md~", ".#post.md", "x~"):
        (tmp_path / name).write_bytes(article)
    (tmp_path / "notes.txt").write_bytes(article)  # not an article suffix when scanning
    found = discover([tmp_path], [], explicit=False)
    assert [s.rel for s in found] == ["post.md"]
    assert collect_paths(tmp_path).files == 1


def test_configured_ignore_patterns_leave_files_out(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    for rel in ("a.md", "drafts/b.md", "c.markdown", "d.htm"):
        (tmp_path / rel).write_bytes(fixture("yaml_front_matter.md").read_bytes())
    found = discover([tmp_path], ["drafts/*"], explicit=False)
    assert [s.rel for s in found] == ["a.md", "c.markdown", "d.htm"]


def test_a_file_named_explicitly_is_read_whatever_its_suffix() -> None:
    result = collect_paths(fixture("explicit_suffix.txt"))
    assert [a.title for a in result.articles] == ["A file named explicitly"]
    assert result.problems == ()


def test_a_txt_file_inside_a_folder_is_not_an_article(tmp_path: Path) -> None:
    (tmp_path / "explicit_suffix.txt").write_bytes(fixture("explicit_suffix.txt").read_bytes())
    assert collect_paths(tmp_path).files == 0


def test_empty_and_binary_files_are_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "blank.md").write_bytes(b"\n \n\t\n")
    (tmp_path / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    result = collect_paths(tmp_path)
    assert [(Path(p.path).name, p.field, p.message) for p in result.problems] == [
        ("binary.md", "encoding", "binary data (NUL bytes), not a text file"),
        ("blank.md", "file", "is empty"),
        ("empty.md", "file", "is empty"),
    ]
    assert result.articles == ()


def test_a_file_over_the_size_limit_is_an_error_not_a_crash(tmp_path: Path) -> None:
    big = tmp_path / "huge.md"
    header = b"---\ntitle: Huge\ndate: 2021-11-04\n---\n"
    with big.open("wb") as out:
        out.write(header)
        out.write(b"x" * (25 * 1024 * 1024 - len(header)))  # 25 MB
    assert big.stat().st_size > MAX_FILE_BYTES
    result = collect_paths(tmp_path)
    assert messages(result) == [("huge.md", "file", "error")]
    assert result.problems[0].message == "25.0 MB is over the 20 MB limit for one article"


def test_an_unreadable_file_is_reported_with_the_reason(tmp_path: Path) -> None:
    target = tmp_path / "gone.md"
    target.symlink_to(tmp_path / "missing-target.md")
    with pytest.raises(ReadError) as raised:
        read_text_document(target, "gone.md")
    assert raised.value.field == "file"
    assert raised.value.message.startswith("cannot be read: ")


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("---\ntitle: 测试\n---\n短。", "gb18030", "gb18030"),  # short: once read as Big5
        ("---\ntitle: 新闻\ndate: 2021-11-04\n---\n今天天气很好。\n", "gbk", "gb18030"),
        ("title: café\n", "cp1252", "cp1252"),  # once read as cp1006 (Urdu)
        ("---\ntitle: Ünïcode\n---\nÄ – “quoted” €5 Größe naïve\n", "cp1252", "cp1252"),
        ("Привет мир, это тест кодировки.", "cp1251", None),  # left to charset-normalizer
        ("---\ntitle: 日本語のテスト\n---\nこれはテストです。", "shift_jis", None),
    ],
)
def test_legacy_encodings_are_decoded_exactly(
    text: str, encoding: str, expected: str | None
) -> None:
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text
    if expected is not None:
        assert decoded.encoding == expected


def test_glob_content_dirs_honour_ignore_patterns(tmp_path: Path) -> None:
    for rel in ("news/a.md", "news/old/b.md", "blog/c.md", "blog/d.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(fixture("yaml_front_matter.md").read_bytes())
    found = discover([tmp_path / "**" / "*.*"], ["news/old/*"], explicit=False)
    assert [s.rel for s in found] == ["blog/c.md", "news/a.md"]


def test_a_file_that_grows_while_it_is_read_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size read before reading is a hint: whatever is there when reading is read."""
    import os

    from feeds.content import readers

    path = tmp_path / "growing.md"
    text = "---\ntitle: Grows\n---\n\n" + "<p>正文</p>\n" * 20000  # several reads' worth
    path.write_text(text, encoding="utf-8")
    whole = read_text_document(path, "growing.md")
    real = os.fstat

    class Smaller:  # as the size was when the file was half written
        def __init__(self, fd: int) -> None:
            self.st_size = real(fd).st_size // 2

    monkeypatch.setattr(readers.os, "fstat", Smaller)
    doc = read_text_document(path, "growing.md")
    assert doc == whole and doc.body.count("<p>正文</p>") == 20000


def test_the_body_alone_is_the_body_the_document_reader_gives() -> None:
    """read_text_body (an article read again to be cleaned) skips the front matter without
    parsing it: whatever its kind, encoding, BOM, line endings or leading blank lines."""
    names = sorted(p.name for p in fixture("bom.md").parent.glob("*.*"))
    checked = 0
    for name in names:
        try:
            doc = read(name)
        except ReadError:
            continue
        assert read_text_body(str(fixture(name))) == doc.body, name
        checked += 1
    assert checked >= 40


def test_reading_the_body_alone_still_refuses_front_matter_left_open(tmp_path: Path) -> None:
    post = tmp_path / "open.md"
    post.write_text("---\ntitle: never closed\n\nbody\n", encoding="utf-8")
    with pytest.raises(ReadError, match="not closed"):
        read_text_body(str(post))


def test_every_reader_is_the_text_reader() -> None:
    """An article past a worker's text budget is read again with read_text_body (see
    feeds.content.perfile.read_again): a new kind of reader needs its own body reader."""
    assert set(READERS.values()) == {read_text_document}
