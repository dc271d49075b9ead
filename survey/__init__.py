"""The web shell around the scoring core: blueprints, models, forms, services, charts, CLI."""
