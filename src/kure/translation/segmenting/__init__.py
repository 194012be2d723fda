"""Internals of :mod:`kure.translation.segments` (the public API lives there).

- ``source``: the article text, its newline-normalised form and its lines;
- ``parser``: the article's Markdown parser, instrumented to report where each inline element came from;
- ``units``: an inline block as a flat list of characters and markup units, with source positions;
- ``sentences``: sentence boundaries, the same ones ``kure.core.text.split_sentences`` finds;
- ``tags``: the ``<g1>…</g1>`` / ``<x1/>`` placeholder syntax, checking and repairing translations;
- ``emit``: writing a translated segment back as Markdown.
"""
