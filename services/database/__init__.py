"""PostgreSQL for the audit index: settings, the local server, migrations, month partitions."""
