"""Looking at a digest without sending it: the plan, a preview on disk, a test send.

None of these touch the ledger: the next real run still starts where the last one ended.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feeds.digest import ledger, subscribers
from feeds.digest.message import parse_address, to_email
from feeds.digest.run import (
    composer_for,
    find_spec,
    load_articles,
    open_db,
    transport_settings,
    utc_second,
)
from feeds.digest.select import select_articles
from feeds.digest.transport import PermanentFailure, TemporaryFailure, open_transport
from feeds.errors import DeliveryError
from feeds.models import Article

if TYPE_CHECKING:
    from feeds.config import Config
    from feeds.config.sections.digests import DigestSpec
    from feeds.content.collect import Collection

SAMPLE = subscribers.Subscriber("reader@example.com", "Sample Reader", "active", ())


@dataclass(frozen=True)
class Plan:
    spec: DigestSpec
    start: datetime
    end: datetime
    articles: tuple[Article, ...]


def plan(
    config: Config,
    name: str,
    *,
    now: datetime,
    since: datetime | None = None,
    collection: Collection | None = None,
) -> Plan:
    """What ``--send`` would select now, read-only."""
    spec = find_spec(config, name)
    end = utc_second(now)
    db = open_db(config)
    try:
        start = utc_second(since) if since else ledger.last_end(db, name)
        already = ledger.sent_article_ids(db, name)
    finally:
        db.close()
    start = start or end - spec.first_window
    chosen = select_articles(load_articles(config, end, collection), spec, start=start, end=end,
                             already_sent=already)
    return Plan(spec, start, end, chosen)


def recipients(config: Config, name: str) -> Iterator[subscribers.Subscriber]:
    db = open_db(config)
    try:
        yield from subscribers.iter_active(db, name)
    finally:
        db.close()


def write_preview(config: Config, the_plan: Plan, out_dir: Path) -> tuple[Path, Path, Path]:
    """HTML, text and .eml for a sample subscriber (the first active one, if any)."""
    sample = next(recipients(config, the_plan.spec.name), SAMPLE)
    composer = composer_for(config, the_plan.spec, the_plan.articles, the_plan.end)
    mail = composer.message(sample.address, sample.name,
                            composer.for_subscriber(sample.categories))
    message = to_email(mail.data)
    html_part = message.get_body(("html",))
    text_part = message.get_body(("plain",))
    assert html_part is not None and text_part is not None
    stem = f"{the_plan.spec.name}-{the_plan.end.astimezone(config.site.tz):%Y-%m-%d-%H%M}"
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = (out_dir / f"{stem}.html", out_dir / f"{stem}.txt", out_dir / f"{stem}.eml")
    for path, data in zip(
        paths,
        (html_part.get_content().encode(), text_part.get_content().encode(), mail.data),
        strict=True,
    ):
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_bytes(data)
        os.replace(temp, path)
    return paths


def send_test(config: Config, the_plan: Plan, address: str, transport_url: str | None) -> str:
    """Send this digest to one address (named as given), leaving the ledger alone."""
    key = subscribers.normalize_address(address)
    composer = composer_for(config, the_plan.spec, the_plan.articles, the_plan.end)
    mail = composer.message(key, "", composer.for_subscriber(()))
    transport = open_transport(transport_settings(config, the_plan.spec, transport_url))
    sender = parse_address(the_plan.spec.from_address, "from").addr_spec
    try:
        return transport.send(mail.data, mail.message_id, sender, key)
    except (TemporaryFailure, PermanentFailure) as exc:
        raise DeliveryError(f"{key}: {exc.reply}") from None
    finally:
        transport.close()
