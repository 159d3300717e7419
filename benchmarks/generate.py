"""Synthetic data in exactly the rammegraf model, deterministic from a seed.

Five regions with their 98 municipalities, a framework agreement per region and
two-year period, a health agreement per region, a national plan, a few hundred
initiatives per region and year, a status round every four months (a source
document per region and round, typed rg:StatusRound: a report on the whole plan),
a single update each March for the year's first two initiatives (a source that is
no round), milestones (fuzzy ones too, some an initiative's start, rg:startOf) with
rg:dependsOn chains, tasks, meetings and people. The acts and provisions are the shipped
ones (copied in), so rg:concerns points at real law.

    python benchmarks/generate.py --size 10k -o out/bench-10k      # 1k, 10k, 100k, 1m, 10m (1.7 GB)
    rammegraf stats --data out/bench-10k

Every IRI carries "syn" so synthetic data never collides with the real plan, with
one exception: the Midtjylland region is the real region/midtjylland, written with
exactly the shipped triples (so merging the two stays valid), so that the named
queries answer with their default parameters. In every region the first
initiative of the first year has the milestone "the region's organisation in
place" on 1 January of the next year, and every fifth initiative from the second
waits for it: `rammegraf query afhaenger-af-milepael` answers at every size.
Initiatives also have challenges and decision points, and each region has health
clusters of its municipalities.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RG = "https://w3id.org/rammegraf/ontology#"
ID = "https://w3id.org/rammegraf/id/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_FROM = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
DC_DATE = "<http://purl.org/dc/terms/date>"
DC_TITLE = "<http://purl.org/dc/terms/title>"
MEMBER_OF = "<http://www.w3.org/ns/org#memberOf>"
MEMBER = "<http://www.w3.org/ns/org#hasMember>"
PERSON = "<http://xmlns.com/foaf/0.1/Person>"
NOTATION = "<http://www.w3.org/2004/02/skos/core#notation>"

REGIONS = [("nordjylland", "Nordjylland", 11), ("midtjylland", "Midtjylland", 19),
           ("syddanmark", "Syddanmark", 22), ("hovedstaden", "Hovedstaden", 29), ("sjaelland", "Sjælland", 17)]
AREAS = ["Mental sundhed", "Borgere med komplekse udfordringer", "Overgang til voksenlivet", "Velfærdsteknologi"]
PHASES = ["Proposed", "NotStarted", "AwaitingStart", "InProgress", "Implementing", "Implemented", "Parked"]
PROVISIONS = ["serviceloven/paragraf-103", "serviceloven/paragraf-104", "serviceloven/paragraf-107",
              "serviceloven/paragraf-108", "almenboligloven/paragraf-105"]
FUZZY = [("primo", (1, 1), (3, 31)), ("medio", (4, 1), (9, 30)), ("ultimo", (10, 1), (12, 31)),
         ("1. kvartal", (1, 1), (3, 31)), ("2. kvartal", (4, 1), (6, 30)), ("foråret", (3, 1), (5, 31)),
         ("efteråret", (9, 1), (11, 30))]
SIZES = {"1k": (1, 2), "10k": (2, 15), "100k": (3, 100), "1m": (4, 750),   # (years, initiatives per region-year)
         "10m": (4, 6100)}   # 8.1 × 1m: the same years, more initiatives, so every kind of resource grows alike
ROUNDS = ((1, 1), (5, 1), (9, 1))   # a status round every four months
UPDATE = (3, 15)                     # a single update between the first two rounds of a year


def iri(path: str) -> str:
    return f"<{ID}{path}>"


def term(local: str) -> str:
    return f"<{RG}{local}>"


def lit(text: str, lang: str | None = "da") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def day(value: date) -> str:
    return f'"{value.isoformat()}"^^<{XSD}date>'


class Writer:
    def __init__(self, handle):
        self.handle = handle
        self.count = 0

    def __call__(self, s: str, p: str, o: str) -> None:
        self.handle.write(f"{s} {p} {o} .\n")
        self.count += 1

    def resource(self, s: str, cls: str, label_da: str, label_en: str | None = None) -> None:
        self(s, RDF_TYPE, term(cls))
        self(s, LABEL, lit(label_da))
        if label_en:
            self(s, LABEL, lit(label_en, "en"))


def generate(out: Path, *, years: int, per_region_year: int, seed: int = 1, first_year: int = 2025) -> int:
    """Write the synthetic graph to ``out`` (data.nt plus the shipped laws); return its triple count."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "data" / "reference" / "laws.ttl", out / "laws.ttl")
    with open(out / "data.nt", "w", encoding="utf-8") as handle:
        w = Writer(handle)
        plan = iri("aftale/syn-tiaarsplan")
        w.resource(plan, "Plan", "Syntetisk national plan", "Synthetic national plan")
        w(plan, term("approvedOn"), day(date(first_year - 3, 9, 27)))
        for r_index, (slug, name, municipalities) in enumerate(REGIONS, start=1):
            _region(w, rng, r_index, slug, name, municipalities, years, per_region_year, first_year, plan)
    return w.count + 91  # + the triples of laws.ttl


REAL_REGION = iri("region/midtjylland")


def _region(w: Writer, rng, r_index, slug, name, n_municipalities, years, per_year, first_year, plan):
    if slug == "midtjylland":  # the real region, with the shipped triples only
        region = REAL_REGION
        w.resource(region, "Region", "Region Midtjylland", "Central Denmark Region")
        w(region, term("regionCode"), lit("1082", None))
    else:
        region = iri(f"region/syn-{slug}")
        w.resource(region, "Region", f"Region {name} (syntetisk)", f"Region {name} (synthetic)")
        w(region, term("regionCode"), lit(str(1080 + r_index), None))
    munis = []
    for k in range(1, n_municipalities + 1):
        m = iri(f"kommune/syn-{slug}-{k:02d}")
        w.resource(m, "Municipality", f"{name} kommune {k} (syntetisk)")
        w(m, term("municipalityCode"), lit(f"{r_index}{k:02d}", None))
        w(m, term("inRegion"), region)
        munis.append(m)
    for c in range(0, len(munis), 5):  # health clusters of up to five municipalities
        cluster = iri(f"klynge/syn-{slug}-{c // 5 + 1}")
        w.resource(cluster, "Cluster", f"Klynge {c // 5 + 1} i {name} (syntetisk)")
        w(cluster, term("inRegion"), region)
        for m in munis[c:c + 5]:
            w(cluster, MEMBER, m)
    committee = iri(f"udvalg/syn-{slug}-styregruppe")
    w.resource(committee, "Committee", f"Styregruppe {name} (syntetisk)")
    people = []
    for k in range(1, 6):
        person = iri(f"person/syn-{slug}-{k}")
        w(person, RDF_TYPE, PERSON)
        w(person, LABEL, lit(f"Person {k} i {name}"))
        w(person, MEMBER_OF, rng.choice(munis))
        people.append(person)
    group = iri(f"arbejdsgruppe/syn-{slug}")
    w.resource(group, "WorkingGroup", f"Arbejdsgruppe {name} (syntetisk)")
    w(group, term("chair"), people[0])
    health = iri(f"aftale/syn-{slug}-sundhedsaftale")
    w.resource(health, "HealthAgreement", f"Sundhedsaftale {name} (syntetisk)")
    w(health, term("party"), region)

    documents = []   # (date, iri) of every status round in this region
    for year in range(first_year, first_year + years):
        for month, dom in ROUNDS:
            when = date(year, month, dom)
            doc = iri(f"kilde/syn-{slug}-{when.isoformat()}")
            w.resource(doc, "SourceDocument", f"Statusrunde {name} {when.isoformat()}")
            w(doc, RDF_TYPE, term("StatusRound"))   # a report on the whole plan
            w(doc, DC_DATE, day(when))
            w(doc, DC_TITLE, lit(f"Handlingsplan {name}, status pr. {when.isoformat()}"))
            documents.append((when, doc))
    updates = {}     # year → the source of that year's single update (no round)
    for year in range(first_year, first_year + years):
        when = date(year, *UPDATE)
        doc = iri(f"kilde/syn-{slug}-opdatering-{when.isoformat()}")
        w.resource(doc, "SourceDocument", f"Opdatering {name} {when.isoformat()}")
        w(doc, DC_DATE, day(when))
        w(doc, DC_TITLE, lit(f"Opdatering af enkelte initiativer, {name}, {when.isoformat()}"))
        updates[year] = (when, doc)
    areas, goals = [], []
    for a_index, area_name in enumerate(AREAS, start=1):
        area = iri(f"udviklingsomraade/syn-{slug}-{a_index}")
        w.resource(area, "DevelopmentArea", f"{area_name} ({name})")
        w(area, NOTATION, lit(str(a_index), None))
        w(area, PROV_FROM, documents[0][1])
        goal = iri(f"maalsaetning/syn-{slug}-{a_index}")
        w.resource(goal, "Goal", f"Målsætning for {area_name.lower()} ({name})")
        w(goal, term("developmentArea"), area)
        areas.append(area)
        goals.append(goal)

    frameworks = {}
    for period_start in range(first_year, first_year + years, 2):
        fa = iri(f"aftale/syn-{slug}-rammeaftale-{period_start}")
        w.resource(fa, "FrameworkAgreement", f"Rammeaftale {name} {period_start}-{period_start + 1}")
        w(fa, term("party"), region)
        w(fa, term("approvedBy"), committee)
        w(fa, term("approvedOn"), day(date(period_start - 1, 10, 15)))
        w(fa, term("implementationStart"), day(date(period_start, 1, 1)))
        frameworks[period_start] = frameworks[period_start + 1] = fa

    previous_milestones: list[str] = []
    organisation = iri(f"milepael/syn-{slug}-organisering")  # the design card's milestone
    for year in range(first_year, first_year + years):
        for i in range(1, per_year + 1):
            ini = _initiative(w, rng, slug, name, year, i, munis, people, committee, group, health,
                              frameworks[year], plan, areas, goals, documents, previous_milestones, region,
                              updates)
            if year == first_year and i == 1:
                w.resource(organisation, "Milestone", "Organiseringen i regionen er på plads",
                           "The region's organisation is in place")
                w(organisation, term("dateText"), lit(f"1.1.{(first_year + 1) % 100:02d}", None))
                w(organisation, term("earliest"), day(date(first_year + 1, 1, 1)))
                w(organisation, term("latest"), day(date(first_year + 1, 1, 1)))
                w(organisation, term("responsible"), region)
                w(organisation, PROV_FROM, documents[0][1])
                w(ini, term("hasMilestone"), organisation)
            elif i % 5 == 2:
                w(ini, term("dependsOn"), organisation)
        if documents:
            _meetings(w, rng, slug, year, committee, group, documents)


def _initiative(w, rng, slug, name, year, i, munis, people, committee, group, health, framework, plan,
                areas, goals, documents, previous_milestones, region, updates):
    ini = iri(f"initiativ/syn-{slug}-{year}-{i}")
    a = rng.randrange(len(areas))
    w.resource(ini, "Initiative", f"Initiativ {i} {year} i {name}", f"Initiative {i} {year} in {name}")
    w(ini, term("developmentArea"), areas[a])
    w(ini, term("pursues"), goals[a])
    w(ini, term("governedBy"), health if rng.random() < 0.3 else framework)
    if rng.random() < 0.15:
        w(ini, term("partOf"), plan)
    w(ini, term("responsible"), rng.choice([committee, group, rng.choice(munis)]))
    for m in rng.sample(munis, k=min(len(munis), rng.randint(1, 3))):
        w(ini, term("involves"), m)
    if rng.random() < 0.3:
        w(ini, term("concerns"), iri(f"lov/{rng.choice(PROVISIONS)}"))

    rounds = [(d, doc) for d, doc in documents if d.year >= year]
    phase = rng.randrange(0, 4)
    for when, doc in rounds:
        report = iri(f"status/syn-{slug}-{year}-{i}-{when.isoformat()}")
        w.resource(report, "StatusReport", f"Status for initiativ {i} {year} pr. {when.isoformat()}")
        w(report, term("statusOf"), ini)
        w(report, term("asOf"), day(when))
        w(report, term("phase"), term(PHASES[phase]))
        w(report, term("text"), lit(f"Status pr. {when.isoformat()}: fase {PHASES[phase]}."))
        w(report, PROV_FROM, doc)
        if rng.random() < 0.35 and phase < 6:
            phase += 1
        if i <= 2 and when == date(year, *ROUNDS[0]) and year in updates:   # a single update, no round
            update_day, update_doc = updates[year]
            report = iri(f"status/syn-{slug}-{year}-{i}-{update_day.isoformat()}")
            w.resource(report, "StatusReport", f"Status for initiativ {i} {year} pr. {update_day.isoformat()}")
            w(report, term("statusOf"), ini)
            w(report, term("asOf"), day(update_day))
            w(report, term("phase"), term(PHASES[phase]))
            w(report, term("text"), lit(f"Opdatering pr. {update_day.isoformat()}: fase {PHASES[phase]}."))
            w(report, PROV_FROM, update_doc)
    first_doc = rounds[0][1] if rounds else documents[-1][1]
    w(ini, PROV_FROM, first_doc)

    own: list[str] = []
    for k in range(rng.randint(1, 2)):
        ms = iri(f"milepael/syn-{slug}-{year}-{i}-{k}")
        start = k == 0 and rng.random() < 0.3    # the initiative's start (rg:startOf)
        w.resource(ms, "Milestone", f"Opstart: initiativ {i} {year}" if start else f"Milepæl {k + 1} for initiativ {i} {year}")
        if start:
            w(ms, term("startOf"), ini)
        target_year = year + rng.randint(0, 2)
        if rng.random() < 0.5:
            words, (m1, d1), (m2, d2) = rng.choice(FUZZY)
            w(ms, term("dateText"), lit(f"{words} {target_year}", None))
            w(ms, term("earliest"), day(date(target_year, m1, d1)))
            w(ms, term("latest"), day(date(target_year, m2, d2)))
        else:
            when = date(target_year, rng.randint(1, 12), rng.randint(1, 28))
            w(ms, term("dateText"), lit(when.strftime("%d/%m/%y"), None))
            w(ms, term("earliest"), day(when))
            w(ms, term("latest"), day(when))
        w(ms, term("responsible"), rng.choice([region, committee, rng.choice(munis)]))
        w(ms, PROV_FROM, first_doc)
        w(ini, term("hasMilestone"), ms)
        own.append(ms)
    if previous_milestones and rng.random() < 0.3:  # wait for another initiative's milestone
        w(ini, term("dependsOn"), rng.choice(previous_milestones[-50:]))
    previous_milestones.extend(own)

    if rng.random() < 0.5:
        task = iri(f"opgave/syn-{slug}-{year}-{i}")
        w.resource(task, "Task", f"Opgave for initiativ {i} {year}")
        w(task, term("text"), lit("En syntetisk opgave."))
        w(task, term("responsible"), rng.choice(people))
        w(task, PROV_FROM, first_doc)
        w(ini, term("hasTask"), task)
    if rng.random() < 0.4:
        challenge = iri(f"udfordring/syn-{slug}-{year}-{i}")
        w.resource(challenge, "Challenge", f"Udfordring for initiativ {i} {year}")
        w(challenge, term("text"), lit("En syntetisk udfordring."))
        if rng.random() < 0.3:
            w(challenge, term("concerns"), iri(f"lov/{rng.choice(PROVISIONS)}"))
        w(challenge, PROV_FROM, first_doc)
        w(ini, term("hasChallenge"), challenge)
    if rng.random() < 0.2:
        point = iri(f"beslutningspunkt/syn-{slug}-{year}-{i}")
        w.resource(point, "DecisionPoint", f"Beslutningspunkt for initiativ {i} {year}")
        w(point, term("text"), lit("Et syntetisk beslutningspunkt."))
        w(point, term("decisionForum"), committee)
        w(point, PROV_FROM, first_doc)
        w(ini, term("hasDecisionPoint"), point)
    return ini


def _meetings(w, rng, slug, year, committee, group, documents):
    for month in (3, 6, 9, 12):
        meeting = iri(f"moede/syn-{slug}-{year}-{month:02d}")
        w.resource(meeting, "Meeting", f"Møde {year}-{month:02d} ({slug})")
        w(meeting, term("onDate"), day(date(year, month, 10)))
        w(meeting, term("virtual"), f'"{"true" if rng.random() < 0.5 else "false"}"^^<{XSD}boolean>')
        w(meeting, term("organisedBy"), rng.choice([committee, group]))
        w(meeting, term("about"), iri(f"initiativ/syn-{slug}-{year}-1"))
        w(meeting, PROV_FROM, documents[0][1])


def new_status_entry(*, years: int, first_year: int = 2025) -> str:
    """A new status report for a generated graph, as Turtle: a single update after the
    last generated round (a date no report has yet), for the first initiative of the
    first year in Midtjylland, with its own source document, which is no round (so no
    other initiative becomes "not in the report"). It conforms."""
    when = date(first_year + years, 2, 15)
    return f"""@prefix rg: <{RG}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <{XSD}> .
<{ID}kilde/syn-ny-opdatering> a rg:SourceDocument ; rdfs:label "Ny opdatering"@da ;
    <http://purl.org/dc/terms/title> "Ny opdatering"@da ; <http://purl.org/dc/terms/date> "{when}"^^xsd:date .
<{ID}status/syn-ny> a rg:StatusReport ; rdfs:label "Ny status"@da ;
    rg:statusOf <{ID}initiativ/syn-midtjylland-{first_year}-1> ;
    rg:asOf "{when}"^^xsd:date ; rg:phase rg:InProgress ; rg:text "I gang."@da ;
    <http://www.w3.org/ns/prov#wasDerivedFrom> <{ID}kilde/syn-ny-opdatering> .
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="10k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    years, per_year = SIZES[args.size]
    count = generate(args.output, years=years, per_region_year=per_year, seed=args.seed)
    print(f"{count} triples in {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
