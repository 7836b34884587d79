/* 重新训练: while a job runs, ask for its progress every second and show it (as text, never as
 * HTML); reload the page when it has finished, to show the results and the activate button. */
(function () {
  "use strict";

  function show(job) {
    var bar = document.getElementById("retrain-progress");
    if (bar) {
      bar.max = job.steps;
      bar.value = job.step;
    }
    var message = document.getElementById("retrain-message");
    if (message) { message.textContent = job.message; }
    var log = document.getElementById("retrain-log");
    if (log) {
      log.replaceChildren.apply(log, job.log.map(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        return item;
      }));
    }
  }

  function poll(region) {
    var url = region.getAttribute("data-status-url");
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        var job = body && body.job;
        if (job && job.state !== "running") { window.location.replace(window.location.pathname); return; }
        if (job) { show(job); }
        window.setTimeout(function () { poll(region); }, 1000);
      })
      .catch(function () { window.setTimeout(function () { poll(region); }, 3000); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("retrain-status");
    if (region && region.getAttribute("data-state") === "running") { poll(region); }
  });
})();
