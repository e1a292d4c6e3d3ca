"""hrss-warehouse: five-year-plan indicator tracking for HRSS (人社) bureaus."""

__version__ = "0.1.0"
