"""The checkpoint officer's web station (``screening serve``).

Modules, one job each::

    config      StationConfig, the history key
    roles       roles and permissions (data/roles.toml)
    passwords   argon2 password hashing, API token digests
    schema      the station database's tables (accounts, tokens, sessions, history)
    accounts    accounts and API tokens (also used by ``screening users``)
    sessions    browser sessions (expiring, revocable)
    csrf        CSRF tokens for every form
    throttle    rate limit on failed logins
    history     what is kept of each screening, and the search
    screener    screening uploads through one ScreeningSession per process
    (overlay: screening/report/overlay.py, shared with the batch report)
    result      the result page's data (verdict, checklist, MRZ vs printed, lists)
    i18n        English and Russian labels (data/messages.*.toml)
    responses   one view, two renderings (HTML, JSON), one JSON error shape
    guard       authentication, permission and CSRF checks in front of every view
    middleware  security headers, the .json suffix, the request size limit
    runtime     what a process opens once
    app         the app factory and the route table
    views/      the views, by area

Import :func:`screening.web.app.create_app` for the ASGI app; this package itself
imports nothing heavy.
"""
