"""Engines that write an answer from retrieved passages, behind one interface (see base.py), chosen in settings."""
