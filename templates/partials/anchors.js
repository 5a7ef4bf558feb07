// In-page links ("see figure") scroll by script. Inside a srcdoc or sandboxed iframe (notebooks,
// MLflow's and W&B's artifact views) "#id" resolves against the host's address, so following the
// link would navigate the frame away from the report (or be refused for file:// pages).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) {
      return;
    }
    event.preventDefault();
    target.scrollIntoView({ block: "start" });
  });
})();
