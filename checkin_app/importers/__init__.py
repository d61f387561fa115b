"""Registration import: reading CSV/XLSX, recognising headers, normalising values, validating rows."""
