"""Policy data of the consent domain (YAML code lists with their sources)."""
