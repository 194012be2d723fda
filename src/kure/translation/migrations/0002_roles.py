"""The Translators role, and post-editing for editors."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    post_edit = Permission.objects.get(content_type__app_label="translation", codename="change_translationsegment")
    for name in ["Translators", "Editors"]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(post_edit)


class Migration(migrations.Migration):
    dependencies = [("translation", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
