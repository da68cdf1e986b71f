"""``screening editions``: list the document-edition registry (for trainers)."""

from __future__ import annotations

import json

import click

from screening.cli.options import json_option
from screening.documents.registry import ILLUSTRATIVE, load_registry


@click.command("editions")
@click.option("--state", metavar="CODE", default=None, help="Only editions of this state.")
@json_option
def editions(state: str | None, as_json: bool) -> None:
    """List known document editions: years, validity, features to check, forgery signs.

    Facts marked (illustrative) were chosen for synthetic specimens and are not verified
    against genuine documents; the others cite a public source (see --json).
    """
    registry = load_registry()
    selected = [e for e in registry.editions if state is None or e.issuing_state == state.upper()]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "editions": [e.to_dict() for e in selected],
                    "sources": {
                        s.id: {"title": s.title, "url": s.url} for s in registry.sources.values()
                    },
                    "non_machine_readable_expired_by": (
                        registry.non_machine_readable_expired_by.isoformat()
                    ),
                },
                ensure_ascii=False,
            )
        )
        return
    lines: list[str] = []
    for edition in selected:

        def mark(fact: str, edition=edition) -> str:
            origin = edition.provenance.get(fact, ILLUSTRATIVE)
            return " (illustrative)" if origin == ILLUSTRATIVE else f" [{origin}]"

        years = f"{edition.issued_from}-{edition.issued_until or ''}"
        lines.append(f"{edition.id}: {edition.name}")
        lines.append(f"  issued {years}{mark('issued_from')}")
        if edition.last_valid:
            lines.append(f"  valid until {edition.last_valid.isoformat()}{mark('last_valid')}")
        lines.append(
            f"  {'machine-readable' if edition.machine_readable else 'NO MRZ'}, "
            f"{edition.fill_method}{mark('fill_method')}; number {edition.number_pattern}"
            f"{mark('number_pattern')}; {edition.page_count} pages"
        )
        lines.append(f"  check{mark('security_features')}:")
        lines += [f"    - {item}" for item in edition.security_features]
        lines.append(f"  forgery signs{mark('forgery_signs')}:")
        lines += [f"    - {item}" for item in edition.forgery_signs]
    if not selected:
        lines.append(f"no editions for state {state!r}")
    click.echo("\n".join(lines))
