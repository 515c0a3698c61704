// Phone cards (static/css/app.css, table.table-cards): each cell without a data-label gets its
// column's header text, so the card shows "状态  整改中" and not a bare value; and a tap anywhere on
// a card that is not itself a link, button or field opens the row's own link (its detail page).
(function () {
  "use strict";
  function headers(table) {
    var rows = table.tHead ? table.tHead.rows : [];
    if (!rows.length) { return []; }
    // the last header row names the columns (the first may group them, as in the statistics table)
    var names = [];
    Array.prototype.forEach.call(rows[rows.length - 1].cells, function (cell) {
      var span = cell.colSpan || 1;
      for (var i = 0; i < span; i++) { names.push(cell.textContent.trim()); }
    });
    return names;
  }
  function label(table) {
    var names = headers(table);
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && names[column] && cell.colSpan < names.length) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan || 1;
        });
        // the row's own link: one marked data-card-link, or a link in its first two cells (the key
        // column, after a selection box); a link further along (a case cited by a credit event)
        // is not what the row is
        var link = row.querySelector("a[data-card-link][href]") ||
          row.querySelector(":scope > td:nth-child(-n+2) a[href], :scope > th:nth-child(-n+2) a[href]");
        if (link && !row.hasAttribute("data-card-href")) { row.setAttribute("data-card-href", link.getAttribute("href")); }
      });
    });
  }
  function labelAll(root) {
    (root || document).querySelectorAll("table.table-cards").forEach(label);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { labelAll(document); });
  } else {
    labelAll(document);
  }
  // lists that htmx swaps in
  document.addEventListener("htmx:afterSwap", function (event) { labelAll(event.target); });
  document.addEventListener("click", function (event) {
    if (window.innerWidth >= 576) { return; }
    var row = event.target.closest("table.table-cards tr[data-card-href]");
    if (!row || event.target.closest("a, button, input, select, textarea, label, summary")) { return; }
    window.location.assign(row.getAttribute("data-card-href"));
  });
})();
