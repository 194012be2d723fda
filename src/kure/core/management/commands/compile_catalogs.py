from django.core.management.base import BaseCommand

from kure.core.catalogs import compile_all


class Command(BaseCommand):
    help = "Compile the interface translations (kure/locale/*/LC_MESSAGES/*.po) into .mo files, without gettext."

    def handle(self, *args, **options) -> None:
        for path in compile_all():
            self.stdout.write(f"wrote {path}")
