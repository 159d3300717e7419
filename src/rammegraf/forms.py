"""Entry forms made from the shapes: what a form asks, and what an answer becomes.

A form is declared in ``ontology/shapes.ttl`` (``rgsh:Form``: its class, its Danish
slug, how an entry's IRI is made); its fields are the property shapes that apply
to the class, in ``sh:order``, merged by path (a path constrained by several
shapes is one field), labelled by ``sh:name`` or the property's label in the
ontology and helped by ``sh:description`` or its ``skos:definition``:

- ``sh:class`` or an ``sh:or`` of classes: a resource, chosen by its label;
- ``sh:in``: a choice of the values' labels (the phases);
- ``xsd:date``: a date; ``xsd:boolean``: a checkbox;
- ``rdf:langString``: Danish text (and English where ``sh:languageIn`` allows it);
- ``sh:minCount``: required; ``sh:maxCount`` above 1 or none: more than one value;
- an inverse path whose class has a form of its own and must be there (an
  initiative's first status report): that form, nested.

``read(form, values, engine)`` turns the posted values into triples, saying per
field what cannot be read (a date that is not a date, a label that names
nothing); ``check`` validates them with the graph (``validate.check_entries``,
the validator of ``rammegraf validate``) and puts each result at its field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from .errors import RammegrafError
from .namespaces import DCTERMS, ID, PREFIXES, RDF, RGSH, SH, XSD, curie

CHOICE_LIMIT = 300          # resources offered as a list in the page; above, found by search
CREATED, CREATOR, MODIFIED = DCTERMS.created, DCTERMS.creator, DCTERMS.modified
LANGS = ("da", "en")


class FormError(RammegrafError):
    """No such form, or the shapes describe one rammegraf cannot build."""


@dataclass
class Field:
    name: str                    # the form field's name: rg-phase, rdfs-label, inv-rg-hasMilestone
    predicate: str
    inverse: bool = False
    paths: set = field(default_factory=set)     # the paths as validation reports write them
    label: dict = field(default_factory=dict)   # language → text
    help: dict = field(default_factory=dict)
    widget: str = "text"         # text, textarea, date, checkbox, choice, resource, nested
    required: bool = False
    multiple: bool = True
    classes: tuple = ()          # a resource's classes (any of them)
    choices: list = field(default_factory=list)  # [(IRI, {lang: label})] for sh:in
    languages: tuple = ()        # for language-tagged text
    datatype: str | None = None
    order: float = 1000.0
    fills: tuple = ()            # (earliest field, latest field): words that fill two dates
    single: bool = False         # dash:singleLine: text on one line
    nested: Form | None = None   # the form of a new resource made with this one

    def text(self, lang: str, what: str = "label") -> str:
        values = getattr(self, what)
        return values.get(lang) or values.get("da") or next(iter(values.values()), "")


@dataclass
class Form:
    slug: str
    cls: str
    label: dict
    help: dict
    order: float
    iri_template: str
    label_template: str | None
    fields: list[Field] = field(default_factory=list)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def text(self, lang: str, what: str = "label") -> str:
        values = getattr(self, what)
        return values.get(lang) or values.get("da") or ""


# ---------------------------------------------------------------------------
# The forms, from the shapes and the ontology
# ---------------------------------------------------------------------------

_FORMS: dict = {}


def forms(engine, shapes=None) -> dict[str, Form]:
    """Every form, by slug, in their order (read once per shapes file and engine)."""
    from .shacl import shapes_for

    shapes = shapes or shapes_for()
    key = (id(shapes), id(engine))
    if key not in _FORMS:
        _FORMS.clear()
        _FORMS[key] = (shapes, engine, _Reader(shapes, engine).forms())   # held, so no id is reused meanwhile
    return _FORMS[key][2]


def form(engine, slug: str) -> Form:
    found = forms(engine).get(slug)
    if found is None:
        raise FormError(f"der er ingen formular '{slug}' (no such form)")
    return found


class _Reader:
    def __init__(self, shapes, engine) -> None:
        self.shapes = shapes
        self.engine = engine
        self.store = shapes.store

    def _one(self, node, predicate: str):
        return self.shapes._one(node, predicate)

    def _texts(self, node, predicate: str) -> dict:
        return {o.language or "": o.value for o in self.shapes._objects(node, predicate)}

    def forms(self) -> dict[str, Form]:
        import pyoxigraph as ox

        found = []
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(RDF.type), ox.NamedNode(RGSH.Form)):
            node = quad.subject
            cls = self._one(node, RGSH.formClass)
            slug = self._one(node, RGSH.slug)
            template = self._one(node, RGSH.iriTemplate)
            if cls is None or slug is None or template is None:
                raise FormError(f"formularen {node} mangler rgsh:formClass, rgsh:slug eller rgsh:iriTemplate "
                                "(the form lacks its class, slug or IRI template)")
            order = self._one(node, SH.order)
            label_template = self._one(node, RGSH.labelTemplate)
            found.append(Form(slug.value, cls.value, {}, {}, float(order.value) if order else 1000.0,
                              template.value, label_template.value if label_template else None))
        by_class = {f.cls: f for f in found}
        meta = self._ontology([f.cls for f in found])
        for each in found:
            each.label, each.help = meta.get(each.cls, ({}, {}))
            each.fields = self._fields(each.cls, by_class)
        return {f.slug: f for f in sorted(found, key=lambda f: (f.order, f.slug))}

    def _ontology(self, iris) -> dict:
        """Labels and definitions of classes and properties, from the graph's ontology."""
        from .terms import iri

        rows = self.engine.query(
            "SELECT ?x ?l ?d WHERE { OPTIONAL { ?x rdfs:label ?l } OPTIONAL { ?x skos:definition ?d } }",
            {"x": [iri(v) for v in sorted(set(iris))]})
        out: dict = {}
        for x, label, definition in rows:
            labels, helps = out.setdefault(x.value, ({}, {}))
            if label is not None:
                labels.setdefault(label.language or "", label.value)
            if definition is not None:
                helps.setdefault(definition.language or "", definition.value)
        return out

    def _superclasses(self, cls: str) -> set[str]:
        from .terms import iri

        rows = self.engine.query("SELECT DISTINCT ?s WHERE { ?c rdfs:subClassOf* ?s }", {"c": iri(cls)})
        return {row[0].value for row in rows} | {cls}

    def _ranges(self, predicate: str) -> tuple[set[str], set[str]]:
        from .terms import iri

        rows = self.engine.query("SELECT ?d ?r WHERE { OPTIONAL { ?p rdfs:domain ?d } OPTIONAL { ?p rdfs:range ?r } }",
                                 {"p": iri(predicate)})
        domains = {row[0].value for row in rows if row[0] is not None}
        ranges = {row[1].value for row in rows if row[1] is not None}
        return domains, ranges

    def _fields(self, cls: str, by_class: dict, *, nested: bool = True) -> list[Field]:
        supers = self._superclasses(cls)
        applies, extra = [], []
        for shape in self.shapes.top:
            if any(kind == "targetClass" and t.value in supers for kind, t in shape.targets) or \
                    any(kind == "targetSubjectsOf" and t.value == RDF.type for kind, t in shape.targets):
                applies.append(shape)
            elif any(kind == "targetSubjectsOf" for kind, _ in shape.targets):
                extra.append(shape)   # "whoever uses P": read for P's constraints, adds no field
        fields: dict[str, Field] = {}
        for shape in applies:
            for prop in shape.properties:
                if prop.deactivated:
                    continue
                made = self._field(prop, cls, supers, by_class, nested)
                if made is None:
                    continue
                known = fields.get(made.name)
                fields[made.name] = _merge(known, made) if known else made
        for shape in extra:
            for prop in shape.properties:
                made = self._field(prop, cls, supers, by_class, False)
                if made is not None and made.name in fields:
                    fields[made.name] = _merge(fields[made.name], made, add_order=False)
        meta = self._ontology([f.predicate for f in fields.values()])
        for each in fields.values():
            labels, helps = meta.get(each.predicate, ({}, {}))
            each.label = each.label or dict(labels)
            each.help = each.help or dict(helps)
            if each.widget == "resource" and not each.classes:
                domains, ranges = self._ranges(each.predicate)
                each.classes = tuple(sorted(domains if each.inverse else ranges))
            if each.widget == "choice":
                choice_labels = self._ontology([value for value, _ in each.choices])
                each.choices = [(value, choice_labels.get(value, ({}, {}))[0]) for value, _ in each.choices]
        _fuzzy(fields)
        for each in fields.values():
            if each.widget == "textarea" and each.single:
                each.widget = "text"
        return sorted(fields.values(), key=lambda f: (f.order, f.name))

    def _field(self, prop, cls: str, supers: set[str], by_class: dict, nested: bool) -> Field | None:
        path = prop.path
        inverse = False
        if path.kind == "alt" and all(p.kind == "inv" and p.parts[0].kind == "pred" for p in path.parts):
            # one of several inverse links (an item of an initiative): the one whose range is this class
            choices = [p.parts[0].iri for p in path.parts]
            predicate = next((p for p in choices if self._ranges(p)[1] & supers), choices[0])
            inverse = True
        elif path.kind == "inv" and path.parts[0].kind == "pred":
            predicate, inverse = path.parts[0].iri, True
        elif path.kind == "pred":
            predicate = path.iri
        else:
            return None   # a path no form can write (a sequence, a closure): checked, not asked
        params = dict(prop.params)
        made = Field(name=("inv-" if inverse else "") + _name(predicate), predicate=predicate, inverse=inverse,
                     paths={path.render()})
        made.label = self._texts(prop.node, SH.name)
        made.help = self._texts(prop.node, SH.description)
        single = self._one(prop.node, "http://datashapes.org/dash#singleLine")
        made.single = single is not None and single.value == "true"
        order = self._one(prop.node, SH.order)
        if order is not None:
            made.order = float(order.value)
        minimum = params.get("minCount")
        made.required = minimum is not None and int(minimum.value) >= 1 and prop.severity == "Violation"
        maximum = params.get("maxCount")
        made.multiple = maximum is None or int(maximum.value) > 1
        classes = [params["class"].value] if "class" in params else []
        if "or" in params:
            for member in self.shapes._list(params["or"]):
                classes += [o.value for o in self.shapes._objects(member, SH["class"])]
        made.classes = tuple(classes)
        datatype = params.get("datatype")
        made.datatype = datatype.value if datatype is not None else None
        if "languageIn" in params:
            made.languages = tuple(v.value for v in self.shapes._list(params["languageIn"]))
        if "in" in params:
            made.widget = "choice"
            made.choices = [(v.value, {}) for v in self.shapes._list(params["in"])]
        elif classes or _is_object_property(self.engine, predicate) or inverse:
            made.widget = "resource"
            target = next((by_class[c] for c in classes if c in by_class), None)
            if nested and inverse and made.required and target is not None and target.cls != cls:
                made.widget = "nested"
                made.multiple = False
                made.nested = target
        elif made.datatype == XSD.date:
            made.widget = "date"
        elif made.datatype == XSD.boolean:
            made.widget = "checkbox"
            made.multiple = False
        elif made.datatype == RDF.langString:
            made.widget = "textarea"
        else:
            made.widget = "text"
        fills = (self._one(prop.node, RGSH.fillsEarliest), self._one(prop.node, RGSH.fillsLatest))
        if all(fills):
            made.fills = tuple(_name(f.value) for f in fills)
        return made


def _is_object_property(engine, predicate: str) -> bool:
    from .terms import iri

    return engine.query("ASK { ?p a owl:ObjectProperty }", {"p": iri(predicate)}).boolean


def _merge(old: Field, new: Field, *, add_order: bool = True) -> Field:
    """One field for a path that several shapes constrain: the strictest of each."""
    old.paths |= new.paths
    old.label = old.label or new.label
    old.help = old.help or new.help
    old.required = old.required or new.required
    old.multiple = old.multiple and new.multiple
    old.classes = old.classes or new.classes
    old.datatype = old.datatype or new.datatype
    old.languages = old.languages or new.languages
    if new.widget == "nested" or old.widget in ("text",) and new.widget not in ("text",):
        old.widget, old.nested, old.choices = new.widget, new.nested, new.choices or old.choices
    elif new.widget == "choice":
        old.widget, old.choices = "choice", new.choices
    elif new.widget == "textarea" and old.widget == "text" and not old.datatype:
        old.widget = "textarea"
    old.fills = old.fills or new.fills
    old.single = old.single or new.single
    if add_order:
        old.order = min(old.order, new.order)
    return old


def _fuzzy(fields: dict) -> None:
    for each in fields.values():
        if each.fills and not all(name in fields for name in each.fills):
            each.fills = ()


def _name(predicate: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", curie(predicate).strip("<>")).strip("-")


# ---------------------------------------------------------------------------
# IRIs and labels of new entries
# ---------------------------------------------------------------------------

def slug(text: str, limit: int = 80) -> str:
    """The data's slug of a label: lower case, æ→ae, ø→oe, å→aa, other accents
    dropped, anything else a hyphen (cut at a hyphen near ``limit``)."""
    text = text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > limit:
        text = text[:limit].rsplit("-", 1)[0]
    return text


def _template(template: str, form: Form, values: dict, labels, *, as_label: bool) -> str | None:
    """A template filled from the entry's values; None while a value it needs is missing."""
    missing = False

    def one(match):
        nonlocal missing
        key = match.group(1)
        if key == "label":
            text = values.get("rdfs-label", {}).get("da", "") if as_label else \
                slug(values.get("rdfs-label", {}).get("da", ""))
        else:
            term = values.get(_name(_expand(key)))
            if isinstance(term, list):
                term = term[0] if term else None
            if term is None or term == "" or isinstance(term, dict):
                missing = True
                return ""
            if getattr(term, "datatype", None) is not None and term.datatype.value == XSD.date:
                day = date.fromisoformat(term.value)
                text = f"{day.day}.{day.month}.{day.year}" if as_label else day.isoformat()
            elif hasattr(term, "language") or not str(getattr(term, "value", "")).startswith("http"):
                text = term.value if as_label else slug(term.value)
            else:
                text = (labels.get(term.value) or term.value) if as_label else term.value.rstrip("/").rsplit("/", 1)[-1]
        if not text:
            missing = True
        return text

    filled = re.sub(r"\{([^}]+)\}", one, template)
    return None if missing else filled


def _expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return PREFIXES.get(prefix, prefix + ":") + local


# ---------------------------------------------------------------------------
# Reading an answer
# ---------------------------------------------------------------------------

@dataclass
class Answer:
    """What the posted values became: the entry's triples, its IRI, and per field
    what could not be read; the values as they are shown again (filled in)."""
    form: Form
    iri: str | None
    triples: list
    problems: dict                # field name → [sentence]
    shown: dict                   # field name → [text] (da/en for text with languages)
    nested: dict = field(default_factory=dict)   # nested field name → its IRI
    provisional: bool = False     # the IRI cannot be made yet: a stand-in, so every field is checked


def read(form: Form, posted: dict, engine, *, lang: str = "da", editing: str | None = None,
         stamp: dict | None = None, prefix: str = "", given: dict | None = None,
         given_labels: dict | None = None) -> Answer:
    """The entry the posted values describe. ``posted`` maps a field name to its
    list of texts (language-tagged fields: NAME@da, NAME@en). ``editing`` keeps
    an existing entry's IRI; ``stamp`` adds dcterms:created/creator/modified;
    ``given`` sets fields a parent entry fixes (a nested status report's initiative)."""
    import pyoxigraph as ox

    from .terms import iri as make_iri

    problems: dict[str, list[str]] = {}
    shown: dict[str, list] = {}
    values: dict[str, object] = dict(given or {})
    resolved_labels: dict[str, str] = dict(given_labels or {})
    pending: list[tuple[Field, object]] = []     # (field, value term) for triples once the IRI is known
    for each in form.fields:
        key = prefix + each.name
        if each.name in (given or {}):
            pending += [(each, term) for term in given[each.name]]
            continue
        if each.widget == "nested":
            continue
        if each.languages or each.datatype == RDF.langString:
            texts = {}
            for language in (each.languages or LANGS):
                text = _clean(posted.get(f"{key}@{language}", [""])[0])
                shown[f"{key}@{language}"] = [text]
                too_long = _too_long(text, lang)
                if too_long:
                    problems.setdefault(f"{key}@{language}", []).append(too_long)
                elif text:
                    texts[language] = text
            values[each.name] = texts
            for language, text in texts.items():
                pending.append((each, ox.Literal(text, language=language)))
            continue
        raw = [_clean(v) for v in posted.get(key, [])]
        shown[key] = raw or [""]
        terms = []
        for text in raw:
            if not text:
                continue
            too_long = _too_long(text, lang)
            term, problem = (None, too_long) if too_long else _term(each, text, engine, lang)
            if problem:
                problems.setdefault(key, []).append(problem)
            elif term is not None:
                terms.append(term)
                if isinstance(term, ox.NamedNode):
                    resolved_labels.setdefault(term.value, text if not text.startswith(("http", "<")) else "")
        if not each.multiple and len(terms) > 1:
            problems.setdefault(key, []).append(_say(lang, "Der må kun være én værdi her.", "Only one value here."))
        values[each.name] = terms
        pending += [(each, term) for term in terms]
    # fuzzy words fill the dates left empty
    for each in form.fields:
        if each.fills and values.get(each.name):
            from .fuzzy import interval

            found = interval(values[each.name][0].value)
            if found:
                for name, day in zip(each.fills, found):
                    target = form.field(name)
                    if target is not None and not values.get(name) and not problems.get(prefix + name):
                        term = ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD.date))
                        values[name] = [term]
                        shown[prefix + name] = [day.isoformat()]
                        pending.append((target, term))
    # an empty label made from the template (a status report's "Status for … pr. …")
    label_field = form.field("rdfs-label")
    if label_field is not None and form.label_template and not values.get("rdfs-label", {}).get("da"):
        made = _template(form.label_template, form, values, _Labels(engine, resolved_labels), as_label=True)
        if made:
            values["rdfs-label"] = {**values.get("rdfs-label", {}), "da": made}
            shown[prefix + "rdfs-label@da"] = [made]
            pending.append((label_field, ox.Literal(made, language="da")))
    entry = editing
    if entry is None:
        made = _template(form.iri_template, form, values, {}, as_label=False)
        entry = str(ID) + made if made and not made.endswith("/") and "//" not in made else None
        if entry is not None and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)+", made):
            entry = None
    triples = []
    nested_iris = {}
    provisional = entry is None
    if provisional:
        entry = f"{ID}ny/{form.slug}-uden-iri"
    if entry is not None:
        subject = make_iri(entry)
        triples.append(ox.Triple(subject, ox.NamedNode(RDF.type), ox.NamedNode(form.cls)))
        for each, term in pending:
            predicate = ox.NamedNode(each.predicate)
            triples.append(ox.Triple(term, predicate, subject) if each.inverse else ox.Triple(subject, predicate, term))
        for key, value in (stamp or {}).items():
            triples.append(ox.Triple(subject, ox.NamedNode(key), value))
        for each in form.fields:
            if each.widget != "nested":
                continue
            back = next((f for f in each.nested.fields if f.predicate == each.predicate and not f.inverse), None)
            inner = read(each.nested, posted, engine, lang=lang, prefix=prefix + each.name + ".",
                         stamp=None, given={back.name: [subject]} if back else {},
                         given_labels={entry: values.get("rdfs-label", {}).get("da", "")})
            problems.update(inner.problems)
            shown.update(inner.shown)
            provisional = provisional or inner.provisional
            nested_iris[prefix + each.name] = inner.iri
            triples += inner.triples
            if back is None:
                triples.append(ox.Triple(make_iri(inner.iri), ox.NamedNode(each.predicate), subject))
    return Answer(form, entry, triples, problems, shown, nested_iris, provisional)


class _Labels(dict):
    """Labels for a label template: those the analyst typed, else the graph's."""

    def __init__(self, engine, known: dict) -> None:
        super().__init__({k: v for k, v in known.items() if v})
        self.engine = engine

    def get(self, key, default=None):
        if key in self:
            return self[key]
        from .labels import Labels
        from .terms import iri

        found = Labels(self.engine, "da").of(iri(key))
        return found or default


def _clean(text: str) -> str:
    text = str(text).replace("\r\n", "\n").replace("\x00", "")
    return text.strip()


def _too_long(text: str, lang: str) -> str | None:
    """The sentence for a value over the literal limit every reader of the data can hold
    (rammegraf.store.MAX_LITERAL), else None; such a value is refused, never cut."""
    from .store import MAX_LITERAL, megabytes, oversize

    size = oversize(text)
    if size is None:
        return None
    most = MAX_LITERAL // 1_000_000
    return _say(lang, f"Teksten fylder {megabytes(size)}; højst {most} MB pr. værdi.",
                f"The text takes {megabytes(size).replace(',', '.')}; at most {most} MB per value.")


def _term(each: Field, text: str, engine, lang: str):
    """The RDF term a field's text stands for, or a sentence why there is none."""
    import pyoxigraph as ox

    if each.widget == "date" or each.datatype == XSD.date:
        try:
            return ox.Literal(date.fromisoformat(text).isoformat(), datatype=ox.NamedNode(XSD.date)), None
        except ValueError:
            return None, _say(lang, f"'{text}' er ikke en dato; skriv ÅÅÅÅ-MM-DD, fx 2026-01-31.",
                              f"'{text}' is not a date; write YYYY-MM-DD, e.g. 2026-01-31.")
    if each.widget == "checkbox":
        return (ox.Literal("true", datatype=ox.NamedNode(XSD.boolean)), None) if text in ("on", "true", "1") \
            else (None, None)
    if each.widget == "choice":
        if text in {value for value, _ in each.choices}:
            return ox.NamedNode(text), None
        return None, _say(lang, "Vælg en af mulighederne på listen.", "Choose one of the options in the list.")
    if each.widget == "resource":
        return resolve(each, text, engine, lang)
    if each.datatype and each.datatype != XSD.string:
        return ox.Literal(text, datatype=ox.NamedNode(each.datatype)), None
    return ox.Literal(text), None


_ID_PATH = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)+")
_SUFFIX = re.compile(r"^(.*?)\s*\(([a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+)\)$")


def resolve(each: Field, text: str, engine, lang: str = "da"):
    """A resource a field's text names: its label as the list shows it ("Label" or
    "Label (kind/slug)"), its path under /id/, a prefixed name, or its IRI."""
    import pyoxigraph as ox

    from .terms import iri

    suffix = _SUFFIX.match(text)
    if suffix:
        text = suffix.group(2)
    if _ID_PATH.fullmatch(text):
        return ox.NamedNode(str(ID) + text), None
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text):
        return ox.NamedNode(text), None
    prefixed = re.fullmatch(r"([a-z]+):([A-Za-z0-9_-]+)", text)
    if prefixed and prefixed.group(1) in PREFIXES:
        return ox.NamedNode(PREFIXES[prefixed.group(1)] + prefixed.group(2)), None
    named = [ox.Literal(text, language="da"), ox.Literal(text, language="en")]
    rows = engine.query("SELECT DISTINCT ?r ?k WHERE { ?r rdfs:label ?l OPTIONAL { ?r a ?k } }", {"l": named})
    allowed = _subclasses(each.classes, engine)
    found = sorted({row[0].value for row in rows
                    if not each.classes or (row[1] is not None and row[1].value in allowed)})
    if not found:
        folded = " ".join(text.casefold().split())
        found = sorted({value for value, label in candidates(each, engine, lang) or []
                        if " ".join(label.casefold().split()) == folded})
    if len(found) == 1:
        return ox.NamedNode(found[0]), None
    if found:
        named = ", ".join(v[len(str(ID)):] if v.startswith(str(ID)) else v for v in found[:6])
        return None, _say(lang, f"Flere hedder '{text}': skriv en af {named}.",
                          f"Several are called '{text}': write one of {named}.")
    return None, _say(lang, f"Intet med etiketten '{text}' kan vælges her; vælg fra listen eller skriv IRI'en.",
                      f"Nothing labelled '{text}' can be chosen here; pick from the list or write the IRI.")


def _subclasses(classes, engine) -> set[str]:
    from .terms import iri

    if not classes:
        return set()
    rows = engine.query("SELECT DISTINCT ?k WHERE { ?k rdfs:subClassOf* ?c }", {"c": [iri(c) for c in classes]})
    return {row[0].value for row in rows} | set(classes)


def candidates(each: Field, engine, lang: str = "da") -> list[tuple[str, str]] | None:
    """(IRI, label) of the resources a field may point at, when there are few
    enough to list (at most CHOICE_LIMIT); None when there are more."""
    from .terms import iri

    if not each.classes:
        return None
    rows = engine.query(
        "SELECT DISTINCT ?r ?l WHERE { ?k rdfs:subClassOf* ?c . ?r a ?k . OPTIONAL { ?r rdfs:label ?l } }",
        {"c": [iri(c) for c in each.classes]}, limit=CHOICE_LIMIT * 3)
    if rows.truncated:
        return None
    best: dict[str, tuple[int, str]] = {}
    for resource, label in rows:
        if resource.__class__.__name__ != "NamedNode":
            continue
        rank = 0 if label is not None and label.language == lang else 1 if label is not None else 2
        text = label.value if label is not None else resource.value
        if resource.value not in best or rank < best[resource.value][0]:
            best[resource.value] = (rank, text)
    if len(best) > CHOICE_LIMIT:
        return None
    return sorted(((value, text) for value, (_, text) in best.items()), key=lambda p: p[1].casefold())


def choice_text(value: str, label: str, duplicates: set[str]) -> str:
    """How a resource is written in the field: its label, with its path when two share it."""
    if label in duplicates and value.startswith(str(ID)):
        return f"{label} ({value[len(str(ID)):]})"
    return label


def stamp(*, created: str | None = None, creator: str | None = None, modified: bool = False) -> dict:
    """dcterms:created (kept from the first save), dcterms:creator, and dcterms:modified on an edit."""
    import pyoxigraph as ox

    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    out = {CREATED: ox.Literal(created or now, datatype=ox.NamedNode(XSD.dateTime))}
    if creator:
        out[CREATOR] = ox.Literal(creator)
    if modified:
        out[MODIFIED] = ox.Literal(now, datatype=ox.NamedNode(XSD.dateTime))
    return out


def _say(lang: str, da: str, en: str) -> str:
    return da if lang == "da" else en


# ---------------------------------------------------------------------------
# An entry that exists: its values for the form again
# ---------------------------------------------------------------------------

def values_of(form: Form, entry: str, triples: list, engine, lang: str = "da", prefix: str = "") -> dict:
    """The posted-values dict that shows ``entry`` (from its file's triples) in its form."""
    import pyoxigraph as ox

    out: dict[str, list[str]] = {}
    subject = ox.NamedNode(entry)
    from .labels import Labels

    labels = Labels(engine, lang)
    for each in form.fields:
        key = prefix + each.name
        if each.widget == "nested":
            inner = next((t.subject for t in triples if t.predicate.value == each.predicate and t.object == subject),
                         None)
            if inner is not None:
                out.update(values_of(each.nested, inner.value, triples, engine, lang, prefix=key + "."))
            continue
        found = [t.subject if each.inverse else t.object for t in triples
                 if t.predicate.value == each.predicate and (t.object if each.inverse else t.subject) == subject]
        if each.languages or each.datatype == RDF.langString:
            for term in found:
                out[f"{key}@{term.language or 'da'}"] = [term.value]
            continue
        texts = []
        for term in found:
            if each.widget == "resource" and isinstance(term, ox.NamedNode):
                path = term.value[len(str(ID)):] if term.value.startswith(str(ID)) else term.value
                label = labels.of(term)
                texts.append(f"{label} ({path})" if label and path != term.value else path)
            elif each.widget == "checkbox":
                texts.append("on" if term.value == "true" else "")
            else:
                texts.append(term.value)
        if texts:
            out[key] = texts
    return out


def stamps_of(entry: str, triples: list) -> dict:
    """dcterms:created and dcterms:creator of an entry's file (kept when it is edited)."""
    found = {t.predicate.value: t.object.value for t in triples
             if t.subject.value == entry and t.predicate.value in (CREATED, CREATOR)}
    return {"created": found.get(CREATED), "creator": found.get(CREATOR)}


def turtle(answer: Answer, *, header: str = "") -> bytes:
    """The entry as Turtle: the entry's own statements first, then the links into it;
    prefixes only for what it uses, the id namespaces by their kind (milepael:, status:)."""
    import pyoxigraph as ox

    if not answer.triples:
        return header.encode("utf-8")
    first = {}
    for triple in answer.triples:
        first.setdefault(triple.subject.value, len(first))
    if answer.iri:
        first[answer.iri] = -1
    ordered = sorted(enumerate(answer.triples), key=lambda p: (first[p[1].subject.value],
                                                              p[1].predicate.value != RDF.type, p[0]))
    triples = [t for _, t in ordered]
    used = {term.value for t in triples for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode) and term.value != RDF.type} | {t.object.datatype.value for t in triples
                                                   if isinstance(t.object, ox.Literal)}
    prefixes = {p: ns for p, ns in PREFIXES.items() if p != "id" and any(u.startswith(ns) for u in used)}
    for value in sorted(used):
        if value.startswith(str(ID)) and "/" in value[len(str(ID)):]:
            kind = value[len(str(ID)):].split("/", 1)[0]
            if re.fullmatch(r"[a-z]+", kind) and kind not in prefixes:
                prefixes[kind] = f"{ID}{kind}/"
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return header.encode("utf-8") + body




# ---------------------------------------------------------------------------
# Checking an answer with the graph
# ---------------------------------------------------------------------------

def check(answer: Answer, engine, lang: str = "da", *, replacing: list = (), creating: bool = True,
          in_place: bool = False) -> dict:
    """The answer validated with the graph by the validator of ``rammegraf validate``:
    each result at the field it concerns (``errors``: field → [(severity, sentence)]),
    the rest in ``general``; ``conforms`` when nothing stands in the way of saving."""
    from .labels import Labels
    from .terms import iri
    from .validate import check_entries

    errors: dict[str, list] = {name: [("Violation", text) for text in texts] for name, texts in answer.problems.items()}
    general: list[tuple[str, str]] = []
    label_key = "rdfs-label@da"
    if answer.provisional:
        errors.setdefault(label_key, []).append(("Violation", _say(
            lang, "IRI'en dannes af etiketten og de felter, formularens IRI-skabelon nævner "
                  f"({answer.form.iri_template}); udfyld dem.",
            f"The IRI is made from the label and the fields of the form's IRI template "
            f"({answer.form.iri_template}); fill them in.")))
    elif creating:
        for entry in [answer.iri, *answer.nested.values()]:
            if engine.query("ASK { ?s ?p ?o }", {"s": iri(entry)}).boolean:
                shown = Labels(engine, lang).of(iri(entry)) or entry
                key = label_key if entry == answer.iri else next(k for k, v in answer.nested.items() if v == entry)
                errors.setdefault(key, []).append(("Violation", _say(
                    lang, f"Der findes allerede «{shown}» med IRI'en {entry}; giv den nye en anden etiket "
                          "eller ret den, der findes.",
                    f"«{shown}» already has the IRI {entry}; give the new one another label or edit the one "
                    "that exists.")))
    fields = {answer.iri: (answer.form, "")}
    for key, entry in answer.nested.items():
        nested_field = answer.form.field(key.rsplit(".", 1)[-1]) or next(
            (f for f in answer.form.fields if f.widget == "nested"), None)
        if nested_field is not None and nested_field.nested is not None:
            fields[entry] = (nested_field.nested, key + ".")
    with check_entries(answer.triples, engine, replacing=replacing, in_place=in_place) as checked:
        labels = Labels(checked.engine, lang)
        for result in checked.report.results:
            focus = result.focus
            value = getattr(result.value, "value", None)
            place = None
            if focus in fields:
                each_form, prefix = fields[focus]
                place = _place(each_form, prefix, result.path, inverse=False)
                if place is None and result.path is None:
                    # a node-level result (SPARQL, sh:or, the IRI): at the field whose value it names, else the label
                    place = _by_value(answer, focus, result.value, each_form, prefix) or prefix + "rdfs-label@da"
            elif value in fields:
                each_form, prefix = fields[value]
                place = _place(each_form, prefix, result.path, inverse=True)
            if place is not None and place.split("@")[0] in answer.problems:
                continue   # the field's text could not be read: that sentence says it
            if place is not None:
                errors.setdefault(place, []).append((result.severity, result.message(lang)))
            elif result.severity != "Violation" and focus not in fields:
                continue   # a gap of a resource the entry points at is not the entry's to mend
            else:
                who = labels.of(result.focus_node) or focus
                general.append((result.severity, f"{who}: {result.path or ''} {result.message(lang)}".strip()))
    violations = sum(1 for texts in errors.values() for severity, _ in texts if severity == "Violation") + \
        sum(1 for severity, _ in general if severity == "Violation")
    warnings = sum(1 for texts in errors.values() for severity, _ in texts if severity != "Violation") + \
        sum(1 for severity, _ in general if severity != "Violation")
    return {"iri": None if answer.provisional else answer.iri, "errors": errors, "general": general,
            "conforms": violations == 0,
            "violations": violations, "warnings": warnings}


def _by_value(answer: Answer, focus: str, value, each_form: Form, prefix: str) -> str | None:
    """The field of the entry that holds ``value`` (a SPARQL constraint's ?value)."""
    if value is None:
        return None
    for triple in answer.triples:
        if triple.subject.value == focus and triple.object == value:
            found = next((f for f in each_form.fields if f.predicate == triple.predicate.value and not f.inverse),
                         None)
            if found is not None:
                return _place(each_form, prefix, next(iter(sorted(found.paths))), inverse=False)
    return None


def _place(each_form: Form, prefix: str, path: str | None, *, inverse: bool) -> str | None:
    """The form field a result's path belongs to (language-tagged text: its Danish box)."""
    if path is None:
        return None
    for each in each_form.fields:
        if inverse:
            if each.inverse and path == curie(each.predicate):
                return prefix + each.name
            continue
        if path in each.paths:
            key = prefix + each.name
            return key + "@da" if each.languages or each.datatype == RDF.langString else key
    return None
