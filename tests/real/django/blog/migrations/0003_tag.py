from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('blog', '0002_title')]
    operations = [migrations.RunSQL("CREATE TABLE blog_tag (id integer PRIMARY KEY)", "DROP TABLE blog_tag")]
