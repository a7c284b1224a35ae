"""JSON API."""
routes: list = []
