"""The registry's pure domain: subjects, versions, ids, compatibility levels."""
