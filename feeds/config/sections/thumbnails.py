"""``thumbnails:``: how an article's representative image is chosen."""

from __future__ import annotations

from pydantic import Field

from feeds.config.base import Section, StrList

DEFAULT_FIELDS = [
    "thumbnail",
    "headimg",
    "cover",
    "image",
    "banner",
    "featured_image",
    "og_image",
    "photos",
]


class ResizeSettings(Section):
    """Resizing local images into the output for digests that want uniform widths."""

    enabled: bool = Field(default=False, description="Resize local thumbnails into thumbs/.")
    width: int = Field(default=600, ge=16, le=4000, description="Target width in pixels.")


class ThumbnailsSection(Section):
    """Choosing thumbnails: front-matter fields first, then the first big-enough image."""

    fields: StrList = Field(
        default_factory=lambda: list(DEFAULT_FIELDS),
        description="Front-matter fields tried in order (a list takes its first item; a "
        "mapping such as image: {feature: …} its feature/url/src/path).",
    )
    ignore: StrList = Field(
        default_factory=list,
        description="Image URLs, hosts or glob patterns never used as thumbnails "
        "(e.g. '*.picsum.photos/*'; '*.host' also matches the bare host).",
    )
    placeholder_share: float = Field(
        default=0.2,
        gt=0,
        le=1,
        description="An image used by more than this share of the articles learned from "
        "(the newest cleaning.boilerplate.sample of each source) is a placeholder.",
    )
    placeholder_min_count: int = Field(
        default=3,
        ge=2,
        description="... and by at least this many articles (so two posts sharing a photo "
        "in a tiny collection keep it).",
    )
    min_width: int = Field(default=100, ge=0, description="Smallest content image width used.")
    min_height: int = Field(default=60, ge=0, description="Smallest content image height used.")
    probe: bool = Field(
        default=False,
        description="Fetch image headers over the network for type/size (off: no network).",
    )
    probe_timeout: float = Field(default=3.0, gt=0, le=60, description="Seconds per probe.")
    probe_max_bytes: int = Field(
        default=65536,
        ge=1024,
        le=10_000_000,
        description="Most bytes read from an image when probing it.",
    )
    allow_private: bool = Field(
        default=False, description="Let probes reach private and loopback addresses."
    )
    resize: ResizeSettings = Field(default_factory=ResizeSettings)
