"""Harmonisation (model.md §4): accepted records -> harmonised trajectories.

supersede -> merge (linking + connected components) -> trajectories (authoritative
record, fields, output tables); aftercare_events dedupes the nazorg events.
"""
