"""The web app's words, Danish first and English beside them."""

TEXT = {
    "da": {
        "home": "Forside", "queries": "Forespørgsler", "sparql": "SPARQL", "graph": "Graf",
        "validate": "Validér", "ontology": "Ontologi", "other_lang": "English", "other_code": "en",
        "tagline": "Vidensgrafen over handlingsplanen for Rammeaftale 2025-26 i Midtjylland",
        "areas": "Udviklingsområder og initiativer", "initiative": "Initiativ", "phase": "Fase",
        "as_of": "pr.", "deadlines": "Kommende frister", "no_deadlines": "Ingen kommende frister.",
        "counts": "Tal", "milestone": "Milepæl", "date_text": "Dato (kildens ord)", "latest": "Senest",
        "run": "Kør", "download": "Hent", "row": "række", "rows": "rækker", "parameters": "Parametre",
        "reproduce": "Link til netop dette resultat", "no_rows": "Ingen rækker.",
        "truncated": "Resultatet er afkortet til de første {n} rækker.",
        "editor_help": "Skriv en SPARQL-forespørgsel. Præfikserne herunder er udfyldt; kun læsning er tilladt.",
        "editor_keys": "Ctrl+Enter (⌘+Enter på Mac) kører forespørgslen. Ctrl+Mellemrum viser forslag: præfikser, "
                       "klasser og egenskaber med deres navne, variabler, og ressourcer efter navn (skriv mindst tre "
                       "bogstaver). Esc lukker forslagene; Tab flytter videre fra editoren.",
        "editor_label": "SPARQL-forespørgsel", "editor_starts": "Udgangspunkter: de navngivne forespørgsler",
        "editor_start_pick": "Hent en navngiven forespørgsel ind i editoren", "editor_start_none": "– vælg –",
        "editor_class": "klasse", "editor_property": "egenskab",
        "editor_prefix": "præfiks", "editor_variable": "variabel", "editor_error_mark": "Fejlen er her",
        "editor_licences": "Editoren er CodeMirror 6 (MIT-licens)", "editor_licences_link": "licenser",
        "error": "Fejl", "not_found": "Siden findes ikke", "not_found_text": "Der er intet på denne adresse.",
        "kinds": "Slags", "properties": "Egenskaber", "incoming": "Links hertil", "history": "Statushistorik",
        "source": "Kilde", "show_in_graph": "Vis i graf", "property": "Egenskab", "value": "Værdi",
        "from": "Fra", "validate_help": "Indsæt Turtle eller vælg en fil. Den valideres sammen med grafen; intet gemmes.",
        "paste": "Turtle", "upload": "Fil", "check": "Validér", "focus": "Ressource", "severity": "Alvor",
        "message": "Besked", "conforms": "Gyldig", "not_conforms": "Ikke gyldig", "violations": "fejl",
        "warnings": "advarsler", "classes": "Klasser", "props": "Egenskaber", "label_da": "Dansk",
        "label_en": "Engelsk", "definition": "Definition", "domain": "Domæne", "range": "Værdiområde",
        "views": "Visninger", "whole_graph": "Hele grafen", "graph_help": "Åbn hele grafen eller et udviklingsområde.",
        "whole_too_large": "Hele grafen har {count} knuder, flere end de {limit} en visning tegner. "
                           "Åbn et udviklingsområde, eller søg en ressource og vis den i grafen.",
        "term": "Term", "count": "Antal", "triples": "Tripler",
        "Violation": "FEJL", "Warning": "ADVARSEL", "Info": "INFO",
        "rounds": "Statusrunder", "deadlines_nav": "Frister", "changes_since": "Ændringer siden runden",
        "first_round": "Den første runde: intet at sammenligne med.", "timeline": "Tidslinje",
        "matrix": "Kommuner × initiativer", "calendar": "Hent de viste som kalender (.ics)", "calendar_all": "alle milepæle", "state": "Tilstand",
        "within": "dage frem", "initiative_col": "Initiativ", "responsible": "Ansvarlig", "show": "Vis",
        "according_to": "Ifølge",
        "phases_heading": "Faser", "phases_help": "Et initiativs fase i en statusrapport (rg:phase) er et af disse begreber; skriv IRI'en, fx rg:InProgress, ikke ordene.",
        "validate_prefixes": "Præfikserne fra SPARQL-siden (rg:, rdfs:, xsd:, skos:, prov:, org:, foaf:, dcterms:) er erklæret på forhånd, og relative IRI'er som <initiativ/botilbudsteams> hører til https://w3id.org/rammegraf/id/.",
        "validate_phases_link": "Faserne og deres IRI'er", "example": "Eksempel: en ny statusrapport",
        "use_example": "Indsæt eksemplet i feltet", "not_in_round": "ikke med i rapporten pr.",
        "none_named": "kilden angiver ingen",
        "deadline_states": "Nået: en statusrapport pr. datoen eller før viser, at milepælen er nået: den siger det, "
                           "den har initiativet i gang eller længere (milepælen er initiativets opstart), eller den "
                           "siger, at opgaven er udført (milepælen er opgavens frist). Sat i bero: "
                           "initiativet er parkeret. Overskredet: sidste dag er passeret, og ingen rapport viser, "
                           "at den er nået. Forfalden nu: datoen ligger i milepælens interval. Kommende: den "
                           "begynder inden for de valgte dage.",
        "earliest": "Tidligst",
        "search": "Søg", "search_placeholder": "Søg, fx botilbud, § 108, Odder",
        "search_help": "Søg i navne, andre navne, paragraffer (§ 108), kommunekoder og beskrivelser. Æ, ø og å "
                       "kan skrives ae, oe og aa, og en tastefejl gør ikke noget. Tryk / for at søge fra enhver side.",
        "search_none": "Intet fundet for »{q}«.", "search_found": "{n} fundet for »{q}«",
        "search_capped": "Ordet findes i rigtig mange ressourcer; de bedste vises. Skriv flere ord for at indsnævre.",
        "showing": "viser {first}–{last}", "pages": "Sider", "previous": "Forrige", "next": "Næste",
        "page_of": "Side {page} af {pages}", "date_hint": "ÅÅÅÅ-MM-DD",
        "as_of_label": "Pr. dato", "search_site": "Søg i hele grafen", "search_again": "Ny søgning",
        "skip": "Spring til indholdet", "area": "Udviklingsområde", "latest_phase": "Seneste fase",
        "new_nav": "Ny post", "new_title": "Ny post",
        "new_help": "Vælg, hvad du vil tilføje. Formularerne er lavet af grafens former (ontology/shapes.ttl), og "
                    "posten tjekkes mod hele grafen med samme validering som 'rammegraf validate'.",
        "new_write_on": "Serveren gemmer: en gyldig post skrives som sin egen fil i {folder}/indtastet og er i "
                        "grafen med det samme.",
        "new_write_off": "Serveren gemmer ikke (den er ikke startet med --write). Hent posten som Turtle, og send "
                         "den til sekretariatet, eller validér den med 'rammegraf validate'.",
        "required": "skal udfyldes", "add_another": "Tilføj endnu en", "check_entry": "Tjek", "save": "Gem",
        "download_ttl": "Hent Turtle", "preview": "Sådan bliver posten (Turtle)", "iri_pending":
        "dannes, når de felter, den bygger på, er udfyldt", "choose": "– vælg –", "lang_da": "dansk",
        "lang_en": "engelsk (frivilligt)", "entry_ok": "Posten er gyldig.", "entry_bad": "Posten har {n} fejl; de "
        "står ved felterne.", "entry_warnings": "{n} advarsler (de hindrer ikke at gemme).",
        "saved": "Gemt. Posten er nu i grafen.", "edit": "Ret posten", "edit_title": "Ret",
        "other_results": "Andet, der skal rettes", "warning": "Advarsel",
        "fuzzy_help": "Skriv kildens ord, fx 'primo 2026' eller 'i foråret 2026': tidligst og senest udfyldes efter "
                      "konventionerne (primo = 1. kvartal, medio = april–september, ultimo = 4. kvartal) og kan rettes.",
        "resource_help": "Felter, der peger på noget i grafen: skriv etiketten og vælg på listen, eller skriv "
                         "stien, fx initiativ/botilbudsteams.",
        "label_template_help": "Tomt felt: etiketten dannes som «{template}».", "remove": "Fjern",
        "checking": "Tjekker …", "editing_note": "Posten blev lavet i en formular; når du gemmer, erstattes dens fil.",
        "signed_in_as": "Logget ind som", "sign_in": "Log ind", "sign_out": "Log ud", "signin_title": "Log ind",
        "signin_help": "Log ind for at gemme nye poster. Alle kan læse uden at logge ind.",
        "user_name": "Brugernavn", "password": "Adgangskode",
        "sign_in_to_save": "Log ind for at gemme",
    },
    "en": {
        "home": "Home", "queries": "Queries", "sparql": "SPARQL", "graph": "Graph",
        "validate": "Validate", "ontology": "Ontology", "other_lang": "Dansk", "other_code": "da",
        "tagline": "The knowledge graph of the Midtjylland Rammeaftale 2025-26 action plan",
        "areas": "Development areas and initiatives", "initiative": "Initiative", "phase": "Phase",
        "as_of": "as of", "deadlines": "Upcoming deadlines", "no_deadlines": "No upcoming deadlines.",
        "counts": "Counts", "milestone": "Milestone", "date_text": "Date (source's words)", "latest": "Latest",
        "run": "Run", "download": "Download", "row": "row", "rows": "rows", "parameters": "Parameters",
        "reproduce": "Link to exactly this result", "no_rows": "No rows.",
        "truncated": "The result is cut to its first {n} rows.",
        "editor_help": "Write a SPARQL query. The prefixes below are filled in; it is read-only.",
        "editor_keys": "Ctrl+Enter (⌘+Enter on a Mac) runs the query. Ctrl+Space shows suggestions: prefixes, "
                       "classes and properties with their names, variables, and resources by name (type at least "
                       "three letters). Esc closes the suggestions; Tab moves on from the editor.",
        "editor_label": "SPARQL query", "editor_starts": "Starting points: the named queries",
        "editor_start_pick": "Load a named query into the editor", "editor_start_none": "– choose –",
        "editor_class": "class", "editor_property": "property",
        "editor_prefix": "prefix", "editor_variable": "variable", "editor_error_mark": "The error is here",
        "editor_licences": "The editor is CodeMirror 6 (MIT licence)", "editor_licences_link": "licences",
        "error": "Error", "not_found": "Page not found", "not_found_text": "There is nothing at this address.",
        "kinds": "Kinds", "properties": "Properties", "incoming": "Links to here", "history": "Status history",
        "source": "Source", "show_in_graph": "Show in graph", "property": "Property", "value": "Value",
        "from": "From", "validate_help": "Paste Turtle or choose a file. It is validated together with the graph; nothing is stored.",
        "paste": "Turtle", "upload": "File", "check": "Validate", "focus": "Resource", "severity": "Severity",
        "message": "Message", "conforms": "Conforms", "not_conforms": "Does not conform", "violations": "violations",
        "warnings": "warnings", "classes": "Classes", "props": "Properties", "label_da": "Danish",
        "label_en": "English", "definition": "Definition", "domain": "Domain", "range": "Range",
        "views": "Views", "whole_graph": "The whole graph", "graph_help": "Open the whole graph or one development area.",
        "whole_too_large": "The whole graph has {count} nodes, more than the {limit} a view draws. "
                           "Open one development area, or search for a resource and show it in the graph.",
        "term": "Term", "count": "Count", "triples": "Triples",
        "Violation": "VIOLATION", "Warning": "WARNING", "Info": "INFO",
        "rounds": "Status rounds", "deadlines_nav": "Deadlines", "changes_since": "Changes since the round of",
        "first_round": "The first round: nothing to compare with.", "timeline": "Timeline",
        "matrix": "Municipalities × initiatives", "calendar": "Download those shown as a calendar (.ics)", "calendar_all": "every milestone", "state": "State",
        "within": "days ahead", "initiative_col": "Initiative", "responsible": "Responsible", "show": "Show",
        "according_to": "According to",
        "phases_heading": "Phases", "phases_help": "An initiative's phase in a status report (rg:phase) is one of these concepts; write the IRI, e.g. rg:InProgress, not the words.",
        "validate_prefixes": "The SPARQL page's prefixes (rg:, rdfs:, xsd:, skos:, prov:, org:, foaf:, dcterms:) are declared for you, and relative IRIs such as <initiativ/botilbudsteams> belong to https://w3id.org/rammegraf/id/.",
        "validate_phases_link": "The phases and their IRIs", "example": "Example: a new status report",
        "use_example": "Put the example in the box", "not_in_round": "not in the report of",
        "none_named": "the source names none",
        "deadline_states": "Reached: a status report of that date or earlier shows the milestone reached: it says "
                           "so, it has the initiative in progress or further (the milestone is the initiative's "
                           "start), or it says the task was done (the milestone is the task's deadline). "
                           "On hold: the initiative is parked. Overdue: the last day has passed and no report "
                           "shows it reached. Due now: the date lies in the milestone's interval. Upcoming: "
                           "it begins within the chosen days.",
        "earliest": "Earliest",
        "search": "Search", "search_placeholder": "Search, e.g. botilbud, § 108, Odder",
        "search_help": "Searches names, other names, provisions (§ 108), municipality codes and descriptions. "
                       "Æ, ø and å may be written ae, oe and aa, and a typing slip does no harm. Press / to "
                       "search from any page.",
        "search_none": "Nothing found for “{q}”.", "search_found": "{n} found for “{q}”",
        "search_capped": "The word is in very many resources; the best are shown. Add words to narrow it down.",
        "showing": "showing {first}–{last}", "pages": "Pages", "previous": "Previous", "next": "Next",
        "page_of": "Page {page} of {pages}", "date_hint": "YYYY-MM-DD",
        "as_of_label": "As of", "search_site": "Search the whole graph", "search_again": "New search",
        "skip": "Skip to content", "area": "Development area", "latest_phase": "Latest phase",
        "new_nav": "New entry", "new_title": "New entry",
        "new_help": "Choose what to add. The forms are made from the graph's shapes (ontology/shapes.ttl), and "
                    "the entry is checked against the whole graph by the validation of 'rammegraf validate'.",
        "new_write_on": "This server saves: a conforming entry is written as its own file in {folder}/indtastet "
                        "and is in the graph at once.",
        "new_write_off": "This server does not save (it was not started with --write). Download the entry as "
                         "Turtle and send it to the secretariat, or validate it with 'rammegraf validate'.",
        "required": "required", "add_another": "Add another", "check_entry": "Check", "save": "Save",
        "download_ttl": "Download Turtle", "preview": "The entry as Turtle", "iri_pending":
        "made once the fields it is built from are filled in", "choose": "– choose –", "lang_da": "Danish",
        "lang_en": "English (optional)", "entry_ok": "The entry conforms.", "entry_bad": "The entry has {n} "
        "errors; they are shown at their fields.", "entry_warnings": "{n} warnings (they do not stop a save).",
        "saved": "Saved. The entry is now in the graph.", "edit": "Edit the entry", "edit_title": "Edit",
        "other_results": "Other things to mend", "warning": "Warning",
        "fuzzy_help": "Write the source's words, e.g. 'primo 2026' or 'i foråret 2026': earliest and latest are "
                      "filled by the conventions (primo = Q1, medio = April–September, ultimo = Q4) and can be changed.",
        "resource_help": "Fields that point at something in the graph: type the label and pick from the list, "
                         "or write the path, e.g. initiativ/botilbudsteams.",
        "label_template_help": "Left empty, the label is made as «{template}».", "remove": "Remove",
        "checking": "Checking …", "editing_note": "This entry was made in a form; saving replaces its file.",
        "signed_in_as": "Signed in as", "sign_in": "Sign in", "sign_out": "Sign out", "signin_title": "Sign in",
        "signin_help": "Sign in to save new entries. Everyone can read without signing in.",
        "user_name": "User name", "password": "Password",
        "sign_in_to_save": "Sign in to save",
    },
}

# The charts' words (rammegraf.charts, templates/_chart.html), kept apart so that a page family's
# words and the charts' are changed without touching each other.
CHART_TEXT = {
    "da": {
        "views_label": "Vis resultatet som", "view_table": "Tabel", "view_diagram": "Diagram",
        "chart_data": "Diagrammets tal som tabel", "chart_svg": "Hent som SVG", "chart_png": "Hent som PNG",
        "chart_choose": "Vælg diagram", "chart_mark": "Diagramtype", "chart_draw": "Tegn",
        "chart_none_field": "– ingen –", "chart_count": "count: antal rækker",
        "channel_x": "Vandret (x)", "channel_x2": "Slut (x2)", "channel_y": "Lodret (y)", "channel_color": "Farve",
        "mark_bar": "Søjler", "mark_line": "Kurve", "mark_point": "Punkter", "mark_area": "Areal",
        "mark_tick": "Streger på en akse", "mark_rule": "Lodrette linjer", "mark_gantt": "Intervaller (gantt)",
        "chart_licences": "Diagrammerne tegnes med Vega og Vega-Lite (BSD-3-licens)",
        "chart_failed": "Diagrammet kunne ikke tegnes i browseren; serverens tegning kan hentes som SVG.",
    },
    "en": {
        "views_label": "Show the result as", "view_table": "Table", "view_diagram": "Chart",
        "chart_data": "The chart's numbers as a table", "chart_svg": "Download as SVG",
        "chart_png": "Download as PNG", "chart_choose": "Choose the chart", "chart_mark": "Mark",
        "chart_draw": "Draw", "chart_none_field": "– none –", "chart_count": "count: number of rows",
        "channel_x": "Across (x)", "channel_x2": "End (x2)", "channel_y": "Up (y)", "channel_color": "Colour",
        "mark_bar": "Bars", "mark_line": "Line", "mark_point": "Points", "mark_area": "Area",
        "mark_tick": "Ticks on an axis", "mark_rule": "Vertical lines", "mark_gantt": "Intervals (gantt)",
        "chart_licences": "The charts are drawn with Vega and Vega-Lite (BSD-3 licence)",
        "chart_failed": "The chart could not be drawn in the browser; the server's drawing can be downloaded as SVG.",
    },
}
for _lang, _words in CHART_TEXT.items():
    TEXT[_lang].update(_words)

DASHBOARD_TEXT = {
    "da": {
        "state_filter": "Vis kun", "state_reached": "nået", "state_on_hold": "sat i bero", "state_overdue": "overskredet",
        "state_due": "forfalden nu", "state_upcoming": "kommende",
        "drawn_of": "Tidsaksen viser de første {n} af {of} milepæle; tabellen har dem alle.",
        "dash_flow_note": "»(ingen)« før: initiativet er nyt i runden; »(ingen)« efter: det er ikke med i runden.",
        "dash_round": "Statusrunde", "dash_show": "Vis", "dash_compared": "Runden pr. {day} sammenlignet med runden pr. {previous}.",
        "dash_first": "Runden pr. {day} er den første; der er ingen runde før at sammenligne med.",
        "dash_all_changes": "Alle ændringer i runden", "dash_tiles": "Nøgletal pr. {day}",
        "dash_in_round": "initiativer i runden", "dash_overdue": "milepæle overskredet",
        "dash_due_soon": "milepæle forfalder nu eller inden for 90 dage", "dash_reached": "milepæle nået siden runden før",
        "dash_missing_tile": "initiativer ikke med i runden", "dash_charts": "Faserne",
        "dash_milestones": "Milepælene", "dash_all_deadlines": "Alle frister pr. {day} på Frister",
        "dash_changes": "Hvad ændrede sig i runden", "dash_changed": "Faseskift", "dash_new": "Nye initiativer",
        "dash_missing": "Ikke med i runden (udgået)", "dash_more": "og {n} flere",
        "dash_none": "Ingen.", "dash_query": "Forespørgslen bag diagrammet", "dash_no_rounds": "Grafen har ingen statusrunde endnu.",
        "dash_first_flow": "Den første runde har ingen runde før at sammenligne med.",
        "dash_add": "Et diagram kommer på forsiden, når en navngiven forespørgsel har »# dashboard: N« og »# chart: …« i sit hoved.",
    },
    "en": {
        "state_filter": "Show only", "state_reached": "reached", "state_on_hold": "on hold", "state_overdue": "overdue",
        "state_due": "due now", "state_upcoming": "upcoming",
        "drawn_of": "The time axis shows the first {n} of {of} milestones; the table has them all.",
        "dash_flow_note": "“(none)” before: the initiative is new in the round; “(none)” after: it is not in the round.",
        "dash_round": "Status round", "dash_show": "Show", "dash_compared": "The round of {day} compared with the round of {previous}.",
        "dash_first": "The round of {day} is the first; there is no round before it to compare with.",
        "dash_all_changes": "Every change in the round", "dash_tiles": "Key figures as of {day}",
        "dash_in_round": "initiatives in the round", "dash_overdue": "milestones overdue",
        "dash_due_soon": "milestones due now or within 90 days", "dash_reached": "milestones reached since the round before",
        "dash_missing_tile": "initiatives not in the round", "dash_charts": "The phases",
        "dash_milestones": "The milestones", "dash_all_deadlines": "Every deadline as of {day} on Deadlines",
        "dash_changes": "What changed in the round", "dash_changed": "Phase changes", "dash_new": "New initiatives",
        "dash_missing": "Not in the round (dropped)", "dash_more": "and {n} more",
        "dash_none": "None.", "dash_query": "The query behind the chart", "dash_no_rounds": "The graph has no status round yet.",
        "dash_first_flow": "The first round has no round before it to compare with.",
        "dash_add": "A chart comes on the front page when a named query has “# dashboard: N” and “# chart: …” in its header.",
    },
}
for _lang, _words in DASHBOARD_TEXT.items():
    TEXT[_lang].update(_words)

REPORT_TEXT = {
    "da": {
        "report_nav": "Rapport", "report_title": "Statusrapport",
        "report_round": "Statusrunde", "report_show": "Vis",
        "report_help": "Statusrapporten for en runde, som 'rammegraf report' skriver den: sammenfatningen og en "
                       "tabel pr. udviklingsområde (i en stor runde ét område ad gangen). Hent den hele som Word, "
                       "PDF, HTML eller Markdown.",
        "report_summary": "← Tilbage til sammenfatningen og alle udviklingsområder",
        "report_downloads": "Hent rapporten pr. {day}",
        "report_as": {".docx": "Word (.docx)", ".pdf": "PDF (.pdf)", ".html": "HTML (.html)",
                      ".md": "Markdown (.md)"},
    },
    "en": {
        "report_nav": "Report", "report_title": "Status report",
        "report_round": "Status round", "report_show": "Show",
        "report_help": "The status report of a round, as 'rammegraf report' writes it: the summary and a table "
                       "per development area (in a large round one area at a time). Download it whole as Word, "
                       "PDF, HTML or Markdown.",
        "report_summary": "← Back to the summary and every development area",
        "report_downloads": "Download the report as of {day}",
        "report_as": {".docx": "Word (.docx)", ".pdf": "PDF (.pdf)", ".html": "HTML (.html)",
                      ".md": "Markdown (.md)"},
    },
}
for _lang, _words in REPORT_TEXT.items():
    TEXT[_lang].update(_words)
