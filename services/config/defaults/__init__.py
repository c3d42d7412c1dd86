"""The packaged default of every configuration file (the example authority, Exampleshire)."""
