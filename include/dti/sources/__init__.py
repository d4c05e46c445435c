"""Readers of agency data, one module per source kind. Sources read; they never write."""
