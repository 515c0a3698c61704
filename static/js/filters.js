// Filter forms (templates/_filter_form.html): choosing a county or a town reloads the list with it,
// so the next level's choices (the county's towns, the town's communities) are there at once
// instead of after a 查询 click. The levels below the changed one are cleared.
(function () {
  "use strict";
  var below = { county: ["town", "community"], town: ["community"] };
  document.addEventListener("change", function (event) {
    var select = event.target;
    var form = select.form;
    if (!form || !form.classList.contains("filter-form") || !below[select.name]) { return; }
    var next = below[select.name].filter(function (name) { return form.elements[name]; });
    if (!next.length) { return; }
    next.forEach(function (name) { form.elements[name].value = ""; });
    form.submit();
  });
})();
