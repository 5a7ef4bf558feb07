// In-page links ("see figure") scroll by script. Inside a srcdoc or sandboxed iframe (notebooks,
// MLflow's and W&B's artifact views) "#id" resolves against the host's address, so following the
// link would navigate the frame away from the report (or be refused for file:// pages).
(function () {
  "use strict";
  // Anchored figures scroll to just below the sticky controls (style.css scroll-margin-top).
  var controls = document.getElementById("controls");
  function measure() {
    var sticky = controls && getComputedStyle(controls).position === "sticky";
    document.documentElement.style.setProperty("--sticky-height", (sticky ? controls.offsetHeight : 0) + "px");
  }
  measure();
  window.addEventListener("resize", measure, listening);
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
    measure();
    target.scrollIntoView({ block: "start" });
  }, listening);
})();
