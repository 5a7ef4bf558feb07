// Embeds every figure from the page's own data: no network, no storage.
// Figures are separate Vega views; this script links them through two
// top-level signals every figure may declare (charts/interaction.py):
//   highlight    a category or legend label, '' for none
//   layer_range  [lo, hi) in layers, [] for all layers
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("report-data").textContent);
  var darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
  // The Vega views by figure slug, for scripts on this page and for tests.
  var views = (window.reporterViews = {});
  var state = { highlight: "", range: [] };
  var status = document.getElementById("controls-status");

  // Deep-merge plain objects: b's values win (used for the dark config).
  function merge(a, b) {
    var out = Object.assign({}, a);
    Object.keys(b).forEach(function (k) {
      var both = a && typeof a[k] === "object" && !Array.isArray(a[k]) && typeof b[k] === "object";
      out[k] = both ? merge(a[k], b[k]) : b[k];
    });
    return out;
  }

  function specFor(slug, dark) {
    var spec = Object.assign({}, payload.specs[slug], { datasets: payload.datasets });
    if (dark) spec.config = merge(spec.config || {}, payload.dark);
    return spec;
  }

  function hasSignal(view, name) {
    try { view.signal(name); return true; } catch (e) { return false; }
  }

  function sameRange(a, b) {
    return a.length === b.length && a.every(function (v, i) { return v === b[i]; });
  }

  // Only a changed signal is set: setting one re-evaluates the opacity of every
  // mark that uses it, and a new [] is a change to Vega even when nothing changed.
  function apply(view) {
    var changed = false;
    if (hasSignal(view, "highlight") && view.signal("highlight") !== state.highlight) {
      view.signal("highlight", state.highlight);
      changed = true;
    }
    if (hasSignal(view, "layer_range") && !sameRange(view.signal("layer_range"), state.range)) {
      view.signal("layer_range", state.range);
      changed = true;
    }
    if (changed) view.runAsync();
  }

  function applyAll() {
    Object.keys(views).forEach(function (slug) { apply(views[slug]); });
    describe();
  }

  function describe() {
    document.querySelectorAll("button.pick").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.highlight === state.highlight));
    });
    var lo = document.getElementById("range-lo"), hi = document.getElementById("range-hi");
    if (lo && hi) {
      lo.value = state.range.length ? Math.ceil(state.range[0]) : "";
      hi.value = state.range.length ? Math.ceil(state.range[1]) - 1 : "";
    }
    if (!status) return;
    var parts = [];
    if (state.highlight) parts.push("Highlighting " + state.highlight + ".");
    if (state.range.length) parts.push("Layers " + lo.value + "–" + hi.value + " in full colour; others dimmed.");
    status.textContent = parts.join(" ");
  }

  function setHighlight(label) {
    state.highlight = label || "";
    applyAll();
  }

  function setRange(range) {
    var ok = range && range.length === 2 && range[1] > range[0];
    state.range = ok ? [range[0], range[1]] : [];
    applyAll();
  }

  // Legend clicks (heatmaps) and the brush (layer profile) feed the shared state.
  function listen(view) {
    if (hasSignal(view, "legend_pick")) {
      view.addSignalListener("legend_pick", function (_, value) {
        setHighlight(value && value.label && value.label.length ? value.label[0] : "");
      });
    }
    if (hasSignal(view, "layer_brush")) {
      view.addSignalListener("layer_brush", function (_, value) {
        setRange(value && value.layer ? value.layer : []);
      });
    }
  }

  // The text alternative moves from the container to the drawing itself, so the
  // export menu beside it stays an ordinary, named control (not inside an image).
  function label(el, slug) {
    if (!el.dataset.alt) el.dataset.alt = el.getAttribute("aria-label") || slug;
    el.removeAttribute("role");
    el.removeAttribute("aria-label");
    var drawing = el.querySelector("canvas, svg");
    if (drawing) {
      drawing.setAttribute("role", "img");
      drawing.setAttribute("aria-label", el.dataset.alt);
    }
    var menu = el.querySelector("details > summary");
    if (menu) menu.setAttribute("aria-label", "Export this figure as an image");
  }

  function embed(el) {
    var slug = el.dataset.figure;
    var dark = darkQuery.matches;
    var options = {
      renderer: "canvas",
      ast: true,  // vega-embed's expression interpreter: no eval, so the CSP can forbid it
      actions: { export: true, source: false, compiled: false, editor: false },
      tooltip: { theme: dark ? "dark" : "light" }
    };
    if (views[slug]) views[slug].finalize();
    return window.vegaEmbed(el, specFor(slug, dark), options).then(function (result) {
      views[slug] = result.view;
      label(el, slug);
      listen(result.view);
      apply(result.view);
      el.dataset.theme = dark ? "dark" : "light";
      el.dataset.rendered = "true";
    }).catch(function (error) {
      el.dataset.rendered = "error";
      el.textContent = "This figure could not be drawn: " + error.message;
      console.error(error);
    });
  }

  // Print: a static light SVG per figure, drawn once by a view that is never attached.
  // (The inline bundle exposes only vegaEmbed, so the view comes from vegaEmbed too.)
  function drawPrintImage(holder) {
    var spec = specFor(holder.dataset.printFor, false);
    var options = { renderer: "none", ast: true, actions: false };
    return window.vegaEmbed(document.createElement("div"), spec, options).then(function (result) {
      return result.view.toSVG().then(function (svg) {
        result.finalize();
        var img = document.createElement("img");
        img.alt = "";  // the figure's text alternative is on its chart and caption
        img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
        holder.replaceChildren(img);
      });
    });
  }

  function embedAll() {
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    return Promise.all(charts.map(embed));
  }

  document.querySelectorAll("button.pick").forEach(function (b) {
    b.addEventListener("click", function () {
      setHighlight(b.dataset.highlight === state.highlight ? "" : b.dataset.highlight);
    });
  });
  ["range-lo", "range-hi"].forEach(function (id) {
    var input = document.getElementById(id);
    if (!input) return;
    input.addEventListener("change", function () {
      var lo = parseInt(document.getElementById("range-lo").value, 10);
      var hi = parseInt(document.getElementById("range-hi").value, 10);
      if (isNaN(lo) || isNaN(hi)) return;
      setRange([Math.min(lo, hi), Math.max(lo, hi) + 1]);
    });
  });
  var clear = document.getElementById("range-clear");
  if (clear) clear.addEventListener("click", function () { setRange([]); });

  embedAll().then(function () {
    var holders = Array.prototype.slice.call(document.querySelectorAll("[data-print-for]"));
    return Promise.all(holders.map(drawPrintImage));
  }).then(function () {
    document.body.dataset.printReady = "true";
  }).catch(function (error) {
    console.error(error);
  });
  // The shared highlight / layer-range state, for the browser console and the page tests.
  window.reporterState = state;
  // Follow a change of the system colour scheme without reloading.
  darkQuery.addEventListener("change", embedAll);
})();
