from django.db import migrations


def load(apps, schema_editor):
    from kopa.learning.shipped import load_shipped_templates

    load_shipped_templates(
        apps.get_model("learning", "QuestionnaireTemplate"),
        apps.get_model("learning", "TemplateQuestion"),
    )


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
