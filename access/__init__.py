"""Who may do what: roles, the host-access policy, sign-in throttling and open sessions."""
