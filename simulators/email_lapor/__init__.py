"""Local stand-in for the Email Lapor mailbox: a real IMAP server (pymap) fed by the scenario."""

from simulators.email_lapor.server import ImapStandIn, free_port

__all__ = ["ImapStandIn", "free_port"]
