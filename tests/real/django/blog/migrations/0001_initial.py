from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('shop', '0001_initial')]
    operations = [migrations.RunSQL("CREATE TABLE blog_post (id integer PRIMARY KEY)", "DROP TABLE blog_post")]
