"""Stand-in of the employee-advocacy programme's exports (a folder of CSV files)."""
