"""Placeholder: filled by its part of issue 16."""
