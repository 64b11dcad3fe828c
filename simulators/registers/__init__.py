"""Stand-in for the staff registers: Excel workbooks written into a folder."""

from simulators.registers.workbooks import FILE_NAMES, write_workbooks

__all__ = ["FILE_NAMES", "write_workbooks"]
