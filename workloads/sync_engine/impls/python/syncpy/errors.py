"""The errors of SPEC.md's exit statuses; the CLI prints each as one stderr line."""


class UsageError(Exception):
    """Exit 2: bad arguments or unreadable inputs; the message says what to do."""


class CorruptError(Exception):
    """Exit 3: a corrupt store or local state; names the object ("packs/ab12...", "HEAD", ...)."""

    def __init__(self, obj: str, what: str):
        super().__init__(f"{obj}: {what}")
        self.obj = obj


class LocalChangedError(Exception):
    """Exit 4: a local file changed during the sync."""

    def __init__(self, path: str):
        super().__init__(f"{path} changed during the sync; local folder changed during sync; run sync again")
