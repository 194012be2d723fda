"""Signals other apps listen to, so articles need not know about them (translation, search, …)."""

from django.dispatch import Signal

#: sent inside the publishing transaction with ``article`` and ``revision``; receivers that start slow work
#: must defer it with ``transaction.on_commit``.
revision_published = Signal()

#: sent inside the transaction of an editor's decision on a revision, with ``revision``, ``editor`` and
#: ``decision`` ("approved" or "changes_requested"); receivers defer their work with ``transaction.on_commit``.
review_decided = Signal()
