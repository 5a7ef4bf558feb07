// The per-head panel: a click on a head in any heatmap or score map, the "Head" box of the
// controls, or a link to #L12H5 opens it with that head's score and rank in every relation, its
// categories and the rule that made them, and its KV group. Only the hash changes: no storage,
// no request, so it works from file://, in a notebook's frame and in a tracker's artifact view.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent).heads;
  var panel = document.getElementById("head-panel");
  if (!data || !panel) return;
  var HASH = /^#?L(\d+)H(\d+)$/i;

  function headOf(text) {
    var m = HASH.exec(String(text || "").trim());
    if (!m) return null;
    var layer = parseInt(m[1], 10), head = parseInt(m[2], 10);
    return layer < data.nLayers && head < data.nHeads ? { layer: layer, head: head } : null;
  }

  function rankOf(scores, value) {
    var higher = 0, scored = 0;
    for (var i = 0; i < scores.length; i++) {
      if (scores[i] === null) continue;
      scored++;
      if (scores[i] > value) higher++;
    }
    return { rank: higher + 1, of: scored };
  }

  function cell(row, text, header) {
    var c = document.createElement(header ? "th" : "td");
    if (header) c.scope = "row";
    c.textContent = text;
    row.appendChild(c);
  }

  function relationTable(index) {
    var table = document.createElement("table");
    var caption = document.createElement("caption");
    caption.textContent = "Score and rank in every relation (rank 1 is the highest; tied heads share a rank)";
    table.appendChild(caption);
    var head = table.createTHead().insertRow();
    ["relation", "category", "score", "rank", "kept"].forEach(function (t) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = t;
      head.appendChild(th);
    });
    var body = table.createTBody();
    data.relations.forEach(function (name, r) {
      var row = body.insertRow();
      var value = data.scores[r][index];
      cell(row, name, true);
      cell(row, data.relationCategories[r].join(", "));
      if (value === null) {
        cell(row, "no score"); cell(row, "–"); cell(row, "–");
        return;
      }
      var rank = rankOf(data.scores[r], value);
      cell(row, String(value));
      cell(row, rank.rank + " of " + rank.of);
      cell(row, data.kept[r].indexOf(index) >= 0 ? "yes" : "no");
    });
    return table;
  }

  function paragraph(text) {
    var p = document.createElement("p");
    p.textContent = text;
    return p;
  }

  function show(found, focus) {
    var index = found.layer * data.nHeads + found.head;
    var id = "L" + found.layer + "H" + found.head;
    var categories = data.categories.filter(function (_, c) { return data.members[c].indexOf(index) >= 0; });
    document.getElementById("head-panel-title").textContent = "Head " + id + " (layer " + found.layer + ", head " + found.head + ")";
    var body = document.getElementById("head-panel-body");
    body.replaceChildren();
    body.appendChild(paragraph("Categories: " + (categories.length ? categories.join(", ") : "none (unclassified)") + "."));
    body.appendChild(paragraph("Rule: " + data.rule));
    if (data.kvSize) {
      var group = Math.floor(found.head / data.kvSize);
      body.appendChild(paragraph("Key/value group " + group + " of layer " + found.layer + " (heads " + group * data.kvSize +
        "–" + ((group + 1) * data.kvSize - 1) + " share it)."));
    }
    if (data.relations.length) body.appendChild(relationTable(index));
    var link = document.getElementById("head-panel-link");
    link.href = "#" + id;
    link.textContent = "Link to " + id;
    panel.hidden = false;
    panel.dataset.head = id;
    if (focus) document.getElementById("head-panel-title").focus();
  }

  function open(found, focus) {
    if (!found) return;
    var id = "#L" + found.layer + "H" + found.head;
    // Setting the hash to the same value fires no hashchange: show it here either way.
    if (window.location.hash !== id) {
      try { window.history.replaceState(null, "", id); } catch (e) { /* a sandboxed frame may refuse: keep the page */ }
    }
    show(found, focus);
  }

  // The head under a click: a head's own rect carries it; a panel's background (and a score map's image)
  // covers the whole grid, so the head is read from where the pointer fell in it.
  function headAt(view, event, item) {
    var d = item && item.datum;
    if (!d) return null;
    var layer = "layer" in d ? d.layer : d.l, head = "head" in d ? d.head : d.h;
    var end = "layer_end" in d ? d.layer_end : d.l_end;
    if (typeof layer !== "number" || typeof head !== "number") return null;
    if (end - layer === 1) return { layer: layer, head: head };
    if (!item.width || !item.height || typeof event.clientX !== "number") return null;
    var at = pointIn(view, event, item);
    var l = Math.floor(at[0] / item.width * data.nLayers), h = Math.floor(at[1] / item.height * data.nHeads);
    return l >= 0 && l < data.nLayers && h >= 0 && h < data.nHeads ? { layer: l, head: h } : null;
  }

  // The pointer relative to the item's top-left corner: the canvas, the view's origin, every enclosing group.
  function pointIn(view, event, item) {
    var box = view.container().querySelector("canvas").getBoundingClientRect();
    var origin = view.origin();
    var x = event.clientX - box.left - origin[0] - (item.x || 0), y = event.clientY - box.top - origin[1] - (item.y || 0);
    for (var g = item.mark.group; g; g = g.mark && g.mark.group) {
      x -= g.x || 0;
      y -= g.y || 0;
    }
    return [x, y];
  }

  var GRIDS = { heatmaps: true, "score-maps": true, "kv-groups": false };
  document.addEventListener("reporter:drawn", function (event) {
    var view = window.reporterViews[event.detail.slug];
    if (!view || !GRIDS[event.detail.slug]) return;
    view.addEventListener("click", function (e, item) { open(headAt(view, e, item), false); });
  }, listening);

  var form = document.getElementById("head-pick");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = document.getElementById("head-pick-id");
      var found = headOf(input.value);
      input.setCustomValidity(found ? "" : "Write a head as L12H5, within " + data.nLayers + " layers and " + data.nHeads + " heads");
      input.reportValidity();
      open(found, true);
    });
  }
  document.getElementById("head-panel-close").addEventListener("click", function () {
    panel.hidden = true;
    delete panel.dataset.head;
    try { window.history.replaceState(null, "", window.location.pathname + window.location.search); } catch (e) { /* ignore */ }
  });
  // In a srcdoc or sandboxed frame "#L12H5" would resolve against the host's address: stay on the page.
  document.getElementById("head-panel-link").addEventListener("click", function (event) {
    event.preventDefault();
    open(headOf(panel.dataset.head), false);
  });
  window.addEventListener("hashchange", function () { var f = headOf(window.location.hash); if (f) show(f, false); }, listening);
  var start = headOf(window.location.hash);
  if (start) show(start, false);
})();
