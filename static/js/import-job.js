// The page of an import job (templates/core/import_job.html): polls the job's state every second,
// moves the progress bar, and reloads the page once the job is finished (the server then shows the
// preview or the result, or the failure). A file, not an inline script: the CSP is default-src 'self'.
(function () {
  "use strict";
  var card = document.querySelector("[data-job-status]");
  if (!card || card.getAttribute("data-job-state") === "done" || card.getAttribute("data-job-state") === "failed") {
    return;
  }
  var bar = card.querySelector("[data-job-bar]");
  var label = card.querySelector("[data-job-label]");
  var rows = card.querySelector("[data-job-rows]");
  function poll() {
    fetch(card.getAttribute("data-job-status"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 3000); return; }
        if (job.finished) { window.location.reload(); return; }
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        label.textContent = job.state_label;
        rows.textContent = job.rows_total ? "已处理 " + job.rows_done + " / " + job.rows_total + " 行" : "";
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
