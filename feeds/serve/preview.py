"""The digest preview shown at ``/_digest/NAME``: the next email, as a sample subscriber
would get it, rendered by the digest package and never touching the ledger."""

from __future__ import annotations

from datetime import datetime

from feeds.config.root import Config


def digest_preview(config: Config, name: str, now: datetime) -> str:
    """The HTML part of the digest ``name`` would send at ``now`` (read-only)."""
    from feeds.digest import preview
    from feeds.digest.message import to_email
    from feeds.digest.run import composer_for

    the_plan = preview.plan(config, name, now=now)
    sample = next(preview.recipients(config, name), preview.SAMPLE)
    composer = composer_for(config, the_plan.spec, the_plan.articles, the_plan.end)
    mail = composer.message(sample.address, sample.name,
                            composer.for_subscriber(sample.categories))
    part = to_email(mail.data).get_body(("html",))
    return str(part.get_content()) if part is not None else ""
