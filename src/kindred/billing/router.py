"""Document 003's credit-weight routes (platform admins): read every weight, set one."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import Field

from kindred.billing import service
from kindred.billing.service import CreditType
from kindred.core.db.session import DbSession
from kindred.core.deps import PlatformAdmin
from kindred.core.schemas import InputModel

router = APIRouter(prefix="/api/auth/admin", tags=["credits"])
Weight = Annotated[Decimal, Field(ge=0, le=1_000_000, max_digits=14, decimal_places=4)]


class WeightInput(InputModel):
    credit_type: Literal["EMAIL", "SMS", "VOICEMAIL"]
    weight: Weight


class EnrichmentWeightInput(InputModel):
    weight: Weight


@router.post("/get-credit-weights", summary="Every credit type's weight")
async def get_weights(_principal: PlatformAdmin, session: DbSession) -> dict[str, Any]:
    weights = await service.weights(session)
    return {
        "success": True,
        "message": "Credit weights",
        "weights": {name: float(value) for name, value in weights.items()},
    }


async def _set(session: DbSession, credit_type: CreditType, weight: Decimal) -> dict[str, Any]:
    previous = await service.set_weight(session, credit_type, weight)
    return {
        "success": True,
        "message": f"{credit_type.value} weight updated",
        "creditType": credit_type.value,
        "previousWeight": float(previous),
        "weight": float(weight),
    }


@router.post("/update-credit-weight", summary="Set the weight of EMAIL, SMS or VOICEMAIL")
async def update_weight(
    body: WeightInput, _principal: PlatformAdmin, session: DbSession
) -> dict[str, Any]:
    return await _set(session, CreditType(body.credit_type), body.weight)


@router.post("/update-enrichment-weight", summary="Set the weight of SKIPTRACE (enrichment)")
async def update_enrichment_weight(
    body: EnrichmentWeightInput, _principal: PlatformAdmin, session: DbSession
) -> dict[str, Any]:
    result = await _set(session, CreditType.SKIPTRACE, body.weight)
    del result["creditType"]
    return result
