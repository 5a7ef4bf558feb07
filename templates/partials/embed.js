// Embeds every figure from the page's own data: no network, no storage.
// Figures are separate Vega views; this script links them through two
// top-level signals every figure may declare (charts/interaction.py):
//   highlight    a category or legend label, '' for none
//   layer_range  [lo, hi) in layers, [] for all layers
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("report-data").textContent);
  var darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
  var root = document.documentElement;
  // data-theme "light" or "dark" is set by whoever shows the page (a notebook); otherwise the system's.
  function isDark() {
    var theme = root.dataset.theme;
    return theme === "dark" || (theme !== "light" && darkQuery.matches);
  }
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

  // In dark mode the neutral colours written into a spec (the light gray of unclassified heads, the
  // page white, the ink of rules) become their dark twins (charts/theme.py dark_colors).
  // All at once, so that two colours can trade places.
  function darkened(spec) {
    var swaps = payload.darkColors;
    return JSON.parse(JSON.stringify(spec).replace(/"(#[0-9a-f]{6})"/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(swaps, name) ? '"' + swaps[name] + '"' : whole;
    }));
  }

  function specFor(slug, dark) {
    var spec = dark ? darkened(payload.specs[slug]) : JSON.parse(JSON.stringify(payload.specs[slug]));
    if (dark) spec.config = merge(spec.config || {}, payload.dark);
    spec.datasets = payload.datasets;
    return spec;
  }

  // Fitting a figure to its box (charts/compose.py fit_grid, fit_stretch): a grid of panels takes as
  // many columns as fit, and shrinks its panels when one column is too wide; rows stretch to fill the
  // box; any other figure shrinks when too wide. A first guess from the spec's hints, then corrected
  // from the drawn width (a figure is drawn at most a few times, and only when the guess was off).
  var VIEW_KEYS = ["layer", "concat", "hconcat", "vconcat"];
  var ACTIONS_ROOM = 38;

  function resized(spec, fx, fy) {
    var out = Object.assign({}, spec);
    if (typeof out.width === "number") out.width = Math.max(40, Math.round(out.width * fx));
    if (typeof out.height === "number") out.height = Math.max(30, Math.round(out.height * fy));
    VIEW_KEYS.forEach(function (key) {
      if (Array.isArray(out[key])) out[key] = out[key].map(function (s) { return resized(s, fx, fy); });
    });
    return out;
  }

  function firstGuess(spec, fit, room) {
    if (fit.kind === "grid") {
      spec.columns = Math.max(1, Math.min(fit.panels, Math.floor((room - fit.extra + 18) / fit.step)));
      return spec;
    }
    return fit.kind === "stretch" ? resized(spec, Math.min(fit.max, room - 160) / fit.width, 1) : spec;
  }

  // The next try, or null when the drawn width is right.
  function nextTry(spec, fit, room, drawn, tries) {
    var over = drawn > room + 1;
    var width = fit.width || drawn;
    var inner = Math.max(40, width - (drawn - room));  // the plot width that would fit exactly
    if (fit.kind === "grid" && over && spec.columns > 1) {
      return Object.assign({}, spec, { columns: spec.columns - 1 });
    }
    // One row with room to spare: larger panels (only the panels grow, so the row still fits).
    if (fit.kind === "grid" && tries === 0 && !over && spec.columns === fit.panels && fit.grow > 1) {
      var grow = Math.min(fit.grow, 1 + (room - drawn - 4) / (fit.panels * fit.width));
      if (grow > 1.05) return resized(spec, grow, grow);
    }
    if (fit.kind === "stretch" && (over || room - drawn > 24) && tries < 3) {
      var current = firstWidth(spec);
      var target = Math.min(fit.max, Math.max(40, current + room - drawn - 2));
      return Math.abs(target - current) > 4 ? resized(spec, target / current, 1) : null;
    }
    if (over && tries < 8) {
      var current2 = firstWidth(spec) || width;
      var f = Math.min(0.95, Math.max(0.2, (current2 - (drawn - room) - 2) / current2));
      return resized(spec, f, f);
    }
    return null;
  }

  function firstWidth(spec) {
    if (typeof spec.width === "number") return spec.width;
    for (var i = 0; i < VIEW_KEYS.length; i++) {
      var parts = spec[VIEW_KEYS[i]];
      if (Array.isArray(parts)) {
        var widths = parts.map(firstWidth).filter(function (w) { return w; });
        if (widths.length) return Math.max.apply(null, widths);
      }
    }
    return 0;
  }

  function drawnWidth(el) {
    var drawing = el.querySelector("canvas, svg");
    return drawing ? drawing.getBoundingClientRect().width : 0;
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

  function draw(el, slug, spec, dark) {
    var options = {
      renderer: "canvas",
      ast: true,  // vega-embed's expression interpreter: no eval, so the CSP can forbid it
      actions: { export: true, source: false, compiled: false, editor: false },
      tooltip: { theme: dark ? "dark" : "light" }
    };
    if (views[slug]) views[slug].finalize();
    return window.vegaEmbed(el, spec, options).then(function (result) {
      views[slug] = result.view;
      return result;
    });
  }

  function drawFitted(el, slug, spec, fit, room, dark, tries) {
    return draw(el, slug, spec, dark).then(function () {
      var next = nextTry(spec, fit, room, drawnWidth(el), tries);
      return next ? drawFitted(el, slug, next, fit, room, dark, tries + 1) : null;
    });
  }

  function embed(el) {
    var slug = el.dataset.figure;
    var dark = isDark();
    var box = el.parentElement.clientWidth;  // the figure box: vega-embed makes the chart itself inline-block
    // The export menu (vega-embed's "..." button, 28 px and its margin) sits at the top right of the chart:
    // a drawing as wide as the box ran under it, over a legend or a panel.
    var room = box - ACTIONS_ROOM;
    var spec = specFor(slug, dark);
    var fit = (spec.usermeta && spec.usermeta.fit) || { kind: "shrink" };
    el.dataset.rendered = "";
    return drawFitted(el, slug, firstGuess(spec, fit, room), fit, room, dark, 0).then(function () {
      var view = views[slug];
      label(el, slug);
      listen(view);
      apply(view);
      el.dispatchEvent(new CustomEvent("reporter:drawn", { bubbles: true, detail: { slug: slug } }));  // head_panel.js
      el.dataset.theme = dark ? "dark" : "light";
      el.dataset.fitWidth = String(box);
      el.dataset.rendered = "true";
      tellHost();
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
    if (listening.signal.aborted) return null;  // another page is shown now (pages.js)
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
  darkQuery.addEventListener("change", embedAll, listening);

  // A new width refits the figures whose box changed (after the resizing settles).
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      document.querySelectorAll("[data-figure]").forEach(function (el) {
        if (el.dataset.rendered && el.dataset.fitWidth !== String(el.parentElement.clientWidth)) embed(el);
      });
    }, 150);
  }, listening);

  // Shown in a host's frame (a notebook): tell it the page's height so the frame fits its content,
  // and take the host's theme when it sends one. Nothing else is exchanged.
  function tellHost() {
    if (window.parent === window) return;
    // The content's own height: scrollHeight would be at least the frame's, and grow with it.
    window.parent.postMessage({ reporterHeight: document.documentElement.getBoundingClientRect().height }, "*");
  }
  window.addEventListener("message", function (event) {
    var theme = event.data && event.data.reporterTheme;
    if (event.source !== window.parent || (theme !== "light" && theme !== "dark")) return;
    if (root.dataset.theme !== theme) {
      root.dataset.theme = theme;
      embedAll();
    }
  }, listening);
  window.addEventListener("load", tellHost, listening);
  // A page shown in place of this one (pages.js) ends these views.
  listening.signal.addEventListener("abort", function () {
    clearTimeout(resizing);
    Object.keys(views).forEach(function (slug) { views[slug].finalize(); });
  });
})();
