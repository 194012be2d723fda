"""Signals the translation app sends, so it need not know who listens (search indexes translations)."""

from django.dispatch import Signal

#: sent inside the transaction that reassembled a translation (``translation``); receivers defer slow work
#: with ``transaction.on_commit``.
translation_changed = Signal()
