"""Reading a shapes graph: its shapes, their targets, parameters, nested shapes,
SPARQL constraints and SPARQL-based constraint components.

The shapes graph is read from its parsed triples as they are written, never
from an Oxigraph store alone: the store keeps a canonical form of a typed
literal ("1"^^xsd:boolean becomes "true", "4.0"^^xsd:decimal "4", "5"^^xsd:byte
an xsd:integer), and SHACL compares terms, so sh:uniqueLang "1"^^xsd:boolean is
not true and sh:in ( 4.0 ) does not hold 4. A store of the same triples is kept
for $shapesGraph and for the forms (``forms.py``) that read the shapes too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..namespaces import OWL, RDF, RDFS, RGSH, SH
from .model import Path_, ShapeError

# Constraint parameters that take one value each, by component (value nodes one by one).
VALUE_PARAMS = {
    "class": "ClassConstraintComponent", "datatype": "DatatypeConstraintComponent",
    "nodeKind": "NodeKindConstraintComponent", "pattern": "PatternConstraintComponent",
    "languageIn": "LanguageInConstraintComponent", "in": "InConstraintComponent",
    "minInclusive": "MinInclusiveConstraintComponent", "maxInclusive": "MaxInclusiveConstraintComponent",
    "minExclusive": "MinExclusiveConstraintComponent", "maxExclusive": "MaxExclusiveConstraintComponent",
    "minLength": "MinLengthConstraintComponent", "maxLength": "MaxLengthConstraintComponent",
    "node": "NodeConstraintComponent", "or": "OrConstraintComponent", "and": "AndConstraintComponent",
    "not": "NotConstraintComponent", "xone": "XoneConstraintComponent",
    "closed": "ClosedConstraintComponent",
}
# Constraint parameters about the focus node and all its value nodes at once.
FOCUS_PARAMS = {
    "minCount": "MinCountConstraintComponent", "maxCount": "MaxCountConstraintComponent",
    "uniqueLang": "UniqueLangConstraintComponent", "hasValue": "HasValueConstraintComponent",
    "equals": "EqualsConstraintComponent", "disjoint": "DisjointConstraintComponent",
    "lessThan": "LessThanConstraintComponent", "lessThanOrEquals": "LessThanOrEqualsConstraintComponent",
    "qualifiedValueShape": "QualifiedMinCountConstraintComponent",
}
# Parameters read together with another one, or that are not constraints.
QUIET = {"path", "message", "severity", "name", "description", "order", "group", "defaultValue",
         "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "sparql",
         "flags", "deactivated", "prefixes", "declare", "ignoredProperties", "qualifiedMinCount",
         "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "select", "ask", "labelTemplate", "parameter",
         "optional", "validator", "nodeValidator", "propertyValidator", "shapesGraph", "suggestedShapesGraph"}
TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def is_true(term) -> bool:
    """The literal true (SHACL names the value true: "1"^^xsd:boolean, the same value
    in another form, is not it; tests/w3c-shacl core/property/uniqueLang-002)."""
    from ..namespaces import XSD

    return term is not None and getattr(term, "value", None) == "true" and \
        getattr(getattr(term, "datatype", None), "value", None) == XSD.boolean


@dataclass
class Shape:
    node: object                        # the shape's IRI or blank node (pyoxigraph term)
    path: Path_ | None                  # a property shape's path; None for a node shape
    severity: str = "Violation"         # Violation, Warning, Info, or the IRI of another severity
    messages: dict = field(default_factory=dict)      # language → text
    params: list = field(default_factory=list)        # (name, value) in reading order
    targets: list = field(default_factory=list)       # (kind, term)
    properties: list = field(default_factory=list)    # nested property Shapes (sh:property)
    sparql: list = field(default_factory=list)        # SparqlConstraint
    components: list = field(default_factory=list)    # ComponentUse (SPARQL-based constraint components)
    deactivated: bool = False


@dataclass
class SparqlConstraint:
    """An sh:sparql constraint (SHACL 1.0 §5): its node, query and messages."""
    node: object
    select: str
    select_all: str | None              # rgsh:selectAll: the same constraint for all targets at once
    prefixes: str                       # PREFIX declarations from sh:prefixes
    messages: dict


@dataclass
class Component:
    """A SPARQL-based constraint component (SHACL 1.0 §6): parameters and validators."""
    node: object
    parameters: list                    # (local name, predicate IRI, optional)
    validators: dict                    # "node" / "property" / "any" → (kind "select"|"ask", text, prefixes, messages)
    messages: dict


@dataclass
class ComponentUse:
    """A shape's use of a SPARQL-based component with one value for each parameter."""
    component: Component
    bindings: dict                      # parameter local name → term


class Triples:
    """The triples of a graph, exactly as parsed, indexed by subject and by object."""

    def __init__(self, triples) -> None:
        self.by_subject: dict = {}
        self.by_object: dict = {}
        for triple in triples:
            self.by_subject.setdefault(triple.subject, {}).setdefault(triple.predicate.value, []).append(triple.object)
            self.by_object.setdefault(triple.object, {}).setdefault(triple.predicate.value, []).append(triple.subject)
        self.triples = list(triples)

    def objects(self, subject, predicate: str) -> list:
        return list(dict.fromkeys(self.by_subject.get(subject, {}).get(predicate, ())))

    def subjects(self, predicate: str, obj) -> list:
        return list(dict.fromkeys(self.by_object.get(obj, {}).get(predicate, ())))

    def with_predicate(self, predicate: str) -> list:
        return [(s, o) for s, preds in self.by_subject.items() for o in preds.get(predicate, ())]


class Shapes:
    """The shapes of one shapes graph, read once: ``Shapes(triples)`` from parsed
    triples (exact), or ``Shapes(store)`` from a pyoxigraph store (canonical forms)."""

    def __init__(self, source) -> None:
        import pyoxigraph as ox

        if isinstance(source, ox.Store):
            self._store = source
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in source]
        else:
            self._store = None
            triples = list(source)
        self.graph = Triples(triples)
        self._shapes: dict = {}
        self._subclasses: dict = {}
        self.top: list[Shape] = []
        self.components = self._components()
        self._read()

    @classmethod
    def load(cls, path: Path | None = None) -> Shapes:
        from ..store import parse_file, shapes_file

        return cls(parse_file(Path(path or shapes_file())))

    @property
    def store(self):
        """The shapes in a pyoxigraph store (for the forms and $shapesGraph), made when first asked for."""
        import pyoxigraph as ox

        if self._store is None:
            self._store = ox.Store()
            self._store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                               for t in self.graph.triples)
        return self._store

    # -- triples ---------------------------------------------------------
    def _objects(self, subject, predicate: str) -> list:
        return self.graph.objects(subject, predicate)

    def _one(self, subject, predicate: str):
        found = self._objects(subject, predicate)
        return found[0] if found else None

    def _list(self, head) -> list:
        out, seen = [], set()
        while head is not None and getattr(head, "value", None) != RDF.nil:
            first = self._one(head, RDF.first)
            if first is None or head in seen:
                raise ShapeError(f"en RDF-liste i formene er brudt ved {head} (a broken RDF list in the shapes)")
            seen.add(head)
            out.append(first)
            head = self._one(head, RDF.rest)
        return out

    def instance_of(self, node, cls: str) -> bool:
        """A SHACL instance: rdf:type the class or a subclass of it in the shapes graph."""
        return any(t in self.subclasses(cls) for t in self._objects(node, RDF.type))

    def subclasses(self, cls: str) -> set:
        """The class and its subclasses in the shapes graph (rdfs:subClassOf*)."""
        import pyoxigraph as ox

        if cls not in self._subclasses:
            found, todo = {ox.NamedNode(cls)}, [ox.NamedNode(cls)]
            while todo:
                for sub in self.graph.subjects(RDFS.subClassOf, todo.pop()):
                    if sub not in found:
                        found.add(sub)
                        todo.append(sub)
            self._subclasses[cls] = found
        return self._subclasses[cls]

    def _path(self, node) -> Path_:
        import pyoxigraph as ox

        if isinstance(node, ox.NamedNode):
            return Path_("pred", node.value)
        if isinstance(node, ox.Literal):
            raise ShapeError(f"stien {node} er en literal, ikke en sti (a path cannot be a literal)")
        if self._one(node, RDF.first) is not None:
            parts = self._list(node)
            if len(parts) < 2:
                raise ShapeError(f"en sekvenssti har mindst to led ({node}) (a sequence path needs two members)")
            return Path_("seq", parts=tuple(self._path(p) for p in parts))
        for predicate, kind in ((SH.inversePath, "inv"), (SH.zeroOrMorePath, "star"),
                                (SH.oneOrMorePath, "plus"), (SH.zeroOrOnePath, "opt")):
            inner = self._one(node, predicate)
            if inner is not None:
                return Path_(kind, parts=(self._path(inner),))
        alternatives = self._one(node, SH.alternativePath)
        if alternatives is not None:
            return Path_("alt", parts=tuple(self._path(p) for p in self._list(alternatives)))
        raise ShapeError(f"stien {node} forstås ikke (the path is not understood)")

    # -- shapes ----------------------------------------------------------
    def _read(self) -> None:
        import pyoxigraph as ox

        kinds = self.subclasses(SH.NodeShape) | self.subclasses(SH.PropertyShape)
        found = {s for s, t in self.graph.with_predicate(RDF.type) if t in kinds}
        for target in TARGETS:
            found |= {s for s, _ in self.graph.with_predicate(SH[target])}
        self.found = found              # every node declared a shape or given targets
        # A shape is checked when it has targets; nested shapes are checked through their parents.
        for node in sorted(found, key=str):
            if isinstance(node, ox.Literal):
                continue
            shape = self.shape(node)
            if shape.targets and not shape.deactivated:
                self.top.append(shape)

    def shape(self, node) -> Shape:
        if node in self._shapes:
            return self._shapes[node]
        import pyoxigraph as ox

        if isinstance(node, ox.Literal):
            raise ShapeError(f"en form kan ikke være en literal ({node}) (a shape cannot be a literal)")
        path = self._one(node, SH.path)
        shape = Shape(node, self._path(path) if path is not None else None)
        self._shapes[node] = shape
        severity = self._one(node, SH.severity)
        if severity is not None:
            shape.severity = SEVERITIES.get(severity.value, severity.value)
        for message in self._objects(node, SH.message):
            shape.messages.setdefault(getattr(message, "language", None) or "", message.value)
        deactivated = self._one(node, SH.deactivated)
        shape.deactivated = is_true(deactivated)
        for target in TARGETS:
            shape.targets += [(target, t) for t in self._objects(node, SH[target])]
        if self.instance_of(node, RDFS.Class) and (self.instance_of(node, SH.NodeShape)
                                                   or self.instance_of(node, SH.PropertyShape)):
            shape.targets.append(("targetClass", node))          # an implicit class target
        self._params(shape)
        shape.properties = [self.shape(p) for p in sorted(self._objects(node, SH.property), key=str)]
        for prop in shape.properties:
            if prop.path is None:
                raise ShapeError(f"{prop.node}, en værdi af sh:property i {node}, har ingen sh:path "
                                 "(a value of sh:property must be a property shape with sh:path)")
        shape.sparql = [c for c in (self._sparql(node, s) for s in sorted(self._objects(node, SH.sparql), key=str))
                        if c is not None]
        shape.components = self._uses(shape)
        return shape

    def _params(self, shape: Shape) -> None:
        node = shape.node
        parameters = {p for c in self.components for _, p, _ in c.parameters}
        for predicate, values in self.graph.by_subject.get(node, {}).items():
            if not predicate.startswith(str(SH)):
                continue
            name = predicate[len(str(SH)):]
            if name in QUIET or predicate in parameters:
                continue
            if name not in VALUE_PARAMS and name not in FOCUS_PARAMS:
                raise ShapeError(f"formen {node} bruger sh:{name}, som rammegrafs validering ikke kender "
                                 f"(the shape uses sh:{name}, which rammegraf's validator does not compile)")
            shape.params += [(name, value) for value in dict.fromkeys(values)]
        # sh:closed false is no constraint (nor "1"^^xsd:boolean: SHACL says true)
        shape.params = [(n, v) for n, v in shape.params if n != "closed" or is_true(v)]
        shape.params.sort(key=lambda p: (p[0], str(p[1])))

    def _sparql(self, shape_node, node) -> SparqlConstraint | None:
        from .sparql_checks import prefixes_of

        select = self._one(node, SH.select)
        if select is None:
            raise ShapeError(f"SPARQL-begrænsningen {node} i {shape_node} har ingen sh:select "
                             "(the SPARQL constraint has no sh:select)")
        off = self._one(node, SH.deactivated)
        if is_true(off):
            return None
        messages = {getattr(m, "language", None) or "": m.value for m in self._objects(node, SH.message)}
        select_all = self._one(node, RGSH.selectAll)
        return SparqlConstraint(node, select.value, select_all.value if select_all is not None else None,
                                prefixes_of(self, node), messages)

    # -- SPARQL-based constraint components --------------------------------
    def _components(self) -> list[Component]:
        from .sparql_checks import read_component

        kinds = self.subclasses(SH.ConstraintComponent)
        nodes = {s for s, t in self.graph.with_predicate(RDF.type) if t in kinds}
        return [read_component(self, node) for node in sorted(nodes, key=str)]

    def _uses(self, shape: Shape) -> list[ComponentUse]:
        import itertools

        uses = []
        for component in self.components:
            mandatory = [(n, p) for n, p, optional in component.parameters if not optional]
            values = {n: self._objects(shape.node, p) for n, p, _ in component.parameters}
            if not mandatory or any(not values[n] for n, _ in mandatory):
                continue
            names = [n for n, _, _ in component.parameters if values[n]]
            for combination in itertools.product(*(values[n] for n in names)):
                uses.append(ComponentUse(component, dict(zip(names, combination))))
        return uses

    # -- what the rest of rammegraf asks ------------------------------------
    def classes(self) -> set[str]:
        """Every class the shapes name (sh:class and class targets), for the subclass lookup."""
        out = set()
        for shape in self._shapes.values():
            out |= {t.value for kind, t in shape.targets if kind == "targetClass" and hasattr(t, "value")}
            out |= {v.value for name, v in shape.params if name == "class" and hasattr(v, "value")}
        return out

    def parents(self, shape: Shape) -> list[Shape]:
        """The shapes that have ``shape`` as a value of sh:property."""
        return [self.shape(s) for s in self.graph.subjects(SH.property, shape.node)]

    def imports(self, node) -> list:
        """``node`` and what it owl:imports, transitively (for sh:prefixes)."""
        out, todo = [], [node]
        while todo:
            current = todo.pop()
            if current not in out:
                out.append(current)
                todo += self._objects(current, OWL.imports)
        return out
