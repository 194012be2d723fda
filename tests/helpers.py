"""Small helpers shared by tests of the engines that talk to outside services."""

import socket


def closed_port_url() -> str:
    """A URL on which nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def chain(exc: BaseException | None) -> str:
    """Everything an exception and its causes would show in a log."""
    parts = []
    while exc is not None:
        parts += [str(exc), repr(exc)]
        exc = exc.__cause__ or exc.__context__
    return "\n".join(parts)


def ensure_role_groups() -> None:
    """The role groups as their data migration makes them. A live-server or transactional test flushes the
    database, which brings back permissions but not groups; a person given a role then has no permission."""
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    roles = import_module("kure.accounts.migrations.0002_roles").ROLE_PERMISSIONS
    for name, perms in roles.items():
        group, created = Group.objects.get_or_create(name=name)
        if created or group.permissions.count() != len(perms):
            for app_label, codename in perms:
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    # kure/translation/migrations/0002_roles.py: translators, and editors, post-edit translations.
    post_edit = Permission.objects.get(content_type__app_label="translation", codename="change_translationsegment")
    for name in ("Translators", "Editors"):
        Group.objects.get_or_create(name=name)[0].permissions.add(post_edit)
