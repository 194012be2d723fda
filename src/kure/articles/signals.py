"""Signals other apps listen to, so articles need not know about them (translation, search, …)."""

from django.dispatch import Signal

#: sent inside the publishing transaction with ``article`` and ``revision``; receivers that start slow work
#: must defer it with ``transaction.on_commit``.
revision_published = Signal()
