"""What the scan pipeline calls: one document -> list findings + versions checked."""

from __future__ import annotations

from screening.errors import BadArgumentsError, InputFileError, ListStoreError
from screening.findings import Finding, make_finding
from screening.lists.hashing import load_key
from screening.lists.matcher import find_matches
from screening.lists.model import ListMatch, ListScreening, Status
from screening.lists.store import ListStore, open_store
from screening.settings import Settings

# Finding code raised by an exact hit, by record status.
HIT_CODES: dict[Status, str] = {
    Status.LOST: "LIST_LOST",
    Status.STOLEN: "LIST_STOLEN",
    Status.STOLEN_BLANK: "LIST_STOLEN_BLANK_SERIES",
    Status.REVOKED: "LIST_REVOKED",
    Status.INVALID: "LIST_INVALID",
}
MAX_POSSIBLE_FINDINGS = 5


def open_lists_for_screening(settings: Settings) -> tuple[ListStore | None, str | None]:
    """The configured store for a screening session, or (None, why not).

    Open it once per process/worker (a store object is not for concurrent threads) and
    pass the reason to ``screen_document`` so that ``LIST_NOT_CHECKED`` says it.
    """
    try:
        return open_store(settings.resolved_lists_url(), create=False), None
    except ListStoreError as error:
        return None, error.message


def screen_document(
    store: ListStore | None,
    issuing_state: str | None,
    document_type: str | None,
    document_number: str | None,
    settings: Settings,
    *,
    key: bytes | None = None,
    unavailable_reason: str | None = None,
) -> ListScreening:
    """Check one document against the active lost/stolen list version.

    Never raises for a store problem: a store that cannot be read gives a
    ``LIST_NOT_CHECKED`` finding, so a batch goes on and the officer knows.
    """
    if store is None:
        return _not_checked(unavailable_reason or "no lost/stolen list store is configured")
    if not issuing_state or not document_number:
        return _not_checked("the issuing state or document number could not be read")
    try:
        if key is None and store.mode()[0] == "hashed":
            key = load_key(None)  # $SCREENING_LISTS_KEY, entered at start-up
        result = find_matches(
            store, issuing_state, document_type, document_number, today=settings.today, key=key
        )
    except (ListStoreError, InputFileError) as error:
        return _not_checked(f"the list store could not be read ({error.message})")
    except BadArgumentsError as error:
        # An issuing state or number that no list can hold (the MRZ rules report it).
        return _not_checked(error.message)
    if result.version is None:
        return _not_checked("no lost/stolen list has been imported yet")
    versions = (result.version.ref(),)
    findings: list[Finding] = []
    possible = [m for m in result.matches if m.kind == "possible"]
    for match in result.matches:
        if match.kind == "hit":
            findings.append(_hit_finding(match, result.version.ref()))
    for match in possible[:MAX_POSSIBLE_FINDINGS]:
        findings.append(_possible_finding(match, result.version.ref(), len(possible)))
    return ListScreening(result.status, result.matches, tuple(findings), versions)


def _not_checked(reason: str) -> ListScreening:
    finding = make_finding(
        "LIST_NOT_CHECKED",
        f"Not checked against the lost/stolen document lists: {reason}.",
        field="document_number",
    )
    return ListScreening("not_checked", (), (finding,), ())


def _describe(match: ListMatch) -> str:
    record = match.record
    what = f"{record.issuing_state or ''} {record.document_type} {match.matched_number}".strip()
    source = f" (source {record.source})" if record.source else ""
    return f"{what} is listed as {record.status.label.replace('_', ' ')}{source}"


def _hit_finding(match: ListMatch, version: dict[str, object]) -> Finding:
    record = match.record
    series = (
        f" — stolen blank series {record.document_number}-{record.number_to}"
        if record.is_series
        else ""
    )
    return make_finding(
        HIT_CODES[record.status],
        f"{_describe(match)}{series}, list version {match.version}.",
        field="document_number",
        value=match.matched_number,
        record=record.to_dict(),
        source=record.source or version.get("source"),
        list_version=version,
        match="exact",
    )


def _possible_finding(match: ListMatch, version: dict[str, object], total: int) -> Finding:
    more = f" ({total} possible matches in all)" if total > MAX_POSSIBLE_FINDINGS else ""
    return make_finding(
        "LIST_POSSIBLE_MATCH",
        f"Possible match: {match.reason}; {_describe(match)}.{more} "
        "Compare the number on the data page, the MRZ and the other pages.",
        field="document_number",
        value=match.matched_number,
        record=match.record.to_dict(),
        source=match.record.source or version.get("source"),
        list_version=version,
        match="near",
        reason=match.reason,
    )
