"""Every piece of typed application state, as `web.AppKey`s in one place."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from .runtime import Registry
from .settings import Settings

__all__ = ("SETTINGS", "REGISTRY", "EXECUTOR", "READY", "CONTRACTS", "REQUEST_ID")

SETTINGS = web.AppKey("settings", Settings)
REGISTRY = web.AppKey("registry", Registry)
EXECUTOR = web.AppKey("executor", ThreadPoolExecutor)
READY = web.AppKey("ready", asyncio.Event)  # set once every scorer's init() finished
CONTRACTS = web.AppKey("contracts", dict)  # scorer name → its contract JSON Schema, as bytes
REQUEST_ID = web.RequestKey("request_id", str)
