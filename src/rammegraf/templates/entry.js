// The entry form, better with a script: every change is checked with the graph (the
// server's /ny/<slug>/tjek, the same validation as a round trip), the results go to
// their fields, the Turtle and the IRI follow as you type, fuzzy date words fill the
// dates, "add another" adds a box here, and resources are searched when the list would
// be too long for the page. Without the script the form works by round trips.
(function () {
  "use strict";
  var form = document.getElementById("entry");
  if (!form || !window.fetch) return;
  var live = form.getAttribute("data-live");
  var timer = null, sent = 0, touched = {};

  function fid(name) { return "f-" + String(name).replace(/[^A-Za-z0-9_-]/g, "_"); }

  function body() {
    // values the server filled in before go back empty, so they follow the fields they came from
    var auto = {};
    form.querySelectorAll("[data-auto]").forEach(function (el) { auto[el.name] = true; });
    var data = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { data.append(name, auto[name] ? "" : value); });
    return data;
  }

  function fill(list, items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    (items || []).forEach(function (item) {
      var li = document.createElement("li");
      li.className = item[0] === "Violation" ? "bad" : "warn";
      li.textContent = (item[0] === "Violation" ? "" : form.getAttribute("data-warning") || "") + item[1];
      list.appendChild(li);
    });
    list.hidden = !items || !items.length;
  }

  function show(answer) {
    var errors = answer.errors || {};
    form.querySelectorAll("ul.field-errors").forEach(function (list) {
      var name = null;
      Object.keys(errors).forEach(function (key) { if (fid(key) + "-e" === list.id) name = key; });
      fill(list, name ? errors[name] : []);
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    Object.keys(errors).forEach(function (key) {
      if (!errors[key].some(function (e) { return e[0] === "Violation"; })) return;
      form.querySelectorAll("[name='" + key.replace(/'/g, "") + "']").forEach(function (el) {
        el.setAttribute("aria-invalid", "true");
      });
    });
    // values the server made: dates from fuzzy words, a label from its template
    form.querySelectorAll("[data-auto]").forEach(function (el) {
      var value = ((answer.shown || {})[el.name] || [""])[0];
      el.value = value;
      if (!value) el.removeAttribute("data-auto");
    });
    Object.keys(answer.shown || {}).forEach(function (key) {
      var value = (answer.shown[key] || [""])[0];
      var el = form.querySelector("[name='" + key.replace(/'/g, "") + "']");
      if (el && value && !el.value && el.type !== "checkbox") { el.value = value; el.setAttribute("data-auto", "1"); }
    });
    var verdict = document.getElementById("verdict");
    var words = JSON.parse(document.getElementById("entry-words").textContent);
    verdict.className = "verdict " + (answer.conforms ? "ok" : "bad");
    verdict.textContent = (answer.conforms ? words.ok : words.bad.replace("{n}", answer.violations)) +
      (answer.warnings ? " " + words.warnings.replace("{n}", answer.warnings) : "");
    var general = document.getElementById("general");
    fill(document.getElementById("general-errors"), answer.general);
    general.hidden = !(answer.general && answer.general.length);
    var iri = document.getElementById("entry-iri");
    iri.textContent = answer.iri || iri.getAttribute("data-pending");
    document.querySelector("#entry-turtle code").textContent = answer.turtle || "";
  }

  function check() {
    var mine = ++sent;
    var verdict = document.getElementById("verdict");
    verdict.setAttribute("aria-busy", "true");
    fetch(live, {method: "POST", body: body(), credentials: "same-origin",
                 headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (answer) { if (mine === sent && !answer.error) show(answer); })
      .catch(function () {})
      .then(function () { if (mine === sent) verdict.removeAttribute("aria-busy"); });
  }

  function soon() { clearTimeout(timer); timer = setTimeout(check, 350); }

  form.addEventListener("input", function (event) {
    var el = event.target;
    el.removeAttribute("data-auto");
    touched[el.name] = true;
    var fills = el.getAttribute("data-fills");
    if (fills) {  // new words: the dates they filled before are made again
      fills.split(" ").forEach(function (name) {
        var target = form.querySelector("[name='" + name + "']");
        if (target && target.getAttribute("data-auto")) target.value = "";
      });
    }
    if (el.getAttribute("data-kinds") !== null) suggest(el);
    soon();
  });
  form.addEventListener("change", soon);

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button.add");
    if (!button) return;
    event.preventDefault();
    var values = button.parentNode.querySelector(".values");
    var last = values.lastElementChild;
    var copy = last.cloneNode(true);
    var input = copy.querySelector("input, select, textarea");
    input.value = "";
    input.removeAttribute("aria-invalid");
    input.id = input.id.replace(/-\d+$/, "") + "-" + values.children.length;
    var label = input.getAttribute("aria-label") || "";
    input.setAttribute("aria-label", label.replace(/ \d+$/, "") + " " + (values.children.length + 1));
    values.appendChild(copy);
    input.focus();
  });

  // resources of a kind with too many members for a list in the page: ask the search
  var lists = 0;
  function suggest(input) {
    var text = input.value.trim();
    if (text.length < 3) return;
    var list = document.getElementById(input.getAttribute("list") || "");
    if (!list) {
      list = document.createElement("datalist");
      list.id = "suggest-" + (++lists);
      input.parentNode.appendChild(list);
      input.setAttribute("list", list.id);
    }
    fetch("/sok?format=json&limit=20&q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (found) {
        var kinds = input.getAttribute("data-kinds").split(" ");
        while (list.firstChild) list.removeChild(list.firstChild);
        (found.results || []).forEach(function (hit) {
          var kind = (hit.kind || "").replace(/.*[#/]/, "");
          if (kinds.length && kinds[0] && kinds.indexOf(kind) < 0) return;
          var option = document.createElement("option");
          option.value = hit.iri.replace("https://w3id.org/rammegraf/id/", "");
          option.textContent = hit.label;
          list.appendChild(option);
        });
      })
      .catch(function () {});
  }
})();
