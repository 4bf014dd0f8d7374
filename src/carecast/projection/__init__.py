"""Multi-year projections: children looked after moved forward month by month (fit → simulate →
assemble, like the outturn forecast), the stock that costs, scenarios and the MTFP will price."""
