"""A deployment's configuration files: JOINEDUP_CONFIG_DIR first, packaged defaults second."""
