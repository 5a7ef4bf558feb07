{% include "partials/embed.js" %}
{% include "partials/anchors.js" %}
{% include "partials/head_panel.js" %}
