"""Jobs of the entry forms (/ny): the forms, and an answer read and checked with the graph."""

from __future__ import annotations

from pathlib import Path

from ...namespaces import ID


def entry_kinds(engine, lang: str) -> list[dict]:
    from ...forms import forms

    return [{"slug": f.slug, "label": f.text(lang), "help": f.text(lang, "help")} for f in forms(engine).values()]


def entry_form(engine, slug: str, lang: str, posted: dict | None, check: bool, editing: str | None = None,
               file: str | None = None, user: str | None = None, extra: str | None = None) -> dict:
    """The form ``slug`` as the page shows it: its fields (with the resources a field
    may point at when they are few), the values (``posted``, or an edited entry's
    file when None), and, when ``check``, the entry's IRI, its Turtle and each
    validation result at its field. ``extra`` is a field that gets one more box."""
    from ...forms import check as check_answer
    from ...forms import form as find_form
    from ...forms import read, stamp, stamps_of, turtle, values_of
    from ...store import parse_file

    from ...forms import FormError
    from .common import NotFound

    try:
        found = find_form(engine, slug)
    except FormError as error:
        raise NotFound(str(error)) from None
    old = []
    if editing and file:
        old = parse_file(Path(file))
        if posted is None:
            posted = values_of(found, editing, old, engine, lang)
    posted = {k: list(v) for k, v in (posted or {}).items()}
    out = {"form": describe(found, engine, lang), "posted": posted, "checked": False}
    if check:
        kept = stamps_of(editing, old) if editing else {}
        answer = read(found, posted, engine, lang=lang, editing=editing,
                      stamp=stamp(created=kept.get("created"), creator=kept.get("creator") or user,
                                  modified=bool(editing)))
        # in the worker's own store (a worker runs one job at a time), taken out again after
        verdict = check_answer(answer, engine, lang, replacing=old, creating=editing is None, in_place=True)
        out.update(verdict)
        out["checked"] = True
        out["shown"] = answer.shown
        made = not answer.provisional
        out["turtle"] = turtle(answer, header=header(found)).decode("utf-8") if made else ""
        out["path"] = answer.iri[len(str(ID)):] if made else None
    if extra:
        out.setdefault("shown", {})
        values = out["shown"].get(extra) or posted.get(extra) or [""]
        out["shown"][extra] = [*values, ""]
    return out


def entry_kind_of(engine, entry: str) -> str | None:
    """The slug of the form for an entry's class (None: no form makes such entries)."""
    from ...forms import forms
    from ...terms import iri

    types = {row[0].value for row in engine.query("SELECT ?c WHERE { ?e a ?c }", {"e": iri(entry)})}
    return next((f.slug for f in forms(engine).values() if f.cls in types), None)


def header(found) -> str:
    return (f"# {found.label.get('da', found.slug)} indtastet i rammegrafs formular /ny/{found.slug}\n"
            f"# (entered in rammegraf's form). Filen skrives om, når posten rettes i browseren.\n\n")


_DESCRIBED: dict = {}


def describe(found, engine, lang: str) -> dict:
    """The form's fields for the template: plain values only (they cross a pipe)."""
    key = (found.slug, lang, id(engine))
    if key in _DESCRIBED and _DESCRIBED[key][0] is engine:
        return _DESCRIBED[key][1]
    from ...forms import candidates, choice_text

    def field(each, prefix=""):
        listed = candidates(each, engine, lang) if each.widget == "resource" else None
        options = None
        if listed is not None:
            seen, duplicates = set(), set()
            for _, text in listed:
                (duplicates if text in seen else seen).add(text)
            options = [choice_text(value, text, duplicates) for value, text in listed]
        return {"name": prefix + each.name, "label": each.text(lang), "help": each.text(lang, "help"),
                "widget": each.widget, "required": each.required, "multiple": each.multiple,
                "languages": list(each.languages or (("da", "en") if each.datatype and
                                                     each.datatype.endswith("langString") else ())),
                "choices": [(value, labels.get(lang) or labels.get("da") or value) for value, labels in each.choices],
                "options": options, "kinds": [c.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for c in each.classes],
                "fills": [prefix + name for name in each.fills],
                "nested": {"label": each.nested.text(lang),
                           "fields": [field(inner, prefix + each.name + ".") for inner in each.nested.fields
                                      if not (inner.predicate == each.predicate and not inner.inverse)]}
                if each.nested is not None else None}

    described = {"slug": found.slug, "label": found.text(lang), "help": found.text(lang, "help"),
                 "fields": [field(each) for each in found.fields], "label_template": found.label_template}
    _DESCRIBED[key] = (engine, described)
    return described


JOBS = (entry_kinds, entry_form, entry_kind_of)
