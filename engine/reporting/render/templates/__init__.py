"""Jinja2 templates of the HTML report (a package only so that installs ship its *.j2 files)."""
