"""Cloud tag writers: the only remediation code that talks to clouds (one module per cloud)."""
