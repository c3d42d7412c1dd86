"""`joinedup demo`: the whole bus on embedded defaults, driven as its users would."""
