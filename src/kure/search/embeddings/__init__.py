"""Text embedding engines for semantic retrieval, behind one interface (see base.py), chosen in settings."""
