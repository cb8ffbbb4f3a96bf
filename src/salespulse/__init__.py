"""salespulse: internet-sales analytics from raw extracts to dashboards."""

__version__ = "0.1.0"
