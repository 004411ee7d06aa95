from django.db import migrations, models


class Migration(migrations.Migration):
    """The figures' index covers the values and quantities summed too (assistance.models.Delivery)."""

    dependencies = [
        ("assistance", "0004_delivery_figures_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="delivery", name="delivery_figures_idx"),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["programme", "status", "date", "type", "person", "household", "value_eur",
                                       "quantity"], name="delivery_figures_idx"),
        ),
    ]
