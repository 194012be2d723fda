"""Signals the reports app sends, so it need not know who listens (notifications, for instance)."""

from django.dispatch import Signal

#: sent after the transaction that saved a reader's report commits, with ``report`` (an ErrorReport).
report_filed = Signal()
#: sent after an editor's decision commits, with ``report`` (resolved or dismissed, ``note`` and ``decided_by`` set).
report_decided = Signal()
