import os

SECRET_KEY = "round-trip-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# contenttypes keeps its own django_migrations rows and fills
# django_content_type after every migrate: reckon must leave both alone.
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "store.apps.StoreConfig",
    "blog",
]
if os.environ.get("DJANGO_SQLITE"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                             "NAME": os.environ["DJANGO_SQLITE"]}}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql",
                             "NAME": os.environ["DJANGO_PGDB"],
                             "HOST": os.environ.get("PGHOST", ""),
                             "PORT": os.environ.get("PGPORT", ""),
                             "USER": os.environ.get("PGUSER", ""),
                             "PASSWORD": os.environ.get("PGPASSWORD", "")}}
