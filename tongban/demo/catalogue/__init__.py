"""Compact definitions of the demo catalogue; ``build`` turns them into the import JSON.

Run ``python -m tongban.demo.catalogue.build`` after editing a definition: it rewrites
``tongban/demo/data/catalogue.json``, which is what ``load_demo`` imports. A test checks
that the committed JSON matches the definitions.
"""
