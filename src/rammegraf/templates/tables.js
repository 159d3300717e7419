/* Sortable tables: a <th> holding <button data-col="N"> sorts its table by column N
   (add data-numeric to sort numbers). Shared by the graph page and the web app. */
(function () {
  "use strict";
  function sortable(table, lang) {
    table.querySelectorAll("th button[data-col]").forEach(function (button) {
      button.addEventListener("click", function () {
        var col = Number(button.getAttribute("data-col"));
        var numeric = button.hasAttribute("data-numeric");
        var th = button.parentNode;
        var asc = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var tbody = table.tBodies[0];
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].textContent, y = b.cells[col].textContent;
          var r = numeric ? Number(x) - Number(y) : x.localeCompare(y, lang || "da");
          return asc ? r : -r;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      });
    });
  }
  window.rammegrafSortable = sortable;
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(function (t) {
      sortable(t, document.documentElement.lang);
    });
  });
})();
