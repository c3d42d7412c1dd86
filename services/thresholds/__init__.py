"""Thresholds: per-child rules over the event stream that raise alerts to duty teams."""
