from django.apps import AppConfig


# The package is "store" but the app label (what django_migrations.app
# holds) is "shop": the directory's name is not the label.
class StoreConfig(AppConfig):
    name = "store"
    label = "shop"
