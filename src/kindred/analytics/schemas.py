"""The overview's wire format (document 000) plus the forecast and funnel charts."""

from __future__ import annotations

from pydantic import field_serializer

from kindred.core.schemas import ApiModel
from kindred.deals.schemas import whole_if_integral


class GrowthPoint(ApiModel):
    date: str
    count: int


class StageTotal(ApiModel):
    stage: str
    count: int
    value: float

    @field_serializer("value")
    def _amount(self, value: float) -> float | int | None:
        return whole_if_integral(value)


class ForecastMonth(ApiModel):
    month: str
    deals: int
    value: float
    weighted_value: float


class FunnelStep(ApiModel):
    stage: str
    count: int
    conversion_rate: float | None


class Charts(ApiModel):
    contacts_growth: list[GrowthPoint]
    deals_by_stage: list[StageTotal]
    forecast: list[ForecastMonth]
    stage_funnel: list[FunnelStep]


class Overview(ApiModel):
    metrics: dict[str, int | float]
    charts: Charts
