"""The analytics dashboard: overview metrics, charts, pipeline forecast and stage funnel."""
