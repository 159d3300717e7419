/* The /sparql page: the textarea becomes a CodeMirror 6 editor (editor.js, the
   vendored bundle) with SPARQL highlighting and completion (prefixes, classes and
   properties of the ontology with their labels, variables of the query, resources
   by label from /sok), Ctrl+Enter (Cmd+Enter) runs the query, a syntax error is
   marked where it is, and a named query can be loaded as a starting point.
   Without JavaScript the textarea and the form work as they are. The textarea
   keeps the editor's text, so the form submits what the editor shows. Text from
   the data reaches the page only through CodeMirror's own rendering (textContent),
   never as HTML. */
(function () {
  "use strict";
  var CM = window.RammegrafEditor;
  var script = document.currentScript;
  var nonce = script ? script.nonce : "";
  var form = document.getElementById("sparql-form");
  var area = document.getElementById("query");
  if (!CM || !form || !area) return;

  var lang = form.dataset.lang === "en" ? "en" : "da";
  var other = lang === "en" ? "da" : "en";
  var words = {
    "class": form.dataset["class"], property: form.dataset.property, prefix: form.dataset.prefix,
    variable: form.dataset.variable, errorMark: form.dataset.errorMark
  };
  var KEYWORDS = ["SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS",
    "DISTINCT", "REDUCED", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "VALUES", "BIND", "PREFIX",
    "BASE", "NOT EXISTS", "EXISTS", "COUNT", "SAMPLE", "GROUP_CONCAT", "LANG", "LANGMATCHES", "STR",
    "STRSTARTS", "CONTAINS", "REGEX", "LCASE", "UCASE", "COALESCE", "DESC", "ASC", "GRAPH"];
  var KEYWORD_SET = {};
  KEYWORDS.forEach(function (k) { k.split(" ").forEach(function (w) { KEYWORD_SET[w.toLowerCase()] = true; }); });

  // --- what there is to complete -------------------------------------------------------
  var vocabulary = fetch("/sparql/ord", { headers: { accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : { prefixes: [], terms: [] }; })
    .catch(function () { return { prefixes: [], terms: [] }; });

  function labelOf(term) {
    var first = term[lang], second = term[other];
    var text = first && second && first !== second ? first + " / " + second : (first || second || "");
    var kind = words[term.kind] || term.kind;
    return text ? text + " · " + kind : kind;
  }

  function variables(context) {
    var word = context.matchBefore(/[?$][A-Za-z0-9_\u00C0-\u024F]*/);
    if (!word) return null;
    var seen = {}, options = [];
    var text = context.state.doc.toString();
    var found, pattern = /[?$]([A-Za-z_\u00C0-\u024F][A-Za-z0-9_\u00C0-\u024F]*)/g;
    while ((found = pattern.exec(text)) !== null) {
      var name = "?" + found[1];
      if (found.index === word.from || seen[name]) continue;
      seen[name] = true;
      options.push({ label: name, type: "variable", detail: words.variable });
    }
    return { from: word.from, options: options, validFor: /^[?$][A-Za-z0-9_\u00C0-\u024F]*$/ };
  }

  function prefixedNames(context) {
    var word = context.matchBefore(/[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_-]*/);
    if (!word) return null;
    var prefix = word.text.slice(0, word.text.indexOf(":") + 1);
    return vocabulary.then(function (data) {
      var options = data.terms.filter(function (t) { return t.curie.indexOf(prefix) === 0; })
        .map(function (t) {
          return { label: t.curie, type: t.kind === "class" ? "class" : "property", detail: labelOf(t) };
        });
      return { from: word.from, options: options, validFor: /^[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_-]*$/ };
    });
  }

  function plainWord(context) {
    var word = context.matchBefore(/[A-Za-z\u00C0-\u024F][A-Za-z0-9_\u00C0-\u024F-]*/);
    if (!word) return null;
    var before = word.from > 0 ? context.state.sliceDoc(word.from - 1, word.from) : "";
    if (/[<?$:@^\/#.\w]/.test(before)) return null;  // inside an IRI, a variable, a language tag …
    return word;
  }

  function prefixesAndKeywords(context) {
    var word = plainWord(context);
    if (!word && !context.explicit) return null;
    var from = word ? word.from : context.pos;
    return vocabulary.then(function (data) {
      var options = data.prefixes.map(function (p) {
        return { label: p.prefix + ":", type: "namespace", detail: words.prefix + " · " + p.iri };
      }).concat(KEYWORDS.map(function (k) { return { label: k, type: "keyword" }; }));
      return { from: from, options: options, validFor: /^[A-Za-z_]*$/ };
    });
  }

  var found = {};
  function resources(context) {
    var word = plainWord(context);
    if (!word || word.text.length < 3 || KEYWORD_SET[word.text.toLowerCase()]) return null;
    var key = word.text.toLowerCase();
    if (!found[key]) {
      var url = "/sok?format=json&limit=10&q=" + encodeURIComponent(word.text) + (lang === "en" ? "&lang=en" : "");
      found[key] = fetch(url, { headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .catch(function () { delete found[key]; return { results: [] }; });
    }
    return found[key].then(function (data) {
      if (context.aborted) return null;
      var options = (data.results || []).map(function (r, i) {
        return { label: "<" + r.iri + ">", type: "text", boost: -i,
                 detail: r.label + (r.kind_label ? " · " + r.kind_label : "") };
      });
      return { from: word.from, options: options, filter: false };
    });
  }

  // --- the editor ------------------------------------------------------------------------
  function run() {
    area.value = view.state.doc.toString();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    return true;
  }

  var label = form.querySelector("label[for=query]");
  if (label && !label.id) label.id = "query-label";
  var extensions = [
    CM.keymap.of([{ key: "Mod-Enter", run: run, preventDefault: true }]),
    CM.lineNumbers(), CM.highlightActiveLineGutter(), CM.highlightSpecialChars(), CM.history(),
    CM.drawSelection(), CM.indentOnInput(), CM.bracketMatching(), CM.closeBrackets(),
    CM.highlightActiveLine(), CM.lintGutter(),
    CM.syntaxHighlighting(CM.defaultHighlightStyle, { fallback: true }),
    CM.StreamLanguage.define(CM.sparql),
    CM.autocompletion({ override: [variables, prefixedNames, prefixesAndKeywords, resources],
                        icons: false, activateOnTypingDelay: 150 }),
    CM.keymap.of([].concat(CM.closeBracketsKeymap, CM.defaultKeymap, CM.historyKeymap, CM.completionKeymap,
                           CM.lintKeymap)),
    CM.EditorView.lineWrapping,
    CM.EditorView.contentAttributes.of({ "aria-labelledby": label ? label.id : "", "aria-multiline": "true",
                                         "aria-describedby": "editor-keys" }),
    CM.EditorView.updateListener.of(function (update) {
      if (update.docChanged) area.value = update.state.doc.toString();
    })
  ];
  if (nonce) extensions.push(CM.EditorView.cspNonce.of(nonce));

  var view = new CM.EditorView({
    state: CM.EditorState.create({ doc: area.value, extensions: extensions })
  });
  area.parentNode.insertBefore(view.dom, area);
  area.hidden = true;
  form.classList.add("has-editor");
  form.addEventListener("submit", function () { area.value = view.state.doc.toString(); });
  if (label) label.addEventListener("click", function (event) { event.preventDefault(); view.focus(); });

  // --- a syntax error: marked where it is, the cursor put there ------------------------
  var error = document.querySelector("p.error[data-line]");
  if (error) {
    var doc = view.state.doc;
    var lineNo = Math.min(Math.max(parseInt(error.dataset.line, 10) || 1, 1), doc.lines);
    var line = doc.line(lineNo);
    var column = Math.max(parseInt(error.dataset.column, 10) || 1, 1);
    var at = Math.min(line.from + column - 1, line.to);
    var to = at < line.to ? at + 1 : at;
    if (at === to && at > line.from) at -= 1;  // the end of a line: mark its last character
    if (at === to && doc.length > 0) { at = Math.max(0, Math.min(at, doc.length - 1)); to = at + 1; }
    var message = (words.errorMark ? words.errorMark + ": " : "") + error.textContent.trim();
    view.dispatch(CM.setDiagnostics(view.state, [{ from: at, to: to, severity: "error", message: message }]));
    view.dispatch({ selection: { anchor: Math.min(line.from + column - 1, line.to) }, scrollIntoView: true });
    view.focus();
  }

  // --- the named queries as starting points ----------------------------------------------
  var pick = form.querySelector(".start-pick");
  var select = document.getElementById("start");
  if (pick && select) {
    pick.hidden = false;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var text = option && option.dataset.text;
      if (!text) return;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text },
                      selection: { anchor: 0 }, scrollIntoView: true });
      view.dispatch(CM.setDiagnostics(view.state, []));
    });
  }
})();
