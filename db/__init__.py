"""Data layer of Patient Relations Desk: settings, engine, models, migrations and every query."""
