"""The plan at a glance: what the front page (and the status document) shows of a round.

A dashboard is files: every named query whose header says ``# dashboard: N`` (and
declares its ``# chart:``) is a chart on the front page, in the order of N, with its
parameters bound by name to the chosen round (``date``, ``asOf``, ``to``) and the
round before it (``from``); a parameter with another name keeps its default. Beside
them stand the parts that are not one query: the tiles (how many initiatives the
round has, how many milestones are overdue, due within 90 days, reached since the
round before), how the phases moved from the round before, the milestones on a
time axis, and what changed, in words.

Everything is set-at-a-time: a fixed number of queries whatever the size of the
graph (the milestones' states by ``rounds.milestone_states``, once unnamed for the
counts and once named for the few drawn).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .labels import Labels
from .network import round_dates, round_members
from .query import NamedQuery, named_queries
from .rounds import NoSuchRound, milestone_states
from .terms import iri
from .viz import PHASE_COLOURS

WITHIN = 90          # days ahead that count as "due soon"
PER_STATE = 8        # milestones of each state drawn on the time axis (the nearest to the date)
LISTED = 8           # initiatives named per kind of change (the rest are on /runder/DATE)
PARAM_ROLES = {"date": "day", "asOf": "day", "to": "day", "from": "previous"}


def dashboard_queries() -> list[NamedQuery]:
    """The named queries on the front page, in their order (``# dashboard: N``, then name)."""
    return sorted((q for q in named_queries() if q.dashboard is not None), key=lambda q: (q.dashboard, q.name))


def values_for(query: NamedQuery, day: date, previous: date | None) -> dict[str, str] | None:
    """A dashboard query's parameter values for the round of ``day``: bound by name; None
    when it needs the round before and there is none (the first round)."""
    values = {}
    for param in query.params:
        role = PARAM_ROLES.get(param.name)
        if role == "day":
            values[param.name] = day.isoformat()
        elif role == "previous":
            if previous is None:
                return None
            values[param.name] = previous.isoformat()
    return values


def choose_round(engine, wanted: str | None) -> tuple[date, date | None, list[date]]:
    """The round shown (``wanted``, an ÅÅÅÅ-MM-DD that is a round's date, else the latest),
    the round before it, and all rounds. NoSuchRound names the rounds there are."""
    rounds = round_dates(engine)
    if not rounds:
        raise NoSuchRound("grafen har ingen statusrunde (the graph has no status round)")
    if wanted:
        try:
            day = date.fromisoformat(wanted)
        except ValueError:
            day = None
        if day not in rounds:
            raise NoSuchRound(f"der er ingen statusrunde pr. {wanted}; runderne er "
                              f"{', '.join(d.isoformat() for d in rounds)} (no status round on that date)")
    else:
        day = rounds[-1]
    earlier = [d for d in rounds if d < day]
    return day, earlier[-1] if earlier else None, rounds


@dataclass
class Overview:
    day: date
    previous: date | None
    in_round: int
    counts: dict[str, int]                      # milestone state → how many, as of the day
    due_soon: int                               # due now, or beginning within WITHIN days
    reached_since: int                          # milestones first shown reached after the round before
    drawn: list = field(default_factory=list)   # the milestones on the time axis (Deadline), by first day
    flow: list = field(default_factory=list)    # (phase before or None, phase after or None, initiatives)
    changed: list = field(default_factory=list)     # (initiative IRI, phase before, phase after), first LISTED
    new: list = field(default_factory=list)         # (initiative IRI, phase), first LISTED
    missing: list = field(default_factory=list)     # (initiative IRI, last phase), first LISTED
    totals: dict[str, int] = field(default_factory=dict)   # changed, unchanged, new, missing: how many


def overview(engine, day: date, previous: date | None, *, lang: str = "da") -> Overview:
    """The round of ``day`` at a glance (see the module's words)."""
    after = round_members(engine, day)
    before = round_members(engine, previous) if previous else {}
    states = milestone_states(engine, day, within=WITHIN, lang=lang, labelled=False)
    counts: dict[str, int] = {}
    for item in states:
        counts[item.state] = counts.get(item.state, 0) + 1
    since = [i for i in states if i.proof is not None and (previous is None or i.proof.day > previous)]
    # the nearest of each state: overdue and reached the latest first, the others the soonest
    nearest: list = []
    for state, key, reverse in (("overdue", lambda i: i.latest, True), ("due", lambda i: i.latest, False),
                                ("upcoming", lambda i: i.earliest, False), ("on_hold", lambda i: i.earliest, False)):
        nearest += sorted((i for i in states if i.state == state), key=key, reverse=reverse)[:PER_STATE]
    nearest += sorted(since, key=lambda i: i.proof.day, reverse=True)[:PER_STATE]
    chosen = {i.milestone for i in nearest}
    drawn = milestone_states(engine, day, within=WITHIN, lang=lang, milestones=chosen) if chosen else []
    drawn.sort(key=lambda i: (i.earliest, i.latest, i.label.casefold()))
    flow: dict[tuple, int] = {}
    for initiative in before.keys() | after.keys():
        pair = (_phase(before, initiative), _phase(after, initiative))
        flow[pair] = flow.get(pair, 0) + 1
    changed = [(i, before[i], after[i]) for i in after.keys() & before.keys() if _phase(before, i) != _phase(after, i)]
    new = [(i, after[i]) for i in after.keys() - before.keys()] if previous else []
    missing = [(i, before[i]) for i in before.keys() - after.keys()]
    labels = Labels(engine, lang)
    named = lambda rows: sorted(rows, key=lambda r: labels.display(iri(r[0])).casefold())  # noqa: E731
    labels.load(iri(r[0]) for rows in (changed, new, missing) for r in rows)
    return Overview(day=day, previous=previous, in_round=len(after), counts=counts,
                    due_soon=counts.get("due", 0) + counts.get("upcoming", 0), reached_since=len(since),
                    drawn=drawn, flow=sorted(((a, b, n) for (a, b), n in flow.items()), key=_flow_order),
                    changed=named(changed)[:LISTED], new=named(new)[:LISTED], missing=named(missing)[:LISTED],
                    totals={"changed": len(changed), "unchanged": len(after.keys() & before.keys()) - len(changed),
                            "new": len(new), "missing": len(missing)})


def _phase(members: dict, initiative: str):
    phase = members.get(initiative)
    return phase.value if phase is not None else None


ORDER = tuple(PHASE_COLOURS)   # the phases in their order (rg:phaseOrder)


def _flow_order(row) -> tuple:
    def rank(phase):
        if phase is None:
            return -1
        name = phase.rsplit("#", 1)[-1]
        return ORDER.index(name) if name in ORDER else len(ORDER)
    return rank(row[0]), rank(row[1])
