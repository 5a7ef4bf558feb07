"""Output: the documents (summary JSON, CSV), the atomic site writer, the single file and the exporter."""
