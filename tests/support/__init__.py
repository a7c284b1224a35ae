"""Test helpers: real servers started and stopped by the tests, and small utilities."""
