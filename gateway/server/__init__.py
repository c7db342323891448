"""The aiohttp layer: the app and its routes, handlers, middlewares, auth, CORS, metrics, logs, the
/docs page, workers and running the process. Everything HTTP stops here."""
