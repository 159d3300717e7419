/* Every page: "/" focuses the search box, and the box suggests resources as you type
   (a combobox: arrow keys move, Enter opens, Escape closes). Labels from the data
   reach the DOM only through textContent. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("site-q");
    var list = document.getElementById("site-q-list");
    if (!input || !list) return;
    var lang = document.documentElement.lang === "en" ? "&lang=en" : "";
    var options = [], active = -1, timer = null, asked = "";

    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      options.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
      else input.removeAttribute("aria-activedescendant");
    }

    function show(results) {
      list.textContent = "";
      options = results.filter(function (r) { return r.href; }).map(function (r, i) {
        var li = document.createElement("li");
        li.id = "site-q-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.href = r.href;
        var name = document.createElement("span");
        name.textContent = r.label;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = r.kind_label + (r.phase ? " · " + r.phase : "");
        li.appendChild(name);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          window.location.href = li.dataset.href;
        });
        list.appendChild(li);
        return li;
      });
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }

    function ask() {
      var text = input.value.trim();
      if (text === asked) return;
      asked = text;
      if (text.length < 2) { close(); return; }
      fetch("/sok?format=json&limit=8&q=" + encodeURIComponent(text) + lang, { headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (answer) { if (input.value.trim() === text) show(answer.results || []); })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && options.length) {
        event.preventDefault();
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        mark((active + 1) % options.length);
      } else if (event.key === "ArrowUp" && options.length) {
        event.preventDefault();
        mark(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault();
        window.location.href = options[active].dataset.href;
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });
})();

// A named query's parameter with too many resources for a list in the page (or of any
// kind): the search's suggestions fill the field's list as one types (data-suggest holds
// the kinds to offer, empty for any); the value is the resource's path (udvalg/dassos).
(function () {
  var lists = 0;
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), function (input) {
    var kinds = input.getAttribute("data-suggest").split(" ").filter(Boolean);
    var list = document.createElement("datalist");
    var timer = null, asked = "";
    list.id = "suggest-" + input.name + "-" + (++lists);
    input.parentNode.insertBefore(list, input.nextSibling);
    input.setAttribute("list", list.id);
    function ask() {
      var text = input.value.trim();
      if (text.length < 3 || text === asked) return;
      asked = text;
      fetch("/sok?format=json&limit=" + (kinds.length ? 50 : 20) + "&q=" + encodeURIComponent(text),
            { headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (answer) {
          while (list.firstChild) list.removeChild(list.firstChild);
          (answer.results || []).forEach(function (hit) {
            var kind = (hit.kind || "").replace(/.*[#/]/, "");
            if (kinds.length && kinds.indexOf(kind) < 0) return;
            var option = document.createElement("option");
            option.value = hit.iri.replace("https://w3id.org/rammegraf/id/", "");
            option.textContent = hit.label + (hit.kind_label ? " · " + hit.kind_label : "");
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 150); });
  });
})();
