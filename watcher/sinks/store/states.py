"""Rule states in the store: saved as they change, loaded at start so active rules go on."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Engine
from sqlmodel import Session, select

from watcher.sinks.store.tables import RuleStateRow
from watcher.types import RuleState


class RuleStates:
    """The `rule_states` table: one row per rule, replaced on every save."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, states: Iterable[RuleState], updated: float) -> None:
        """Write these states (wall-clock epoch `updated`), replacing earlier rows of the same rules."""
        with Session(self._engine) as session:
            for state in states:
                session.merge(state_row(state, updated))
            session.commit()

    def load(self) -> list[RuleState]:
        """Every saved state, by rule name."""
        with Session(self._engine) as session:
            rows = session.exec(select(RuleStateRow).order_by(RuleStateRow.rule)).all()
        return [
            RuleState(
                rule=row.rule,
                camera=row.camera,
                kind=row.kind,
                active=row.active,
                value=json.loads(row.value),
                since=row.since,
                enabled=row.enabled,
                seen_at=row.seen_at,
                seen_wall=row.seen_wall,
            )
            for row in rows
        ]


def state_row(state: RuleState, updated: float) -> RuleStateRow:
    """The `rule_states` row of a state saved at wall-clock epoch `updated`."""
    return RuleStateRow(
        rule=state.rule,
        camera=state.camera,
        kind=state.kind,
        active=state.active,
        value=json.dumps(state.value),
        since=state.since,
        enabled=state.enabled,
        updated=updated,
        seen_at=state.seen_at,
        seen_wall=state.seen_wall,
    )
