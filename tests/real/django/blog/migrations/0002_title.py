from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('blog', '0001_initial')]
    operations = [migrations.RunSQL("ALTER TABLE blog_post ADD COLUMN title text", "ALTER TABLE blog_post DROP COLUMN title")]
