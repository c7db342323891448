"""`/docs`: a page for people — per scorer its columns, the Power Query function to copy and worked calls
(`docs_panel`), then Swagger UI (shipped as package data, no CDN) over each scorer's OpenAPI 3 document,
with a scorer picker, the contract's example pre-filled and a working "Try it out".

The page and its static files hold no data and are open; the documents and the score routes keep
needing the API key, which the page asks for and sends with every request it makes.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from aiohttp import web

from .docs_panel import PANEL_SCRIPT, PANEL_STYLE, scorer_panels
from .keys import SCORING, SETTINGS

__all__ = ("STATIC_DIR", "SWAGGER_UI_VERSION", "docs_page")

STATIC_DIR = Path(__file__).parent / "static" / "swagger-ui"
SWAGGER_UI_VERSION = json.loads((STATIC_DIR / "package.json").read_text())["version"]

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} · gateway</title>
  <link rel="stylesheet" href="{static}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{static}/favicon-32x32.png">
  <style>
    body {{ margin: 0; font-family: sans-serif; }}
    #gateway-bar {{ display: flex; gap: 1em; align-items: center; padding: 0.6em 1.2em; background: #1b1b1b; color: #fff; }}
    #gateway-bar strong {{ font-size: 1.1em; }}
    #gateway-bar input {{ padding: 0.3em; min-width: 22em; }}
{panel_style}
  </style>
</head>
<body>
  <div id="gateway-bar">
    <strong>{title}</strong><span>gateway {version} · {count} scorer(s)</span>
    {key_field}
  </div>
  <div id="gateway-start">
{panels}
  </div>
  <div id="swagger-ui"></div>
  <script src="{static}/swagger-ui-bundle.js"></script>
  <script src="{static}/swagger-ui-standalone-preset.js"></script>
  <script>
    const urls = {urls};
    const keyInput = document.getElementById("gateway-key");
    function apiKey() {{ return keyInput ? keyInput.value.trim() : ""; }}
    function start() {{
      window.ui = SwaggerUIBundle({{
        urls: urls,
        "urls.primaryName": urls[0].name,
        dom_id: "#swagger-ui",
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "StandaloneLayout",
        deepLinking: true,
        tryItOutEnabled: true,
        displayRequestDuration: true,
        requestInterceptor: (request) => {{
          const key = apiKey();
          if (key) {{ request.headers["Authorization"] = "Bearer " + key; }}
          return request;
        }},
      }});
    }}
    if (keyInput) {{
      keyInput.value = sessionStorage.getItem("gateway-key") || "";
      document.getElementById("gateway-key-use").addEventListener("click", () => {{
        sessionStorage.setItem("gateway-key", apiKey());
        start();
        loadFunctions();
      }});
    }}
    start();
    const PREFIX = {prefix};
{panel_script}
  </script>
</body>
</html>
"""

_KEY_FIELD = """<label>API key <input id="gateway-key" type="password" autocomplete="off"
      placeholder="the key sent as Authorization: Bearer …"></label>
    <button id="gateway-key-use" type="button">Use key</button>"""


async def docs_page(request: web.Request) -> web.Response:
    """The Swagger UI page over every scorer's OpenAPI 3 document (the default scorer first)."""
    from gateway.version import __version__

    settings = request.app[SETTINGS]
    registry = request.app[SCORING].registry
    prefix = settings.prefix
    default = registry.default
    names = sorted(registry.scorers, key=lambda name: (registry.scorers[name] is not default, name))
    urls = [{"url": f"{prefix}/scorers/{name}/swagger.json?version=3", "name": name} for name in names]
    page = _PAGE.format(
        title=html.escape(settings.service_name),
        version=html.escape(__version__),
        count=len(names),
        static=f"{prefix}/docs/static",
        urls=json.dumps(urls).replace("</", "<\\/"),
        key_field=_KEY_FIELD if settings.api_keys else "",
        prefix=json.dumps(prefix).replace("</", "<\\/"),
        panel_style=PANEL_STYLE,
        panel_script=PANEL_SCRIPT,
        panels=scorer_panels(registry, names, prefix, bool(settings.api_keys)),
    )
    return web.Response(text=page, content_type="text/html", charset="utf-8")
