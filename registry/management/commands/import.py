"""`homeward import registry FILE [--programme P] [--dry-run] [--as USER]` (contract sections 2 and 3)."""

from django.core.management.base import BaseCommand, CommandError

from registry.importer import IMPORT_USERNAME, import_registry


class Command(BaseCommand):
    help = "Import households and persons from a registry file (CSV UTF-8 or XLSX). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["registry"], help="what the file holds")
        parser.add_argument("file", help="a .csv or .xlsx file, first row = column names")
        parser.add_argument("--programme", help="enrol every household of the file in this programme (code)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")
        parser.add_argument("--as", dest="as_user", metavar="USER",
                            help=f"the user the import is recorded as (default: the '{IMPORT_USERNAME}' account)")

    def handle(self, *args, kind, file, programme, dry_run, as_user, **options):
        from accounts.models import User

        acting_user = None
        if as_user:
            acting_user = User.objects.filter(username=as_user).first()
            if acting_user is None or not acting_user.is_active:
                raise CommandError(f"--as: no active user {as_user}")
        result = import_registry(file, programme=programme, dry_run=dry_run, acting_user=acting_user)
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(result.problems)} problem(s) in {file}; nothing was imported.")
        self.stdout.write(result.summary())
        if result.duplicates:
            self.stdout.write(f"{len(result.duplicates)} possible duplicate(s) to review:")
            for line in result.duplicates:
                self.stdout.write(f"  {line}")
