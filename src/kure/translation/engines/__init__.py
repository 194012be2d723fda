"""Machine translation engines behind one interface (see base.py), chosen per language pair in settings."""
