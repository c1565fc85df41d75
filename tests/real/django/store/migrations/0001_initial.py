from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunSQL("CREATE TABLE shop_item (id integer PRIMARY KEY)", "DROP TABLE shop_item")]
