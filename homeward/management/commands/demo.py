"""`homeward demo`: load the demo dataset (idempotent: a second run adds nothing)."""

import os
import time

from django.core.management.base import BaseCommand

from homeward import demo


class Command(BaseCommand):
    help = "Load the demo organisations, programmes, households and users. Running it again adds nothing."

    def add_arguments(self, parser):
        # `make run` serves on $PORT, so the login line names the same port.
        port = os.environ.get("PORT") or "8000"
        parser.add_argument("--url", default=f"http://127.0.0.1:{port}/", help="the address shown in the login line")

    def handle(self, *args, url, **options):
        started = time.monotonic()
        created = demo.load()
        if any(created.values()):
            summary = ", ".join(f"{n} {what}" for what, n in created.items())
            self.stdout.write(f"Demo data loaded in {time.monotonic() - started:.1f}s: {summary}.")
        else:
            self.stdout.write("Demo data already loaded; nothing added.")
        for line in demo.login_lines(url):
            self.stdout.write(line)
