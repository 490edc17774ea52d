"""Errors meant for the person running coop: the CLI prints them without a traceback."""


class CoopError(Exception):
    """A failure the user can act on; the message says what went wrong and what to do."""


class InputFileError(CoopError):
    """A raw input file is missing, changed, unreadable or has the wrong shape."""


class ModelCheckError(CoopError):
    """A built model violates its declared grain, key, not-null or accepted values."""


class RefreshLockedError(CoopError):
    """Another refresh holds the writer lock."""


class NoPublishedMartsError(CoopError):
    """Nothing has been published yet."""


class FetchError(CoopError):
    """A declared release could not be downloaded or did not verify; the old file is kept."""


class SchedulerError(CoopError):
    """The Prefect server needed for scheduled refreshes is not configured or not reachable."""


class DiskFullError(CoopError):
    """The disk filled up while coop was writing; what was published before stands."""


class PublishedFileError(CoopError):
    """A command was asked to write over a published file (marts/ or reports/)."""


class CopiedProjectError(CoopError):
    """The command runs the code of another copy of the project (a copied, non-relocatable
    virtual environment)."""


class RefreshTerminated(CoopError):
    """The refresh received SIGTERM (or SIGINT) and stopped; nothing new was published."""

    def __init__(self, signal_name: str, exit_code: int) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.exit_code = exit_code


def is_disk_full(exc: BaseException) -> bool:
    """True for an OSError with ENOSPC (or EDQUOT), or a DuckDB error that reports one."""
    import errno

    if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc)
    return "No space left on device" in text or "Disk quota exceeded" in text
