// Embeds every figure from the page's own data: no network, no storage.
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("report-data").textContent);
  // The Vega views by figure slug, for scripts on this page and for tests.
  var views = (window.reporterViews = {});
  var options = {
    renderer: "canvas",
    ast: true,  // vega-embed's expression interpreter: no eval, so the CSP can forbid it
    actions: { export: true, source: false, compiled: false, editor: false },
    tooltip: { theme: "light" }
  };
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    var spec = Object.assign({}, payload.specs[el.dataset.figure], { datasets: payload.datasets });
    window.vegaEmbed(el, spec, options).then(function (result) {
      views[el.dataset.figure] = result.view;
      el.dataset.rendered = "true";
    }).catch(function (error) {
      el.dataset.rendered = "error";
      el.textContent = "This figure could not be drawn: " + error.message;
      console.error(error);
    });
  });
})();
