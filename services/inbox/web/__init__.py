"""The web entrypoints: pages, the JSON API and live updates."""
