"""`homeward serve [--port N] [--host H]`: the web app and the API, with static files, from one process."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the web app and the API (waitress; static files through whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        # Only this machine by default: the data is personal, exposing it is a deliberate choice.
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--threads", type=int, default=16)

    def handle(self, *args, port, host, threads, **options):
        from pathlib import Path

        from django.conf import settings
        from waitress import serve

        # Static files are served from the app's folders (WHITENOISE_USE_FINDERS); an empty
        # STATIC_ROOT only keeps whitenoise from warning that it is missing.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        from homeward.wsgi import application

        if not 0 < port < 65536:
            raise CommandError(f"--port: {port} is not a port number")
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Homeward is running at http://{shown}:{port}/ (Ctrl-C to stop)")
        self.stdout.flush()
        try:
            serve(application, host=host, port=port, threads=threads, ident="homeward")
        except OSError as e:
            raise CommandError(f"--port: cannot listen on {host}:{port} ({e.strerror or e})")
        except KeyboardInterrupt:
            pass
