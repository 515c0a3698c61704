// The few page actions that used to be inline onclick handlers, which the Content-Security-Policy
// (script-src 'self') does not run: a confirmation before a form is sent (data-confirm), a
// check-all box (data-check-all="<name of the boxes>"), "set the unanswered lines to pass" on a
// visit (data-fill-pass) and a print button (data-print).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm], [data-check-all], [data-fill-pass], [data-print]");
    if (!el) { return; }
    if (el.hasAttribute("data-confirm") && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
    if (el.hasAttribute("data-check-all")) {
      var name = el.getAttribute("data-check-all");
      document.querySelectorAll("input[name='" + name + "']").forEach(function (box) { box.checked = el.checked; });
    }
    if (el.hasAttribute("data-fill-pass")) {
      document.querySelectorAll(".visit-line").forEach(function (line) {
        if (!line.querySelector("input[type=radio]:checked")) { line.querySelector("input[value=pass]").checked = true; }
      });
    }
    if (el.hasAttribute("data-print")) { window.print(); }
  });
})();
