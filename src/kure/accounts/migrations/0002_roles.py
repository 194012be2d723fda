"""Create the role groups with their permissions."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "Authors": [("articles", "add_revision"), ("articles", "add_article"), ("articles", "add_bodyimage")],
    "Editors": [("articles", "add_revision"), ("articles", "add_article"), ("articles", "add_bodyimage"),
                ("articles", "review_revision"), ("articles", "change_summary"), ("articles", "change_article")],
    "Admins": [],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("articles", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
