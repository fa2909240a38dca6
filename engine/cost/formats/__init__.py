"""Billing file formats, one module each behind ``interface.BillingFormat``, listed in ``registry``."""
