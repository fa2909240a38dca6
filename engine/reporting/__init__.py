"""The governance report: built from the store and billing (build.py), rendered to HTML, CSV, JSON (render/)."""
