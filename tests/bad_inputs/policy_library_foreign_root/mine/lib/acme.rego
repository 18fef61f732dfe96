package acme.helpers

shout(s) := upper(s)
