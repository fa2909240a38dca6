"""Jinja2 templates of the e-mail notice (package data: ``notice.txt.j2``, ``notice.html.j2``)."""
