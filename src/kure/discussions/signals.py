"""Signals the discussions app sends, so it need not know who listens (notifications)."""

from django.dispatch import Signal

#: sent after the transaction that saved a new thread or reply commits, with ``post`` (a discussions Post;
#: ``post.thread`` its thread, ``post.parent`` the post it replies to or None).
post_published = Signal()
