"""Dependencies of the messaging routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kindred.settings import Settings


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]
