/* rammegraf graph view. Every label, id and text from the data reaches the DOM
   through textContent or as canvas text: nothing from the data is parsed as HTML.
   The icons are data: URIs made by rammegraf itself (viz.py), never by the data. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var ui = data.ui, F = data.font;
  var byId = {};                 // every node the page knows: the view, the ring, fetched ones
  var adj = {};                  // node id -> the links the page knows of it
  var edgeKeys = {};             // from|to|label|via -> true (a link fetched twice is one link)
  var allEdges = [];
  var present = {};              // ids drawn (in the vis DataSet); the ring is not, until expanded
  var fetched = {};              // ids whose neighbours came from the server
  var kindInfo = {}, phaseInfo = {};
  data.kinds.forEach(function (k) { kindInfo[k.key] = k; });
  data.phases.forEach(function (p) { phaseInfo[p.key] = p; });
  var currentDate = data.date;
  var selected = null, panelOpen = false, keep = {}, drawnSize = {}, scale = 1, edgeCounter = 0;

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function icon(uri) {
    var s = el("span", null, { "class": "icon", "aria-hidden": "true" });
    s.style.backgroundImage = "url(\"" + uri + "\")";
    return s;
  }

  function learnNode(n) {
    if (byId[n.id]) return false;
    byId[n.id] = n;
    if (!adj[n.id]) adj[n.id] = [];
    return true;
  }
  function learnEdge(e) {
    var key = e.from + "\n" + e.to + "\n" + e.label + "\n" + (e.via || "");
    if (edgeKeys[key]) return false;
    edgeKeys[key] = true;
    if (!e.id) e.id = "x" + (edgeCounter++);
    allEdges.push(e);
    (adj[e.from] = adj[e.from] || []).push(e);
    (adj[e.to] = adj[e.to] || []).push(e);
    return true;
  }
  data.nodes.forEach(learnNode);
  data.edges.forEach(learnEdge);

  function statusAt(node, date) {
    var found = null;
    (node.history || []).forEach(function (h) { if (!date || h.date <= date) found = h; });
    return found;
  }
  function iconFor(node) {
    if (node.kind !== "initiative") return kindInfo[node.kind].uri;
    var s = statusAt(node, currentDate);
    return s && phaseInfo[s.phase] ? phaseInfo[s.phase].uri : data.nophase;
  }
  function kindLabel(node) { return kindInfo[node.kind] ? kindInfo[node.kind].label : node.kind; }
  function tooltip(node) {
    var box = el("div");
    box.appendChild(el("strong", node.label));
    box.appendChild(el("div", kindLabel(node)));
    return box;
  }
  function edgeText(e) { return e.label + (e.via ? " (" + ui.via + " " + e.via + ")" : ""); }
  function baseSize(n) { return F.sizes[n.kind] || F.size; }
  function visNode(n) {
    var f = Math.round(labelSize(n.id) * 100) / 100, z = Math.round(iconSize(n.id) * 10) / 10;
    drawnSize[n.id] = { f: f, z: z, v: 0 };
    return { id: n.id, label: n.label, x: n.x, y: n.y, image: iconFor(n), size: z, title: tooltip(n),
             hidden: !isShown(n), font: { size: f, vadjust: 0 }, widthConstraint: { maximum: Math.max(f, 14) * 15 } };
  }
  function visEdge(e) { return { id: e.id, from: e.from, to: e.to, title: el("div", edgeText(e)) }; }

  /* ---------- labels: readable or not drawn ---------- */
  // A label is drawn at LABEL_MIN_PX or more on screen, or not at all (vis would fade
  // it towards white below its threshold); the selection, its neighbours and the
  // view's landmarks keep theirs at every zoom.
  function labelSize(id) {
    var n = byId[id], base = baseSize(n);
    if (keep[id]) return Math.max(base, F.keepPx / steps);
    if (selected) return 0;  // the rest is dimmed while a node is selected: no faint labels
    if (n.mark) return Math.max(base, F.keepPx / steps);
    return base * scale >= F.minPx ? base : 0;
  }
  // Icons never shrink below F.iconPx on screen, so the shapes stay legible far out.
  function iconSize(id) { return Math.max(byId[id].size, F.iconPx / steps); }
  // The zoom in steps of about 12 %, rounded down: sizes kept on screen change only
  // when the zoom crosses a step (a 2,000-node view is not updated on every wheel tick)
  // and are never smaller on screen than asked.
  var steps = 1;
  function stepOf(s) { return Math.pow(2, Math.floor(Math.log(s) / Math.LN2 * 6) / 6); }

  /* ---------- filters (kinds, areas) ---------- */
  var kindOn = {}, areaOn = {};
  data.kinds.forEach(function (k) { kindOn[k.key] = true; });
  data.areas.forEach(function (a) { areaOn[a.id] = true; });
  function isShown(n) {
    if (kindOn[n.kind] === false) return false;
    if (n.kind === "area" && areaOn[n.id] === false) return false;
    if (n.areas && n.areas.length) return n.areas.some(function (a) { return areaOn[a] !== false; });
    return true;
  }

  /* ---------- the network ---------- */
  var first = data.nodes.filter(function (n) { return !n.ring; });
  first.forEach(function (n) { present[n.id] = true; });
  (function guessScale() {  // about the zoom that fit() will choose, so few nodes change after it
    var box = document.getElementById("network"), x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    first.forEach(function (n) {
      x0 = Math.min(x0, n.x - n.size); x1 = Math.max(x1, n.x + n.size);
      y0 = Math.min(y0, n.y - n.size); y1 = Math.max(y1, n.y + n.size);
    });
    var guess = Math.min(box.clientWidth / (x1 - x0), box.clientHeight / (y1 - y0), 1);
    scale = isFinite(guess) && guess > 0 ? guess : 1;
    steps = stepOf(scale);
  })();
  var nodes = new vis.DataSet(first.map(visNode));
  var edges = new vis.DataSet(allEdges.filter(function (e) { return present[e.from] && present[e.to]; }).map(visEdge));
  var big = first.length > 800;
  var network = new vis.Network(document.getElementById("network"), { nodes: nodes, edges: edges }, {
    physics: false,
    layout: { improvedLayout: false },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
                   keyboard: { enabled: true, bindToWindow: false }, multiselect: false },
    nodes: {
      shape: "image", borderWidth: 1, borderWidthSelected: 4,
      shapeProperties: { useBorderWithImage: true },
      color: { border: "rgba(0,0,0,0)", background: "rgba(0,0,0,0)",
               highlight: { border: "#0969da", background: "rgba(9,105,218,0.12)" },
               hover: { border: "#57606a", background: "rgba(0,0,0,0)" } },
      font: { size: F.size, face: "system-ui, -apple-system, 'Segoe UI', sans-serif", color: F.color,
              strokeWidth: 4, strokeColor: F.halo },
      scaling: { label: { drawThreshold: 2, maxVisible: 40 } }
    },
    edges: { color: { color: "#8c959f", highlight: "#0969da", hover: "#57606a" }, width: 1, selectionWidth: 2,
             smooth: false, arrows: { to: { scaleFactor: 0.4 } } }
  });
  var frame = document.querySelector("#network .vis-network");
  frame.setAttribute("role", "application");
  frame.setAttribute("aria-label", data.title);
  frame.setAttribute("aria-describedby", "canvas-help");

  // Labels that would overlap one already placed are left out (the selection and
  // its neighbours first, then landmarks, then the best linked), so what is drawn
  // can be read; zooming in makes room for more.
  var FACE = "system-ui, -apple-system, 'Segoe UI', sans-serif";
  var measure = document.createElement("canvas").getContext("2d");
  var widths = {};
  function textWidth(text) {  // in em
    if (widths[text] === undefined) {
      measure.font = "100px " + FACE;
      widths[text] = measure.measureText(text).width / 100;
    }
    return widths[text];
  }
  function priority(id) {
    var n = byId[id];
    return (id === selected ? 4e6 : keep[id] ? 3e6 : n.mark ? 2e6 : 0) + (n.deg || 0);
  }
  function placeLabels(sizes, shifts) {
    var box = document.getElementById("network"), W = box.clientWidth, H = box.clientHeight;
    var cell = 120, grid = {}, wanted = [];
    Object.keys(sizes).forEach(function (id) { if (sizes[id] > 0 && nodes.get(id) && !nodes.get(id).hidden) wanted.push(id); });
    var where = network.getPositions(wanted);
    wanted.sort(function (a, b) { return priority(b) - priority(a); });
    // the selection's neighbours are all labelled, overlapping or not, unless there are so
    // many that they could not be read anyway (a hub: the panel lists them all)
    var small = Object.keys(keep).length <= F.keepAll;
    function cellsOf(b) {
      var out = [];
      for (var gx = Math.floor(b[0] / cell); gx <= Math.floor(b[2] / cell); gx++) {
        for (var gy = Math.floor(b[1] / cell); gy <= Math.floor(b[3] / cell); gy++) out.push(gx + "," + gy);
      }
      return out;
    }
    function clashes(b) {
      return cellsOf(b).some(function (c) {
        return (grid[c] || []).some(function (o) { return b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]; });
      });
    }
    wanted.forEach(function (id) {
      var p = network.canvasToDOM(where[id]);
      var px = Math.min(sizes[id] * scale, 40), em = textWidth(byId[id].label);
      var width = Math.min(em * px, 15 * px), height = Math.ceil(em / 15) * px * 1.25 + 2;
      var r = iconSize(id) * scale, left = p.x - width / 2, right = p.x + width / 2;
      var below = [left, p.y + r, right, p.y + r + height];
      var above = [left, p.y - r - height - 2, right, p.y - r - 2];
      if (below[2] < 0 || below[0] > W || below[3] < -height || below[1] > H + height) return;  // off screen
      var chosen = below;
      if (clashes(below)) {
        if (!clashes(above)) chosen = above;
        else if (id !== selected && !(keep[id] && small)) { sizes[id] = 0; return; }
      }
      if (chosen === above) shifts[id] = Math.round(-(2 * r + height + 2) / scale);
      cellsOf(chosen).forEach(function (c) { (grid[c] = grid[c] || []).push(chosen); });
    });
  }
  function applyLabels() {
    scale = network.getScale();
    steps = stepOf(scale);
    var sizes = {}, shifts = {}, changes = [];
    Object.keys(present).forEach(function (id) { sizes[id] = Math.round(labelSize(id) * 100) / 100; });
    placeLabels(sizes, shifts);
    Object.keys(present).forEach(function (id) {
      var f = sizes[id], z = Math.round(iconSize(id) * 10) / 10, v = shifts[id] || 0;
      var was = drawnSize[id];
      if (!was || was.f !== f || was.z !== z || was.v !== v) {
        drawnSize[id] = { f: f, z: z, v: v };
        changes.push({ id: id, size: z, font: { size: f, vadjust: v },
                       widthConstraint: { maximum: Math.max(f, 14) * 15 } });
      }
    });
    if (changes.length) nodes.update(changes);
  }
  var labelFrame = 0;
  function labelsSoon() {
    if (labelFrame) return;
    labelFrame = window.requestAnimationFrame(function () { labelFrame = 0; applyLabels(); });
  }
  network.on("zoom", labelsSoon);
  network.on("dragEnd", labelsSoon);
  network.on("resize", labelsSoon);  // vis rescales the view with the canvas (the panel opens beside it)
  window.addEventListener("resize", labelsSoon);
  function labelReport() {
    var s = network.getScale(), shown = [], min = Infinity;
    Object.keys(present).forEach(function (id) {
      if (drawnSize[id] && drawnSize[id].f > 0 && !nodes.get(id).hidden) {
        shown.push(id);
        min = Math.min(min, Math.min(drawnSize[id].f * s, 40));
      }
    });
    return { scale: s, minPx: shown.length ? min : null, shown: shown, color: F.color, halo: F.halo };
  }

  /* ---------- showing more nodes ---------- */
  function place(ids, around) {
    var centre = network.getPositions([around])[around] || { x: 0, y: 0 };
    var count = ids.length, radius = 140 + 14 * count;
    var taken = network.getPositions();
    var start = Math.atan2(centre.y, centre.x) - Math.PI / 2;  // open away from the middle of the view
    ids.forEach(function (id, i) {
      var angle = start + (count === 1 ? Math.PI / 2 : (Math.PI * 2 * i) / count);
      var n = byId[id];
      n.x = Math.round(centre.x + radius * Math.cos(angle));
      n.y = Math.round(centre.y + radius * Math.sin(angle));
      taken[id] = { x: n.x, y: n.y };
    });
  }
  function addPresent(ids) {
    if (!ids.length) return;
    ids.forEach(function (id) { present[id] = true; });
    nodes.add(ids.map(function (id) { return visNode(byId[id]); }));
    var fresh = [];
    ids.forEach(function (id) {
      (adj[id] || []).forEach(function (e) {
        if (present[e.from] && present[e.to] && !edges.get(e.id)) { fresh.push(visEdge(e)); }
      });
    });
    var seen = {};
    edges.add(fresh.filter(function (e) { if (seen[e.id]) return false; seen[e.id] = true; return true; }));
    applyLabels();
    refreshLists();
  }
  function neighbourIds(id) {
    var out = [], seen = {};
    (adj[id] || []).forEach(function (e) {
      var other = e.from === id ? e.to : e.from;
      if (!seen[other] && byId[other]) { seen[other] = true; out.push(other); }
    });
    return out;
  }
  function reveal(id) {  // one node from the ring or the server, beside a neighbour already drawn
    if (present[id]) return;
    var anchor = neighbourIds(id).filter(function (n) { return present[n]; })[0];
    if (anchor) place([id], anchor); else { byId[id].x = 0; byId[id].y = 0; }
    addPresent([id]);
  }
  function shortId(id) { return id.indexOf(data.idBase) === 0 ? id.slice(data.idBase.length) : id; }
  function longId(text) { return /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : data.idBase + text; }
  function isOurs(id) { return id.indexOf(data.idBase) === 0; }

  function fetchNeighbours(id) {
    var url = "/graf/naboer?id=" + encodeURIComponent(shortId(id)) + "&lang=" + encodeURIComponent(data.lang) +
              (currentDate ? "&as_of=" + encodeURIComponent(currentDate) : "");
    return window.fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (answer) {
        answer.nodes.forEach(function (n) { learnNode(n); });
        answer.edges.forEach(learnEdge);
        fetched[id] = true;
        return answer;
      });
  }
  function expand(id) {
    var note = function (text) { say(text); if (panelOpen && selected === id) panelNote(text); };
    if (data.served && isOurs(id) && !fetched[id]) {
      note(ui.loading);
      return fetchNeighbours(id).then(function () { return expandKnown(id, note); },
                                      function () { note(ui.expand_failed); return 0; });
    }
    return Promise.resolve(expandKnown(id, note));
  }
  function expandKnown(id, note) {
    if (!present[id]) reveal(id);
    var added = neighbourIds(id).filter(function (n) { return !present[n]; });
    place(added, id);
    addPresent(added);
    if (added.length) network.fit({ nodes: [id].concat(neighbourIds(id).filter(function (n) { return present[n]; })),
                                    animation: false });
    select(id, { keepPanel: true });
    var n = byId[id];
    if (added.length) note(added.length + " " + ui.expanded);
    else if (!data.served && (n.deg || 0) > (adj[id] || []).length) note(ui.beyond_file + shortId(id));
    else note(ui.nothing_more);
    return added.length;
  }

  /* ---------- selection ---------- */
  var caption = document.getElementById("caption");
  function select(id, how) {
    how = how || {};
    if (!byId[id]) return false;
    if (!present[id]) reveal(id);
    selected = id;
    keep = {};
    keep[id] = true;
    neighbourIds(id).forEach(function (n) { if (present[n]) keep[n] = true; });
    network.selectNodes([id]);
    nodes.update(Object.keys(present).map(function (n) { return { id: n, opacity: keep[n] ? 1 : 0.3 }; }));
    if (how.focus) network.focus(id, { scale: Math.max(network.getScale(), how.scale || 1), animation: false });
    applyLabels();
    var n = byId[id];
    document.getElementById("selection-name").textContent = n.label;
    document.getElementById("selection-kind").textContent = kindLabel(n);
    document.getElementById("selection-count").textContent = (n.deg || 0) + " " + ui.links.toLowerCase() +
      " " + ui.in_graph;
    caption.hidden = false;
    if (panelOpen) showPanel(); else if (!how.keepPanel) closePanel(true);
    writeUrl();
    return true;
  }
  function deselect() {
    selected = null;
    keep = {};
    network.unselectAll();
    nodes.update(Object.keys(present).map(function (n) { return { id: n, opacity: 1 }; }));
    applyLabels();
    caption.hidden = true;
    closePanel(true);
    writeUrl();
  }

  /* ---------- details panel (on demand) ---------- */
  var panel = document.getElementById("panel");
  var detailsButton = document.getElementById("details-button");
  function term(dl, name, value) {
    dl.appendChild(el("dt", name));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value;
    dl.appendChild(dd);
  }
  function neighbourButton(id) {
    var n = byId[id];
    var b = el("button", n ? n.label : id, { type: "button", "class": "link", "data-id": id });
    b.addEventListener("click", function () { select(id, { focus: true, keepPanel: true }); });
    return b;
  }
  function panelNote(text) { var p = document.getElementById("panel-note"); if (p) p.textContent = text; }
  function showPanel() {
    var id = selected, n = byId[id];
    if (!n) return;
    document.getElementById("panel-title").textContent = n.label;
    var body = document.getElementById("panel-body");
    body.textContent = "";
    var dl = el("dl");
    term(dl, ui.kind, kindLabel(n));
    var s = n.kind === "initiative" ? statusAt(n, currentDate) : null;
    if (n.kind === "initiative") {
      term(dl, ui.phase, s ? s.phaseLabel + " (" + s.date + ")" : ui.nophase);
      if (s) term(dl, ui.source, s.source);
    }
    (n.details || []).forEach(function (d) { term(dl, d[0], d[1]); });
    if (!(data.served && isOurs(id))) term(dl, ui.iri, el("span", id, { "class": "iri" }));
    body.appendChild(dl);
    if (s && s.text) {
      body.appendChild(el("h3", ui.status));
      body.appendChild(el("div", s.text, { "class": "status-text" }));
    }
    if (n.history && n.history.length > 1) {
      body.appendChild(el("h3", ui.history));
      var ol = el("ol", null, { "class": "history" });
      n.history.forEach(function (h) {
        ol.appendChild(el("li", h.date + ": " + (h.phaseLabel || h.phase) + (h.source ? " (" + ui.source + ": " + h.source + ")" : "")));
      });
      body.appendChild(ol);
    }
    var actions = el("div", null, { "class": "actions" });
    if (data.served && isOurs(id)) {
      var href = "/id/" + shortId(id).split("/").map(encodeURIComponent).join("/") + (data.lang === "en" ? "?lang=en" : "");
      actions.appendChild(el("a", ui.resource, { href: href, id: "resource-link" }));
    }
    var more = el("button", ui.expand, { type: "button", id: "panel-expand" });
    more.addEventListener("click", function () { expand(id); });
    actions.appendChild(more);
    body.appendChild(actions);
    body.appendChild(el("p", "", { id: "panel-note", role: "status" }));

    var links = adj[id] || [];
    var drawn = links.filter(function (e) { return present[e.from] && present[e.to]; }).length;
    var heading = ui.links + ": " + (n.deg || links.length) + " " + ui.in_graph;
    if (drawn < (n.deg || links.length)) heading += ", " + drawn + " " + ui.in_view;
    body.appendChild(el("h3", heading, { id: "panel-links" }));
    var groups = {}, order = [];
    links.forEach(function (e) {
      var out = e.from === id;
      var key = (out ? "" : "← ") + e.label + (out ? " →" : "");
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(e);
    });
    var ul = el("ul", null, { id: "panel-link-list" });
    order.forEach(function (key) {
      var li = el("li");
      li.appendChild(el("span", key + " (" + groups[key].length + ")"));
      var inner = el("ul");
      groups[key].forEach(function (e) {
        var other = e.from === id ? e.to : e.from;
        var item = el("li");
        item.appendChild(neighbourButton(other));
        if (e.via) item.appendChild(el("span", " (" + ui.via + " " + e.via + ")"));
        if (present[other] && nodes.get(other).hidden) item.appendChild(el("span", " – " + ui.hidden_by_filter, { "class": "muted" }));
        inner.appendChild(item);
      });
      li.appendChild(inner);
      ul.appendChild(li);
    });
    body.appendChild(ul);
    var wasHidden = panel.hidden;
    panel.hidden = false;
    panelOpen = true;
    detailsButton.setAttribute("aria-expanded", "true");
    if (wasHidden) network.redraw();
  }
  function openPanel() {
    if (!selected) return;
    showPanel();
    writeUrl();
    panel.focus();
  }
  function closePanel(quiet) {
    var was = panelOpen;
    panel.hidden = true;
    panelOpen = false;
    detailsButton.setAttribute("aria-expanded", "false");
    if (was) network.redraw();
    if (!quiet) { writeUrl(); if (selected) detailsButton.focus(); }
  }
  detailsButton.addEventListener("click", openPanel);
  document.getElementById("caption-expand").addEventListener("click", function () { if (selected) expand(selected); });
  document.getElementById("deselect").addEventListener("click", deselect);
  document.getElementById("panel-close").addEventListener("click", function () { closePanel(false); });
  panel.addEventListener("keydown", function (ev) { if (ev.key === "Escape") closePanel(false); });
  frame.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && selected) { ev.preventDefault(); openPanel(); }
    else if (ev.key === "Escape") { if (panelOpen) closePanel(false); else if (selected) deselect(); }
  });
  network.on("click", function (params) {
    if (params.nodes.length) select(params.nodes[0]);
    else if (!params.edges.length && selected) deselect();
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length) { select(params.nodes[0]); openPanel(); }
  });

  /* ---------- legend and filters ---------- */
  function checkbox(container, key, text, swatch, state) {
    var row = el("label", null, { "class": "row" });
    var box = el("input", null, { type: "checkbox", "data-key": key });
    box.checked = true;
    box.addEventListener("change", function () { state[key] = box.checked; applyFilters(); });
    row.appendChild(box);
    if (swatch) row.appendChild(swatch);
    row.appendChild(el("span", text));
    container.appendChild(row);
  }
  var kindBox = document.getElementById("kind-filter");
  data.kinds.forEach(function (k) { checkbox(kindBox, k.key, k.label, icon(k.uri), kindOn); });
  var areaBox = document.getElementById("area-filter");
  data.areas.forEach(function (a) { checkbox(areaBox, a.id, a.label, null, areaOn); });
  var phaseBox = document.getElementById("phase-legend");
  data.phases.forEach(function (p) {
    var row = el("div", null, { "class": "row" });
    row.appendChild(icon(p.uri));
    row.appendChild(el("span", p.label));
    phaseBox.appendChild(row);
  });
  var none = el("div", null, { "class": "row" });
  none.appendChild(icon(data.nophase));
  none.appendChild(el("span", ui.nophase));
  phaseBox.appendChild(none);

  function applyFilters() {
    nodes.update(Object.keys(present).map(function (id) { return { id: id, hidden: !isShown(byId[id]) }; }));
    updateCount();
  }
  function visibleIds() {
    return nodes.get({ filter: function (n) { return !n.hidden; } }).map(function (n) { return n.id; });
  }
  function updateCount() {
    document.getElementById("count").textContent = visibleIds().length + " " + ui.shown;
  }
  var toggle = document.getElementById("controls-toggle");
  toggle.addEventListener("click", function () {
    var open = document.body.classList.toggle("controls-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  /* ---------- report date ---------- */
  var dateSelect = document.getElementById("as-of");
  function setDate(day) {
    currentDate = day;
    dateSelect.value = day;
    nodes.update(Object.keys(present).filter(function (id) { return byId[id].kind === "initiative"; })
      .map(function (id) { return { id: id, image: iconFor(byId[id]) }; }));
    if (panelOpen) showPanel();
    fillNodeTable();
  }
  data.dates.forEach(function (d) {
    var o = el("option", d, { value: d });
    if (d === currentDate) o.selected = true;
    dateSelect.appendChild(o);
  });
  dateSelect.addEventListener("change", function () { setDate(dateSelect.value); writeUrl(); });

  /* ---------- search ---------- */
  var labelList = document.getElementById("node-labels");
  function fillLabels() {
    labelList.textContent = "";
    Object.keys(byId).map(function (id) { return byId[id]; })
      .sort(function (a, b) { return a.label.localeCompare(b.label, data.lang); })
      .forEach(function (n) { labelList.appendChild(el("option", null, { value: n.label })); });
  }
  function findNode(text) {
    var q = text.trim().toLocaleLowerCase();
    if (!q) return null;
    var exact = null, starts = null, contains = null;
    var ordered = Object.keys(byId).map(function (id) { return byId[id]; });
    ordered.sort(function (a, b) { return (present[b.id] ? 1 : 0) - (present[a.id] ? 1 : 0); });
    ordered.forEach(function (n) {
      var l = n.label.toLocaleLowerCase();
      if (l === q && !exact) exact = n;
      else if (l.indexOf(q) === 0 && !starts) starts = n;
      else if (l.indexOf(q) > 0 && !contains) contains = n;
    });
    return exact || starts || contains;
  }
  var message = document.getElementById("message");
  function say(text) { message.textContent = text; }
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = document.getElementById("search").value;
    var n = findNode(text);
    if (!n) { say(ui.notfound + " “" + text + "”"); return; }
    say("");
    select(n.id, { focus: true, scale: 1.4 });
  });

  /* ---------- the accessible tables ---------- */
  function fillNodeTable() {
    var tbody = document.querySelector("#node-table tbody");
    tbody.textContent = "";
    Object.keys(present).forEach(function (id) {
      var n = byId[id];
      var tr = el("tr", null, { "data-id": n.id });
      var s = n.kind === "initiative" ? statusAt(n, currentDate) : null;
      [n.label, kindLabel(n), s ? s.phaseLabel : "", String(n.deg || 0)]
        .forEach(function (v) { tr.appendChild(el("td", v)); });
      tbody.appendChild(tr);
    });
  }
  function fillEdgeTable() {
    var tbody = document.querySelector("#edge-table tbody");
    tbody.textContent = "";
    allEdges.forEach(function (e) {
      if (!(present[e.from] && present[e.to])) return;
      var tr = el("tr");
      [byId[e.from].label, edgeText(e), byId[e.to].label].forEach(function (v) { tr.appendChild(el("td", v)); });
      tbody.appendChild(tr);
    });
  }
  function refreshLists() { fillNodeTable(); fillEdgeTable(); fillLabels(); updateCount(); }

  /* ---------- the address: view, date, selection, panel ---------- */
  function writeUrl() {
    var parts = [];
    if (selected) parts.push("valgt=" + encodeURIComponent(shortId(selected)).replace(/%2F/g, "/"));
    if (selected && panelOpen) parts.push("detaljer=1");
    if (!data.served && currentDate !== data.date) parts.push("dato=" + currentDate);
    try {
      var url = new URL(window.location.href);
      if (data.served && currentDate) {
        if (currentDate !== data.date || url.searchParams.has("as_of")) url.searchParams.set("as_of", currentDate);
      }
      url.hash = parts.join("&");
      window.history.replaceState(null, "", url.href.replace(/#$/, ""));
    } catch (e) { /* an address the browser will not rewrite: keep it */ }
  }
  function readUrl() {
    var hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var day = hash.get("dato");
    if (day && data.dates.indexOf(day) >= 0 && day !== currentDate) setDate(day);
    var chosen = hash.get("valgt");
    if (!chosen) return Promise.resolve();
    var id = longId(chosen);
    var open = hash.get("detaljer") === "1";
    var finish = function () {
      if (!byId[id]) { say(ui.notfound + " “" + chosen + "”"); return; }
      select(id, { focus: true, scale: 0.9 });
      if (open) showPanel();
      writeUrl();
    };
    if (!byId[id] && data.served && isOurs(id)) return fetchNeighbours(id).then(finish, finish);
    finish();
    return Promise.resolve();
  }

  /* ---------- ready ---------- */
  fillNodeTable();
  fillEdgeTable();
  fillLabels();
  window.rammegrafSortable(document.getElementById("node-table"), data.lang);
  window.rammegrafSortable(document.getElementById("edge-table"), data.lang);
  updateCount();
  network.fit({ animation: false });
  applyLabels();
  var api = { network: network, nodes: nodes, edges: edges, data: data, ready: false, byId: byId,
              visibleIds: visibleIds, statusAt: statusAt, findNode: findNode, labelReport: labelReport,
              select: select, expand: expand, applyLabels: applyLabels,
              selected: function () { return selected; }, panelOpen: function () { return panelOpen; },
              presentIds: function () { return Object.keys(present); },
              currentDate: function () { return currentDate; } };
  window.rammegraf = api;
  var drawn = new Promise(function (resolve) { network.once("afterDrawing", resolve); });
  Promise.all([drawn, readUrl()]).then(function () {
    api.ready = true;
    document.body.setAttribute("data-ready", "1");
  });
})();
