"""Typed aiohttp application keys shared by the route modules."""

from __future__ import annotations

from aiohttp import web

from .engine import Engine

ENGINE = web.AppKey("tsdash_sim_engine", Engine)
