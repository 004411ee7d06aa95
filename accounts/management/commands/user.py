"""`homeward user create NAME --role ROLE [--municipality M]... [--organisation O]... [--programme P]...
[--sensitive] [--token] [--password PW] [--language L]` (contract section 2)."""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ApiToken, Role, User
from audit.models import AuditEntry, record
from homeward.text import plain
from places.models import Municipality
from programmes.models import Organisation, Programme


def find_organisation(text):
    """By name or short name, in any case and with or without diacritics (Bozur, Božur)."""
    key = plain(text)
    return next((o for o in Organisation.objects.all() if key and key in (plain(o.name), plain(o.short_name))), None)


class Command(BaseCommand):
    help = "Manage user accounts."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="create")
        create = actions.add_parser("create", help="create a user", description="Create a user.")
        create.add_argument("name", help="the user name to log in with")
        create.add_argument("--role", required=True, help=", ".join(Role.values))
        create.add_argument("--municipality", action="append", default=[],
                            help="scope: a municipality by code or any name (repeatable)")
        create.add_argument("--organisation", action="append", default=[],
                            help="scope: an organisation by name or short name (repeatable)")
        create.add_argument("--programme", action="append", default=[],
                            help="scope: a programme code, its phases included (repeatable)")
        create.add_argument("--sensitive", action="store_true",
                            help="cleared to see sensitive data (trafficking, GBV, medical...)")
        create.add_argument("--token", action="store_true", help="print an API token as the last line")
        create.add_argument("--password", help="a password to log in to the web app (none: web login disabled)")
        create.add_argument("--language", default=settings.LANGUAGE_CODE,
                            help=", ".join(code for code, _name in settings.LANGUAGES))
        create.add_argument("--email", default="")

    def handle(self, *args, action, **options):
        if action == "create":
            self.create(**options)

    def create(self, *, name, role, municipality, organisation, programme, sensitive, token, password, language,
               email, **options):
        # Everything is checked before anything is written: a typo creates nobody.
        if role not in Role.values:
            raise CommandError(f"--role: unknown role {role!r} (use one of: {', '.join(Role.values)})")
        if User.objects.filter(username=name).exists():
            raise CommandError(f"NAME: a user {name!r} already exists")
        if language not in dict(settings.LANGUAGES):
            raise CommandError(f"--language: unknown language {language!r} "
                               f"(use one of: {', '.join(dict(settings.LANGUAGES))})")
        municipalities = [self.lookup("--municipality", m, Municipality.objects.lookup) for m in municipality]
        organisations = [self.lookup("--organisation", o, find_organisation) for o in organisation]
        programmes = [self.lookup("--programme", p, lambda c: Programme.objects.filter(code__iexact=c.strip()).first())
                      for p in programme]
        user = User(username=name, role=role, sensitive=sensitive, language=language, email=email)
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as e:
                raise CommandError(f"--password: {' '.join(e.messages)}")
        with transaction.atomic():
            if password is None:
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save()
            user.municipalities.set(municipalities)
            user.organisations.set(organisations)
            user.programmes.set(programmes)
            record(None, AuditEntry.Action.CREATE, user, via="command", changes={
                "role": [None, role], "sensitive": [None, sensitive],
                "municipalities": [None, [m.code for m in municipalities]],
                "organisations": [None, [str(o) for o in organisations]],
                "programmes": [None, [p.code for p in programmes]],
            })
            raw = ApiToken.issue(user, label="created with homeward user create") if token else None

        scope = ([m.display_name() for m in municipalities] + [str(o) for o in organisations]
                 + [p.code for p in programmes])
        self.stdout.write(f"Created {role} {name}" + (f" for {', '.join(scope)}" if scope else "")
                          + (", cleared for sensitive data" if sensitive else "") + ".")
        if not (scope or user.sees_everything or role == Role.DONOR):
            self.stdout.write(f"Note: {name} has no municipality, organisation or programme and sees no households.")
        if password is None:
            self.stdout.write(f"No password: {name} cannot log in to the web app until one is set "
                              f"(homeward changepassword {name}).")
        if raw:
            self.stdout.write(raw)

    def lookup(self, option, text, find):
        found = find(text)
        if found is None:
            raise CommandError(f"{option}: unknown {option.lstrip('-')} {text!r}")
        return found
