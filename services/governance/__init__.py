"""Who may do what on the cluster: principals, ACLs, SCRAM users and topics, all as data."""
