"""The `homeward` console script: every Django management command, run with Homeward's settings."""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["homeward", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
