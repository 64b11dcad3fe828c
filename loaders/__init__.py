"""Loaders: extract batches into the warehouse's raw schema."""

from loaders.postgres import LoadResult, get_watermark, load_batch

__all__ = ["LoadResult", "get_watermark", "load_batch"]
