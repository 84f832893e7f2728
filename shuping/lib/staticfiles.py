"""Static file storage whose URLs are computed once per process.

The manifest is read once when a process starts, so a name's hashed URL cannot change
while it runs; yet `{% static %}` recomputes it (path cleaning, manifest lookup, quoting)
on every use, some 60 µs each, three times on every page. Remembering it makes every
page cheaper, the phone pages most of all."""

from __future__ import annotations

import threading

from whitenoise.storage import CompressedManifestStaticFilesStorage

# Names come from templates, not from visitors; the cap only guards against a template
# that builds names from data.
MAX_REMEMBERED = 4096


class ManifestStaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._urls: dict[str, str] = {}
        self._urls_lock = threading.Lock()

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return super().url(name, force)
        found = self._urls.get(name)
        if found is None:
            found = super().url(name)  # a missing file raises, and is not remembered
            with self._urls_lock:
                if len(self._urls) < MAX_REMEMBERED:
                    self._urls[name] = found
        return found
