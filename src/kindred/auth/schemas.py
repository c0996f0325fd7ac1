"""Sign-up, sign-in and session wire formats (document 000)."""

from __future__ import annotations

from datetime import datetime

from pydantic import EmailStr, Field

from kindred.core.schemas import ApiModel, InputModel


class SignupInput(InputModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)
    business_name: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=200)


class SignupResult(ApiModel):
    success: bool = True
    user_id: str
    workspace_id: str
    message: str = "Account created successfully"


class SigninInput(InputModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class SessionUser(ApiModel):
    id: str
    email: str
    name: str
    role: str
    workspace_id: str | None = None
    workspace_role: str | None = None


class SessionRead(ApiModel):
    user: SessionUser
    expires: datetime | None
