"""Running scorers: the scorer value and registry, loading targets, execution strategies (thread,
inline, async, batched), limits, and the transport-free `Scoring` service. No aiohttp here."""
