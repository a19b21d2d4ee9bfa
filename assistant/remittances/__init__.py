"""Denials teach the checker: import X12 835 remittances, match, classify, report.

Parser choice: **pyx12** (4.0.0), over linuxforhealth-x12 (0.57.0). Both were tried on the
same synthetic 835. pyx12 walks every segment against the 005010X221A1 implementation
guide map it ships (loop structure, required segments, element types, code values, SE/GE/IEA
counts) and reports each problem with its segment, element position and line, which is
what an importer that must refuse malformed files needs; it is maintained and its error
tree can be read without quoting data values. linuxforhealth-x12 does not import beside
this project's pydantic 2 (it needs pydantic 1's ``BaseSettings``), its last release is from
2022, and it models only the transactions it maps rather than validating against the guide.

Modules, in the order data flows: :mod:`.x12` (pyx12: validate and read segments with
their loops), :mod:`.extract` (segments -> :mod:`.model` values, pure), :mod:`.categories`
(the CARC/RARC table, ``denial_categories.v1.yaml``), :mod:`.outcomes` (paid / partially
paid / denied per line, pure), :mod:`.matching` (claims and lines to checked charts,
pure), :mod:`.importer` (one transaction per file), :mod:`.report` (the monthly denial
report) and :mod:`.synthetic` (PHI-free 835 files for tests).
"""
