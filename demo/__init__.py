"""The county's deterministic demo data (development, tests, benchmarks; never loaded in
production): the deputies and stations (``demo.county``) and the budget units and lines
(``demo.budget``). Several services' seeds and the gateway's demo accounts build on the same
deputies, so they live here, outside any one service; a seed imports ``demo`` and
``contracts``, never another service (tests/unit/test_import_boundaries.py).
"""
