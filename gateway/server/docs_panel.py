"""The part of `/docs` a Power BI or Excel user starts from: per scorer, its columns as a table, the
Power Query function ready to copy (fetched with the page's own address as its base URL) and a worked
call for each client, all above Swagger UI's try-it. Rendered from `documents.worked_calls`."""

from __future__ import annotations

import html

from gateway.documents.worked_calls import column_rows, worked_calls
from gateway.scoring.scorer import Registry, Scorer

__all__ = ("PANEL_STYLE", "PANEL_SCRIPT", "scorer_panels")

PANEL_STYLE = """
    #gateway-start { padding: 0.4em 1.2em; }
    .gateway-scorer { border: 1px solid #ccc; border-radius: 4px; margin: 0.6em 0; padding: 0.4em 0.8em; }
    .gateway-scorer summary { cursor: pointer; font-weight: bold; font-size: 1.05em; }
    .gateway-scorer table { border-collapse: collapse; margin: 0.4em 0; }
    .gateway-scorer th, .gateway-scorer td { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; }
    .gateway-scorer pre { background: #f6f6f6; padding: 0.6em; max-height: 18em; overflow: auto; white-space: pre-wrap; }
    .gateway-copy { margin-left: 0.6em; }
"""

PANEL_SCRIPT = """
    const base = window.location.origin + PREFIX;
    for (const pre of document.querySelectorAll(".gateway-call")) {
      pre.textContent = pre.textContent.split("{{BASE_URL}}").join(base);
    }
    function loadFunctions() {
      for (const pre of document.querySelectorAll(".gateway-pq")) {
        const headers = apiKey() ? {"Authorization": "Bearer " + apiKey()} : {};
        fetch(pre.dataset.src + "?base_url=" + encodeURIComponent(base), {headers: headers})
          .then((answer) => answer.ok ? answer.text()
                : Promise.reject(answer.status === 401 ? "enter the API key above, then Use key" : "HTTP " + answer.status))
          .then((text) => { pre.textContent = text; pre.dataset.loaded = "true"; })
          .catch((why) => { pre.textContent = "(the function could not be loaded: " + why + ")"; });
      }
    }
    function copied(button, how) { button.nextElementSibling.textContent = how; }
    for (const button of document.querySelectorAll(".gateway-copy")) {
      button.addEventListener("click", () => {
        const text = document.getElementById(button.dataset.target).textContent;
        const fallback = () => {
          const area = document.createElement("textarea");
          area.value = text; document.body.appendChild(area); area.select();
          const done = document.execCommand("copy"); area.remove();
          copied(button, done ? "Copied" : "Select the text and copy it");
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(() => copied(button, "Copied"), fallback);
        } else { fallback(); }
      });
    }
    loadFunctions();
"""


def _copyable(block_id: str, text: str, css: str, extra: str = "") -> str:
    return (
        f'<button class="gateway-copy" type="button" data-target="{block_id}">Copy</button>'
        f'<span class="gateway-copied" aria-live="polite"></span>'
        f'<pre id="{block_id}" class="{css}"{extra}>{html.escape(text)}</pre>'
    )


def _panel(scorer: Scorer, registry: Registry, prefix: str, api_key: bool, is_open: bool) -> str:
    name = html.escape(scorer.name)
    path = registry.path_of(scorer)
    rows = column_rows(scorer)
    parts = [f'<details class="gateway-scorer" data-scorer="{name}"{" open" if is_open else ""}>',
             f"<summary>{name} · POST {html.escape(prefix + path)}</summary>"]
    if rows:
        parts.append("<h4>Columns</h4><table class=\"gateway-columns\"><tr><th>table</th><th>column</th>"
                     "<th>type</th><th>nullable</th></tr>")
        parts.extend(
            f"<tr><td>{html.escape(r.table)}</td><td>{html.escape(r.name)}</td><td>{html.escape(r.type)}</td>"
            f"<td>{'yes' if r.nullable else 'no'}</td></tr>"
            for r in rows
        )
        parts.append("</table>")
    else:
        parts.append("<p>This scorer declares no table; its parameters are in the document below.</p>")
    source = html.escape(f"{prefix}/powerquery/{scorer.name}.pq", quote=True)
    parts.append("<h4>Power Query function (Power BI, Excel)</h4><p>Blank query → Advanced Editor → paste; "
                 "then invoke it on a table with these columns.</p>")
    parts.append(_copyable(f"gateway-pq-{name}", "loading…", "gateway-pq", f' data-src="{source}"'))
    calls = worked_calls(scorer, path, api_key=api_key)
    if calls:
        parts.append("<h4>Worked calls</h4>")
    for call in calls:
        client = html.escape(call.client)
        parts.append(f"<h5>{client}</h5>")
        parts.append(_copyable(f"gateway-call-{name}-{client.lower()}", call.text, "gateway-call"))
    parts.append("</details>")
    return "\n".join(parts)


def scorer_panels(registry: Registry, names: list[str], prefix: str, api_key: bool) -> str:
    """One collapsible panel per scorer, in `names` order, the first one open."""
    return "\n".join(
        _panel(registry.scorers[name], registry, prefix, api_key, is_open=i == 0) for i, name in enumerate(names)
    )
