{% include "partials/embed.js" %}
{% include "partials/anchors.js" %}
