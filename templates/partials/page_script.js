(function () {
  "use strict";
  // One page's scripts, run by start(); a single-file site (pages.js) runs them again for each page it shows,
  // after ending the last run: its window and document listeners go with its AbortController.
  var running = null;
  function start() {
    if (running) running.abort();
    running = new AbortController();
    var listening = { signal: running.signal };
{% include "partials/embed.js" %}
{% include "partials/anchors.js" %}
{% include "partials/head_panel.js" %}
  }
{% include "partials/pages.js" %}
})();
