"""The whole encyclopedia in one file, for backups and for moving to a new machine.

``kure export archive FILE`` writes a zip file: ``manifest.json`` (format, version, migrations, tables, media),
one JSON Lines member per table under ``data/``, and the uploaded files under ``media/``. ``kure import archive
FILE`` loads it into a new, empty database in one transaction. What is carried and what is left out, and why,
is in ``tables.py``; ``docs/operations.md`` is the operator's guide.
"""

from .errors import ArchiveError
from .manifest import FORMAT_VERSION
from .reader import ImportReport, import_archive
from .writer import ExportReport, export_archive

__all__ = ["FORMAT_VERSION", "ArchiveError", "ExportReport", "ImportReport", "export_archive", "import_archive"]
