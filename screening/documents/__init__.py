"""Document editions (registry as data) and edition-specific checks: hand-filled legacy
pages and photo substitution.

Public entry points live in :mod:`screening.documents.registry`,
:mod:`screening.documents.legacy` and :mod:`screening.documents.photo`.
"""
