#!/usr/bin/python3
# A Django project with two apps for the real-framework round trip
# (tests/integration/t_real_py.sh). The database comes from the
# environment: DJANGO_SQLITE=<file>, else PostgreSQL from PGHOST, PGPORT,
# PGUSER, PGPASSWORD and DJANGO_PGDB.
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
