"""Vega: the vl-convert runtime, in a helper process when one runs, that draws specs to SVG/PNG/PDF and builds the JavaScript bundle."""
