"""What the stand-ins share: the HTTP server every HTTP stand-in runs on (see ``http``)."""
