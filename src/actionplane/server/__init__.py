"""The HTTP server: the plane for a fleet of services, one project per API key."""
