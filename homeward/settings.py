"""One settings module, driven by environment variables. A bad value fails loudly at start-up."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


DEBUG = env_bool("HOMEWARD_DEBUG", False)
# The default key is only good for a machine nobody else reaches; production sets its own.
SECRET_KEY = env("HOMEWARD_SECRET_KEY", "homeward-local-development-key-not-for-production-use")
ALLOWED_HOSTS = [h for h in env("HOMEWARD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("HOMEWARD_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "homeward",
    "places",
    "accounts",
    "audit",
    "programmes",
    "registry",
    "assistance",
    "activities",
    "matching",
    "reports",
    "jobs",
    "merges",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "homeward.middleware.RefuseNul",  # text PostgreSQL cannot store: a clear error on every database
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "reports.middleware.FiguresOncePerRequest",
]

ROOT_URLCONF = "homeward.urls"
WSGI_APPLICATION = "homeward.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.ModelBackend"]  # reads a session's user with the user's scope
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'homeward.sqlite3'}"
DATABASE_URL = env("DATABASE_URL", DEFAULT_DATABASE_URL)
if not DATABASE_URL.startswith(("sqlite:", "postgres:", "postgresql:")):
    raise ImproperlyConfigured("DATABASE_URL must start with sqlite: or postgres:")
# Connections outlive a request: each server thread keeps its own for a minute. For SQLite too:
# opening one runs its pragmas and registers its functions, and closing one unmaps the file; in a
# sampling profile of the server under 20 clients searching, that was a sixth of its time.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE makes a write
        # transaction take the lock up front, so concurrent writers queue instead of
        # failing half-way with "database is locked". Memory-mapped reads (up to 1 GiB of the
        # file) spare a read() call and a copy per page: a million persons' figures spent 9 of
        # their 35 s in the kernel without it, 0.4 s with it (bench/reach.py).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
                        "PRAGMA mmap_size=1073741824;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file, not Django's shared in-memory database, so that tests with several
    # threads see real SQLite locking; one file per process lets test runs go on side by side.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
else:
    # PostgreSQL compiles a query to machine code (JIT) once its cost estimate is high, which a
    # page walked over a large registry has (reports.indicators.listing): 2.5 s of compiling
    # for a few milliseconds of work. Pages want predictable answers; turned off.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("sq", "Shqip"),
    ("sr-latn", "Srpski (latinica)"),
    ("sr", "Српски (ћирилица)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Belgrade"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# WhiteNoise serves the apps' static files straight from their folders (WHITENOISE_USE_FINDERS), so
# nothing needs collectstatic; set HOMEWARD_STATIC_ROOT to collect them for another web server.
STATIC_ROOT = env("HOMEWARD_STATIC_ROOT", None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env("HOMEWARD_MEDIA_ROOT", BASE_DIR / "var" / "media"))

SESSION_ENGINE = "accounts.sessions"  # Django's database sessions, read with less overhead
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # a working day; shared office computers are common
SESSION_COOKIE_SECURE = env_bool("HOMEWARD_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

HOMEWARD_PAGE_SIZE = 25
# Programme-wide figures are kept until a record changes once the registry holds this many
# persons (reports.cache); below it they are counted afresh on every request.
HOMEWARD_FIGURES_CACHE_PERSONS = int(os.environ.get("HOMEWARD_FIGURES_CACHE_PERSONS", "100000"))
# From this many persons, a programme's reach is kept as running tallies once asked for (reports.tallies).
HOMEWARD_TALLY_PERSONS = int(os.environ.get("HOMEWARD_TALLY_PERSONS", "100000"))
# Processes the duplicate search over the whole registry (`homeward match`, the "match" job) forks to
# score its blocks. Two by default: the commonest kind of key (`ga:`) is about a third of the work, so a
# third process mostly waits for it, and each adds to the memory (`homeward match` over a million
# stored persons: 1.9 GiB with two, bench/RESULTS.md).
HOMEWARD_MATCH_WORKERS = int(os.environ.get("HOMEWARD_MATCH_WORKERS", str(min(2, len(os.sched_getaffinity(0))))))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("HOMEWARD_LOG_LEVEL", "WARNING")},
}
