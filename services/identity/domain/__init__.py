"""Pure identity rules: identifier formats, check digits, child_ref derivation, links."""
