/* rammegraf graph view. Every label, id and text from the data reaches the DOM
   through textContent or as canvas text: nothing from the data is parsed as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var ui = data.ui;
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var kindStyle = {};
  data.kinds.forEach(function (k) { kindStyle[k.key] = k; });
  var phaseColour = {}, phaseLabel = {};
  data.phases.forEach(function (p) { phaseColour[p.key] = p.color; phaseLabel[p.key] = p.label; });
  var currentDate = data.date;

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function statusAt(node, date) {
    var found = null;
    (node.history || []).forEach(function (h) { if (!date || h.date <= date) found = h; });
    return found;
  }

  function colourFor(node) {
    if (node.kind !== "initiative") {
      var c = kindStyle[node.kind].color;
      return { background: c, border: "#333" };
    }
    var s = statusAt(node, currentDate);
    if (!s) return { background: "#ffffff", border: "#888888" };
    return { background: phaseColour[s.phase] || "#ffffff", border: "#333" };
  }

  function tooltip(node) {
    var box = el("div");
    box.appendChild(el("strong", node.label));
    box.appendChild(el("div", kindStyle[node.kind].label));
    return box;
  }

  var FONT = { initiative: 18, area: 22, plan: 16, agreement: 14 };
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return { id: n.id, label: n.label, x: n.x, y: n.y, shape: kindStyle[n.kind].shape,
             size: n.size, color: colourFor(n), title: tooltip(n), hidden: false,
             font: { size: FONT[n.kind] || 12 } };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var t = el("div", e.label + (e.via ? " (" + ui.via + " " + e.via + ")" : ""));
    return { id: e.id, from: e.from, to: e.to, title: t, arrows: "to" };
  }));

  var network = new vis.Network(document.getElementById("network"), { nodes: nodes, edges: edges }, {
    physics: false,
    layout: { improvedLayout: false },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: data.nodes.length > 800 },
    nodes: { font: { size: 12, face: "system-ui, sans-serif" }, borderWidth: 1 },
    edges: { color: { color: "#9aa4ad", highlight: "#0969da" }, width: 1, smooth: false,
             arrows: { to: { scaleFactor: 0.4 } } }
  });

  /* ---------- filters (kinds, areas) ---------- */
  var kindOn = {}, areaOn = {};
  function checkbox(container, key, text, swatch, state) {
    var row = el("label", null, { "class": "row" });
    var box = el("input", null, { type: "checkbox", "data-key": key });
    box.checked = true;
    state[key] = true;
    box.addEventListener("change", function () { state[key] = box.checked; applyFilters(); });
    row.appendChild(box);
    if (swatch) row.appendChild(swatch);
    row.appendChild(el("span", text));
    container.appendChild(row);
  }
  var GLYPH = { dot: "\u25CF", star: "\u2605", triangle: "\u25B2", triangleDown: "\u25BC",
                square: "\u25A0", diamond: "\u25C6", hexagon: "\u2B22" };
  function swatch(colour, shape) {
    var s = el("span", GLYPH[shape] || GLYPH.square, { "class": "glyph", "aria-hidden": "true" });
    s.style.color = colour;
    return s;
  }
  var kindBox = document.getElementById("kind-filter");
  data.kinds.forEach(function (k) {
    checkbox(kindBox, k.key, k.label, swatch(k.color, k.shape), kindOn);
  });
  var areaBox = document.getElementById("area-filter");
  data.areas.forEach(function (a) { checkbox(areaBox, a.id, a.label, null, areaOn); });
  var phaseBox = document.getElementById("phase-legend");
  data.phases.forEach(function (p) {
    var row = el("div", null, { "class": "row" });
    row.appendChild(swatch(p.color, "dot"));
    row.appendChild(el("span", p.label));
    phaseBox.appendChild(row);
  });
  var none = el("div", null, { "class": "row" });
  var ring = el("span", "\u25CB", { "class": "glyph", "aria-hidden": "true" });
  none.appendChild(ring);
  none.appendChild(el("span", ui.nophase));
  phaseBox.appendChild(none);

  function isShown(n) {
    if (!kindOn[n.kind]) return false;
    if (n.kind === "area" && areaOn[n.id] === false) return false;
    if (n.areas && n.areas.length) {
      return n.areas.some(function (a) { return areaOn[a] !== false; });
    }
    return true;
  }
  function applyFilters() {
    nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: !isShown(n) }; }));
    updateCount();
  }
  function visibleIds() {
    return nodes.get({ filter: function (n) { return !n.hidden; } }).map(function (n) { return n.id; });
  }
  function updateCount() {
    document.getElementById("count").textContent = visibleIds().length + " " + ui.shown;
  }

  /* ---------- report date ---------- */
  var dateSelect = document.getElementById("as-of");
  data.dates.forEach(function (d) {
    var o = el("option", d, { value: d });
    if (d === currentDate) o.selected = true;
    dateSelect.appendChild(o);
  });
  dateSelect.addEventListener("change", function () {
    currentDate = dateSelect.value;
    nodes.update(data.nodes.filter(function (n) { return n.kind === "initiative"; })
      .map(function (n) { return { id: n.id, color: colourFor(n) }; }));
    if (openNode) showPanel(openNode);
    fillNodeTable();
  });

  /* ---------- side panel ---------- */
  var panel = document.getElementById("panel"), openNode = null;
  function term(dl, name, value) {
    dl.appendChild(el("dt", name));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value;
    dl.appendChild(dd);
  }
  function neighbourLink(id) {
    var n = byId[id];
    var a = el("a", n ? n.label : id, { role: "button", tabindex: "0", "data-id": id });
    a.addEventListener("click", function () { focusNode(id); });
    a.addEventListener("keydown", function (ev) { if (ev.key === "Enter") focusNode(id); });
    return a;
  }
  function showPanel(id) {
    var n = byId[id];
    if (!n) return;
    openNode = id;
    document.getElementById("panel-title").textContent = n.label;
    var body = document.getElementById("panel-body");
    body.textContent = "";
    var dl = el("dl");
    term(dl, ui.kind, kindStyle[n.kind].label);
    if (n.kind === "initiative") {
      var s = statusAt(n, currentDate);
      term(dl, ui.phase, s ? s.phaseLabel + " (" + s.date + ")" : ui.nophase);
      if (s) term(dl, ui.source, s.source);
    }
    (n.details || []).forEach(function (d) { term(dl, d[0], d[1]); });
    body.appendChild(dl);
    var st = statusAt(n, currentDate);
    if (n.kind === "initiative" && st && st.text) {
      body.appendChild(el("h3", ui.status));
      body.appendChild(el("div", st.text, { "class": "status-text" }));
    }
    var links = data.edges.filter(function (e) { return e.from === id || e.to === id; });
    if (links.length) {
      body.appendChild(el("h3", ui.links + " (" + links.length + ")"));
      var ul = el("ul");
      links.forEach(function (e) {
        var li = el("li");
        var out = e.from === id;
        li.appendChild(el("span", (out ? "" : "← ") + e.label + (out ? " → " : " ")));
        li.appendChild(neighbourLink(out ? e.to : e.from));
        if (e.via) li.appendChild(el("span", " (" + ui.via + " " + e.via + ")"));
        ul.appendChild(li);
      });
      body.appendChild(ul);
    }
    panel.hidden = false;
  }
  document.getElementById("panel-close").addEventListener("click", function () {
    panel.hidden = true; openNode = null;
  });
  network.on("click", function (params) {
    if (params.nodes.length) showPanel(params.nodes[0]);
  });

  /* ---------- search ---------- */
  var labels = document.getElementById("node-labels");
  data.nodes.slice().sort(function (a, b) { return a.label.localeCompare(b.label); })
    .forEach(function (n) { labels.appendChild(el("option", null, { value: n.label })); });
  function findNode(text) {
    var q = text.trim().toLocaleLowerCase();
    if (!q) return null;
    var exact = null, starts = null, contains = null;
    data.nodes.forEach(function (n) {
      var l = n.label.toLocaleLowerCase();
      if (l === q && !exact) exact = n;
      else if (l.indexOf(q) === 0 && !starts) starts = n;
      else if (l.indexOf(q) > 0 && !contains) contains = n;
    });
    return exact || starts || contains;
  }
  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: 1.4, animation: false });
    showPanel(id);
  }
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = document.getElementById("search").value;
    var n = findNode(text);
    var message = document.getElementById("message");
    if (!n) { message.textContent = ui.notfound + " “" + text + "”"; return; }
    message.textContent = "";
    focusNode(n.id);
  });

  /* ---------- the accessible table ---------- */
  var degree = {};
  data.edges.forEach(function (e) {
    degree[e.from] = (degree[e.from] || 0) + 1;
    degree[e.to] = (degree[e.to] || 0) + 1;
  });
  function fillNodeTable() {
    var tbody = document.querySelector("#node-table tbody");
    tbody.textContent = "";
    data.nodes.forEach(function (n) {
      var tr = el("tr", null, { "data-id": n.id });
      var s = n.kind === "initiative" ? statusAt(n, currentDate) : null;
      [n.label, kindStyle[n.kind].label, s ? s.phaseLabel : "", String(degree[n.id] || 0)]
        .forEach(function (v) { tr.appendChild(el("td", v)); });
      tbody.appendChild(tr);
    });
  }
  function fillEdgeTable() {
    var tbody = document.querySelector("#edge-table tbody");
    data.edges.forEach(function (e) {
      var tr = el("tr");
      [byId[e.from].label, e.label + (e.via ? " (" + ui.via + " " + e.via + ")" : ""), byId[e.to].label]
        .forEach(function (v) { tr.appendChild(el("td", v)); });
      tbody.appendChild(tr);
    });
  }
  fillNodeTable();
  fillEdgeTable();
  window.rammegrafSortable(document.getElementById("node-table"), data.lang);
  window.rammegrafSortable(document.getElementById("edge-table"), data.lang);

  /* ---------- ready ---------- */
  updateCount();
  var api = { network: network, nodes: nodes, edges: edges, data: data, ready: false,
              visibleIds: visibleIds, statusAt: statusAt, findNode: findNode, currentDate: function () { return currentDate; } };
  window.rammegraf = api;
  network.once("afterDrawing", function () {
    api.ready = true;
    document.body.setAttribute("data-ready", "1");
  });
  if (data.focus) { network.selectNodes([data.focus]); showPanel(data.focus); }
  network.fit({ animation: false });
})();
