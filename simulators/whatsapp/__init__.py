"""Local stand-in for WhatsApp Business: the product's webhook receiver fed with signed
deliveries, plus a BSP-style export of the older history (see ``stand_in`` and ``feed``)."""
