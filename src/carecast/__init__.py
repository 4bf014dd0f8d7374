"""carecast: activity-led outturn forecasting for children's social care finance."""

__version__ = "0.1.0"
