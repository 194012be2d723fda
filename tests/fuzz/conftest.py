"""Hypothesis profiles for the fuzz tests: quick by default (part of ``make test``), thousands of examples with
``HYPOTHESIS_PROFILE=long`` (``make fuzz``). The same "long" profile as tests/translation/test_segments.py."""

from hypothesis import settings

settings.register_profile("long", max_examples=5000, deadline=None)
