"""sop: a declarative SOP engine for sales-site (案场) property services."""

__version__ = "0.1.0"
