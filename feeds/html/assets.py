"""Local images next to a source file: found, measured (Pillow), named for the output, resized.

Output names carry a content hash (``media/<hash>/<name>``), so the same picture used by two
articles is copied once and a changed picture gets a new URL (no stale caches).
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from feeds.html.images import MIME_BY_EXT

_HASH_CHARS = 12
_MAX_BYTES = 50_000_000  # larger "images" are not copied


@dataclass(frozen=True, slots=True)
class LocalImage:
    path: Path
    output: str  # path relative to the output folder
    url: str
    width: int | None
    height: int | None
    mime_type: str | None
    digest: str


@dataclass
class LocalAssets:
    """Resolves relative image references of one article against its folder."""

    source_dir: Path
    site_url: str
    found: dict[str, LocalImage] = field(default_factory=dict)

    def __call__(self, ref: str) -> str | None:
        image = self.lookup(ref)
        return image.url if image else None

    def lookup(self, ref: str) -> LocalImage | None:
        if ref in self.found:
            return self.found[ref]
        image = _local_image(self.source_dir, ref, self.site_url)
        if image is not None:
            self.found[ref] = image
        return image

    def by_url(self, url: str) -> LocalImage | None:
        return next((i for i in self.found.values() if i.url == url), None)

    def copies(self) -> tuple[tuple[Path, str], ...]:
        unique = {image.output: image.path for image in self.found.values()}
        return tuple((path, out) for out, path in sorted(unique.items()))


def _local_image(source_dir: Path, ref: str, site_url: str) -> LocalImage | None:
    relative = unquote(urlsplit(ref).path)
    if not relative or relative.startswith("/"):
        return None
    try:
        base = source_dir.resolve()
        path = (base / relative).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return None  # never read outside the article's folder
        suffix = path.suffix.lower().lstrip(".")
        stat = path.stat()
        if suffix not in MIME_BY_EXT or stat.st_size > _MAX_BYTES:
            return None
        digest, width, height = _fingerprint(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError):
        return None
    output = f"media/{digest[:_HASH_CHARS]}/{path.name}"
    url = site_url + quote(output)  # names may hold spaces or CJK: the URL is percent-encoded
    return LocalImage(path, output, url, width, height, MIME_BY_EXT[suffix], digest)


@functools.lru_cache(maxsize=4096)
def _fingerprint(path: str, mtime_ns: int, size: int) -> tuple[str, int | None, int | None]:
    """Hash and size of a file; memoized per (path, mtime, size): learning and building both
    look at the same images."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return (digest, *measure(Path(path)))


def measure(path: Path) -> tuple[int | None, int | None]:
    """Width and height from the file header (Pillow reads no pixels for this)."""
    from PIL import Image, UnidentifiedImageError  # only sites with local images need it

    try:
        with Image.open(path) as img:
            return img.size
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None, None


def resized(image: LocalImage, width: int, cache_dir: Path, site_url: str) -> LocalImage:
    """A copy of ``image`` at most ``width`` wide, cached by content hash in ``cache_dir``.

    Animated or unreadable images, and images already narrow enough, are returned as is.
    """
    if image.width is None or image.width <= width or image.mime_type == "image/gif":
        return image
    from PIL import Image
    suffix = ".png" if image.mime_type == "image/png" else ".jpg"
    name = f"{image.digest[:_HASH_CHARS]}-{width}{suffix}"
    target = cache_dir / name
    try:
        if not target.is_file():
            _write_resized(image.path, width, target)
        new_w, new_h = measure(target)
    except (OSError, ValueError, Image.DecompressionBombError):
        return image
    output = f"thumbs/{name}"
    mime = "image/png" if suffix == ".png" else "image/jpeg"
    return LocalImage(target, output, site_url + output, new_w, new_h, mime, image.digest)


def _write_resized(source: Path, width: int, target: Path) -> None:
    from PIL import Image

    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as img:
        height = max(1, round(img.height * width / img.width))
        small = img.resize((width, height), Image.Resampling.LANCZOS)
        if target.suffix == ".jpg" and small.mode not in ("RGB", "L"):
            small = small.convert("RGB")
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        small.save(tmp, format="PNG" if target.suffix == ".png" else "JPEG", quality=85)
        tmp.replace(target)  # atomic: parallel builds never see half a file
