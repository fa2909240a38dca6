"""IaC fixes (`tagwarden fix`): check results -> per-block tag fixes -> text edits, one writer per file format."""
