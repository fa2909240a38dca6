"""tagwarden.iac_checks: infrastructure-as-code files -> the resource model."""
