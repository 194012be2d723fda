"""Küre: a self-hostable platform for an edited, multilingual encyclopedia."""
