/* The charts of a page (templates/_chart.html): each <figure class="chart"> carries its
   Vega-Lite spec as JSON (a <script type="application/json">, never run) and, when the page
   was drawn on the server, the server's SVG. This draws the spec with Vega in the browser,
   with tooltips and links, where the figure is shown; it switches a result between its
   table and its chart without a new page, and redraws the chart the chooser asks for.

   The page's policy has no 'unsafe-eval': Vega's expressions are parsed to syntax trees and
   interpreted (vega-embed's `ast: true` with vega-interpreter), never compiled with
   new Function; vega-embed's and vega-tooltip's own <style> elements are off (app.css has
   their rules). vega.js (1.2 MB) is loaded only when a chart is to be drawn. Text from the
   data reaches the DOM only through Vega's renderer and textContent. */
(function () {
  "use strict";
  var loading = null;

  function bundle() {
    if (window.RammegrafCharts) return Promise.resolve(window.RammegrafCharts);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = "/static/vega.js";
        script.onload = function () { resolve(window.RammegrafCharts); };
        script.onerror = function () { loading = null; reject(new Error("vega.js")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function words(svg, spec) {
    // the drawing's own words for a screen reader: role img, its title and its text alternative
    var ns = "http://www.w3.org/2000/svg";
    var title = document.createElementNS(ns, "title");
    var desc = document.createElementNS(ns, "desc");
    var text = spec.title && spec.title.text !== undefined ? spec.title.text : spec.title;
    title.textContent = Array.isArray(text) ? text.join(" ") : String(text || "");
    desc.textContent = spec.description || "";
    svg.setAttribute("role", "img");
    svg.insertBefore(desc, svg.firstChild);
    svg.insertBefore(title, svg.firstChild);
  }

  function draw(figure, force) {
    var source = figure.dataset.spec && document.getElementById(figure.dataset.spec);
    if (!source || (figure.dataset.drawn === "1" && !force)) return Promise.resolve();
    var spec = JSON.parse(source.textContent);
    var view = figure.querySelector(".chart-view");
    var embedded = (spec.usermeta && spec.usermeta.embedOptions) || {};
    var rows = figure.querySelector(".chart-data tbody");
    if (rows && !rows.rows.length) fillTable(figure, spec);
    figure.setAttribute("aria-busy", "true");
    return bundle().then(function (charts) {
      var target = document.createElement("div");
      return charts.embed(target, spec, {
        renderer: "svg", actions: false, defaultStyle: false,
        ast: true, expr: charts.expressionInterpreter,
        tooltip: { disableDefaultStyle: true, theme: "light" },
        loader: { target: "_self" },
        formatLocale: embedded.formatLocale, timeFormatLocale: embedded.timeFormatLocale
      }).then(function (result) {
        if (figure.chartView) figure.chartView.finalize();
        figure.chartView = result.view;
        view.textContent = "";
        view.appendChild(target);
        var svg = target.querySelector("svg");
        if (svg) words(svg, spec);
        figure.dataset.drawn = "1";
        figure.dataset.drawnAt = String(performance.now());
      });
    }).catch(function () {
      var note = figure.querySelector(".chart-failed") || document.createElement("p");
      note.className = "notice chart-failed";
      note.textContent = figure.dataset.failed || "";
      view.after(note);
    }).then(function () {
      figure.removeAttribute("aria-busy");
    });
  }

  function fillTable(figure, spec) {
    // the chart's numbers as a table, as the server writes it (templates/_chart.html)
    var table = figure.querySelector(".chart-data table");
    var data = spec.usermeta && spec.usermeta.rammegraf && spec.usermeta.rammegraf.table;
    if (!table || !data) return;
    var head = document.createElement("tr");
    data.headers.forEach(function (text) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      head.appendChild(th);
    });
    table.tHead.replaceChildren(head);
    var rows = data.rows.map(function (row) {
      var tr = document.createElement("tr");
      row.forEach(function (cell) {
        var td = document.createElement("td");
        if (cell.href && cell.href.charAt(0) === "/" && cell.href.charAt(1) !== "/") {
          var a = document.createElement("a");
          a.href = cell.href;
          a.textContent = cell.text;
          td.appendChild(a);
        } else {
          td.textContent = cell.text;
        }
        tr.appendChild(td);
      });
      return tr;
    });
    table.tBodies[0].replaceChildren.apply(table.tBodies[0], rows);
    var count = figure.querySelector(".chart-data .chart-rows");
    if (count) count.textContent = String(data.rows.length);
  }

  function switchViews(nav) {
    var table = document.getElementById("result-table");
    var figure = document.getElementById("result-chart");
    if (!table || !figure) return;
    nav.querySelectorAll("a[data-view]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        var diagram = link.dataset.view === "diagram";
        table.hidden = diagram;
        figure.hidden = !diagram;
        nav.querySelectorAll("a[data-view]").forEach(function (other) {
          if (other === link) other.setAttribute("aria-current", "page");
          else other.removeAttribute("aria-current");
        });
        history.replaceState(null, "", link.getAttribute("href"));
        if (diagram) draw(figure);
      });
    });
  }

  function chooser(form) {
    var figure = document.getElementById(form.dataset.chart);
    form.addEventListener("submit", function (event) {
      var params = new URLSearchParams(new FormData(form));
      params.set("diagram", "spec");
      var wanted = form.getAttribute("action") + "?" + params.toString();
      event.preventDefault();
      fetch(wanted, { headers: { accept: "application/json" } }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (spec) {
        document.getElementById(figure.dataset.spec).textContent = JSON.stringify(spec);
        params.set("diagram", "1");
        var page = form.getAttribute("action") + "?" + params.toString();
        history.replaceState(null, "", page);
        figure.querySelectorAll(".chart-downloads a").forEach(function (link, index) {
          params.set("diagram", index === 0 ? "svg" : "png");
          link.setAttribute("href", form.getAttribute("action") + "?" + params.toString());
        });
        var alt = figure.querySelector(".chart-alt");
        if (alt) alt.textContent = spec.description || "";
        fillTable(figure, spec);
        return draw(figure, true);
      }).catch(function () { form.submit(); });   // the page says why, in a sentence
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("nav.views").forEach(switchViews);
    document.querySelectorAll("form.chart-choice").forEach(chooser);
    document.querySelectorAll("figure.chart[data-spec]").forEach(function (figure) {
      if (!figure.hidden) draw(figure);
    });
  });
})();
