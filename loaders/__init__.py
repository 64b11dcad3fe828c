"""Loaders: committed extract batches into the warehouse's raw schema."""

from loaders.postgres import CompletenessError, LoadError, LoadOptions, LoadResult, get_watermark, load_batch

__all__ = ["CompletenessError", "LoadError", "LoadOptions", "LoadResult", "get_watermark", "load_batch"]
