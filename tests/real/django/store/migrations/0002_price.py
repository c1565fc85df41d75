from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('shop', '0001_initial')]
    operations = [migrations.RunSQL("ALTER TABLE shop_item ADD COLUMN price integer", "ALTER TABLE shop_item DROP COLUMN price")]
