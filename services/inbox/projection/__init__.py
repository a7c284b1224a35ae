"""The inbox read models, projected from the log."""
