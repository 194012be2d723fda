"""The one error the archive raises: what is wrong with a file or a database, said for an operator."""

from ..errors import InvalidInput


class ArchiveError(InvalidInput):
    code = "archive"
