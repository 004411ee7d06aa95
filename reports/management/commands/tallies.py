"""`homeward tallies build CODE`: build the running tallies a programme's report reads (reach and its
indicators' persons and households; reports.tallies), now, instead of in the background when a
figure is first asked for. For a large registry after an import, or before a reporting deadline.

`homeward tallies check CODE`: compare every figure of the report read from the tallies with the same
figure counted from the records; exits with an error naming those that differ."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from programmes.models import Programme
from reports import tallies
from reports.reach import NotVisible


class Command(BaseCommand):
    help = "Build the running tallies of a programme's report (with its phases), one set at a time."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["build", "check"])
        parser.add_argument("programme", help="the programme's code, e.g. RRK")
        parser.add_argument("--sensitive", action="store_true",
                            help="the sets of viewers cleared for sensitive assistance (default: not cleared)")
        parser.add_argument("--again", action="store_true", help="build again the sets already built, too")
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None,
                            help="check: the report date, YYYY-MM-DD (default today)")

    def handle(self, *args, action, programme, sensitive, again, date, **options):
        try:
            chosen = Programme.objects.get(code=programme)
        except Programme.DoesNotExist:
            raise CommandError(f"programme: no programme has the code {programme!r}") from None
        if action == "check":
            return self.compare(chosen, sensitive, date)
        started = time.monotonic()
        for parts, since, seconds in self.guarded(tallies.build_wanted, chosen, sensitive, again):
            done = "built already" if seconds is None else f"{seconds:.1f}s"
            self.stdout.write(f"{parts} from {since or 'the first record'}: {done}")
        self.stdout.write(f"Built in {time.monotonic() - started:.1f}s.")

    def guarded(self, function, programme, sensitive, *args):
        try:
            return function(programme, sensitive, *args)
        except NotVisible:
            raise CommandError(f"programme: {programme.code} is sensitive; its figures are read only by users "
                               "cleared for sensitive data: run with --sensitive") from None

    def compare(self, programme, sensitive, date):
        started = time.monotonic()
        differ = self.guarded(tallies.check, programme, sensitive, date)
        for name, kept, counted in differ:
            self.stdout.write(f"{name}: tallies {kept!r}, records {counted!r}")
        if differ:
            raise CommandError(f"{len(differ)} figures of {programme.code} differ from the records")
        self.stdout.write(f"Every figure of {programme.code}'s report equals the records' "
                          f"({time.monotonic() - started:.1f}s).")
