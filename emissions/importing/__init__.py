"""Reading activity spreadsheets (the import template's contract) safely."""
