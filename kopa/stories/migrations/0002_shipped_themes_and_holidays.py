from django.db import migrations


def load(apps, schema_editor):
    from kopa.stories.taxonomy import load_shipped

    load_shipped(apps.get_model("stories", "Theme"), apps.get_model("stories", "Holiday"))


class Migration(migrations.Migration):
    dependencies = [("stories", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
