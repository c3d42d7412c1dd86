"""The pure domain of the thresholds service: calendar, rules, per-child state, evaluation.

Nothing here imports faust or aiokafka, reads the environment or the wall clock.
"""
