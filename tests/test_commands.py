"""`homeward user create` and the `homeward` console script (contract section 2)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiToken, User
from audit.models import AuditEntry
from registry.models import Household


def create(*args):
    call_command("user", "create", *args)


@pytest.mark.django_db
def test_it_prints_a_working_token_as_the_last_line(capsys, world):
    create("vesna", "--role", "caseworker", "--municipality", "Клина", "--token")

    lines = capsys.readouterr().out.strip().splitlines()
    vesna = ApiToken.objects.user_for(lines[-1])
    assert vesna is not None and vesna.username == "vesna"
    assert vesna.role == "caseworker"
    assert [m.code for m in vesna.municipalities.all()] == ["M18"]
    # Her scope is Klinë/Klina, as for every caseworker there.
    assert set(Household.objects.visible_to(vesna).values_list("ref", flat=True)) == {"H-KL-1", "H-KL-2"}


@pytest.mark.django_db
def test_it_sets_scope_clearance_password_and_language(capsys, world):
    create("lule", "--role", "partner", "--municipality", "kline", "--municipality", "M24", "--organisation",
           "Bozur", "--programme", "rrk", "--sensitive", "--password", "a long enough secret", "--language", "sq")

    lule = User.objects.get(username="lule")
    assert sorted(m.code for m in lule.municipalities.all()) == ["M18", "M24"]
    assert [o.name for o in lule.organisations.all()] == ["Božur"]
    assert [p.code for p in lule.programmes.all()] == ["RRK"]
    assert lule.sensitive and lule.language == "sq"
    assert lule.check_password("a long enough secret")
    assert not lule.api_tokens.exists()
    assert AuditEntry.objects.filter(model="accounts.user", object_id=str(lule.pk), action="create").exists()


@pytest.mark.django_db
def test_it_creates_a_user_without_password_who_cannot_log_in(capsys, db):
    create("robot", "--role", "auditor", "--token")

    robot = User.objects.get(username="robot")
    assert not robot.has_usable_password()
    assert ApiToken.objects.user_for(capsys.readouterr().out.strip().splitlines()[-1]) == robot


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [
    (["--role", "boss"], "--role: unknown role 'boss'"),
    (["--role", "caseworker", "--municipality", "Klinë", "--municipality", "Atlantis"],
     "--municipality: unknown municipality 'Atlantis'"),
    (["--role", "partner", "--organisation", "Nobody"], "--organisation: unknown organisation 'Nobody'"),
    (["--role", "manager", "--programme", "NOPE"], "--programme: unknown programme 'NOPE'"),
    (["--role", "admin", "--password", "short"], "--password:"),
    (["--role", "admin", "--language", "xx"], "--language: unknown language 'xx'"),
])
def test_it_refuses_bad_options_and_creates_nobody(args, message, world):
    users, tokens, audit = User.objects.count(), ApiToken.objects.count(), AuditEntry.objects.count()

    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        create("nobody", *args, "--token")

    assert not User.objects.filter(username="nobody").exists()
    assert (User.objects.count(), ApiToken.objects.count(), AuditEntry.objects.count()) == (users, tokens, audit)


@pytest.mark.django_db
def test_it_refuses_a_name_already_taken(world):
    with pytest.raises(CommandError, match="already exists"):
        create("klara", "--role", "admin")

    assert User.objects.get(username="klara").role == "caseworker"


def test_it_installs_the_homeward_console_script_with_our_commands():
    script = Path(sys.executable).parent / "homeward"
    result = subprocess.run([str(script), "help"], capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    for command in ("demo", "import", "serve", "user", "migrate"):
        assert f"    {command}\n" in result.stdout


def test_it_refuses_to_serve_on_a_port_that_is_not_one():
    with pytest.raises(CommandError, match="--port: 99999 is not a port number"):
        call_command("serve", "--port", "99999")


def test_it_names_the_port_make_run_serves_on_in_the_demo_login_line(monkeypatch):
    from homeward.management.commands.demo import Command

    monkeypatch.setenv("PORT", "8123")
    assert Command().create_parser("homeward", "demo").parse_args([]).url == "http://127.0.0.1:8123/"
    monkeypatch.delenv("PORT")
    assert Command().create_parser("homeward", "demo").parse_args([]).url == "http://127.0.0.1:8000/"
