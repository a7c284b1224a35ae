"""Settings pages (admins)."""
routes: list = []
