from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('shop', '0002_price')]
    operations = [migrations.RunSQL("CREATE TABLE shop_stock (id integer PRIMARY KEY)", "DROP TABLE shop_stock")]
