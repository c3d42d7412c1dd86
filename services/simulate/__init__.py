"""`joinedup simulate`: a synthetic authority on the bus, checked against its own expectation.

docs/simulate.md says what it models, where its rates come from and how the
expectation is checked.
"""
