"""Validation at the layer boundaries: Great Expectations suites (gx) and the row-level
domain rules they expect (domain_checks)."""
