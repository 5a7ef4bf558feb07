"""Pages: Jinja2 rendering of the report, overview and diff pages, their alt text and data tables."""
