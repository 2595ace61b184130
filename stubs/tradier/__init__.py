"""Tradier-compatible market-data stub with fault injection: ``python -m stubs.tradier --port P``.

Environment
    TRADIER_TOKEN   required; the only bearer token accepted (start-up fails with exit 2 if unset)
    STUB_AS_OF      optional YYYY-MM-DD, the "today" expirations count from (default: today, UTC)
    QE_INSTANCE_ID  optional; echoed by the health answer (default: a fresh UUID)

Market data (Tradier's JSON wire format; every request needs ``Authorization: Bearer <token>``,
otherwise ``401`` with the plain-text body ``Invalid Access Token``). Symbols are case-insensitive.

    GET /v1/markets/options/expirations?symbol=SPY
        {"expirations": {"date": ["2026-12-04", ...]}}     one date -> {"date": "2026-12-04"}
        unknown symbol -> {"expirations": null}
    GET /v1/markets/options/chains?symbol=SPY&expiration=2026-12-04&greeks=true
        {"options": {"option": [{...}, ...]}}              one option -> bare object
        unknown symbol / expiration / unparsable date -> {"options": null}
        options ordered by strike, call before put; ``greeks`` object only with greeks=true
    GET /v1/markets/quotes?symbols=SPY,SPY261204C00600000,ZZZZ   (POST with a form body works too)
        {"quotes": {"quote": [...], "unmatched_symbols": {"symbol": "ZZZZ"}}}
        one quote -> bare object; several unmatched -> {"symbol": ["A", "B"]};
        all unknown -> {"quotes": {"unmatched_symbols": {...}}}; greeks=true adds option greeks
    A missing required parameter -> 400, plain text ``Missing required parameter: <name>``.

Data: SPY, QQQ (ETFs), AAPL, TSLA (stocks) with 6 weekly Friday expirations ("weeklys") plus the
next 4 third-Friday monthlies ("standard"); ONEX with exactly one (standard) expiration; and the
awkward corners: WMT (half-dollar strikes across 97.50 | 100.00, thinly traded), SPX (an index with
no bid/ask, 201 four-digit strikes), SOLO (one expiration, one strike, a call only). A contract
nobody traded has last/change/open/high/low/close/prevclose null; with a zero bid too, its greeks
are null (Tradier's shapes). Strikes:
a fixed grid around the as-of spot (SPY/QQQ/AAPL every 5, TSLA every 10, ONEX every 2.5; 25 or 21
strikes). Prices and greeks are Black-Scholes-Merton with a deterministic smile; bid < ask always,
in cents, around the model price; volume, open interest, sizes and ``last`` (between bid and ask)
are hash-based, so every answer is deterministic for a given as-of date and spot.

Control API (no auth; not part of Tradier)

    GET  /__control/health
        {"status": "ok", "instance_id": ..., "pid": ..., "as_of": "YYYY-MM-DD"}
    POST /__control/fault   {"status": 500, "times": 3, "endpoint": "chains", "delay_ms": 0,
                             "drop": false}
        All fields optional except that one of status / delay_ms / drop must be given.
        ``times`` defaults to 1 (-1 = until reset); ``endpoint`` is "expirations" | "chains" |
        "quotes" | null (null = every /v1/ request). The next ``times`` matching market-data
        requests first stall ``delay_ms``, then either drop the connection (``drop``), answer
        ``status`` with a JSON body {"fault": {"faultstring": "Injected fault (HTTP 500)", ...}},
        or, with neither, are answered normally. Faults apply before the token check. Several
        faults may be active; a request uses the oldest one that matches.
        Dropping closes the TCP connection without sending any byte of a response: httpx raises
        ``RemoteProtocolError("Server disconnected without sending a response.")``.
        -> {"ok": true, "fault": {"id", "status", "times", "endpoint", "delay_ms", "drop",
            "remaining"}}; an invalid body -> 422 {"detail": ...}
    GET  /__control/fault    -> {"faults": [...]} (the active ones, same shape)
    POST /__control/quote   {"symbol": "SPY", "last": 612.5}  or  {"symbol": "SPY", "move": 1.25}
        Moves an underlying; its quote, and the prices and greeks of its options, follow from
        the next request. -> the new Tradier quote object of the underlying (404 unknown symbol,
        422 otherwise invalid).
    POST /__control/reset   clears faults, quote moves and the request log -> {"ok": true}
    GET  /__control/market[?symbol=SPY[&expiration=YYYY-MM-DD]]
        no symbol -> {"symbols": [...]}; else the canonical market of one expiration (nearest by
        default): {"symbol", "as_of", "expirations", "expiration", "quote", "options"}, exactly
        what the market-data routes serve now, lists never collapsed (404 if unknown)
    GET  /__control/requests
        {"requests": [{"method", "path", "query": {name: value}, "status", "auth":
        "valid"|"invalid"|"missing", "fault": <fault id or null>, "at": ISO-8601 UTC}]}
        Every request except the control API, oldest first, recorded on arrival (``status`` is
        null until answered, and stays null for a dropped one, which also has "dropped": true).
        The Authorization header's value is never recorded or logged.

Logs: JSON lines on stdout, a startup line {"event": "startup", "pid", "host", "port",
"instance_id", "as_of"} once the port is bound and {"event": "request", "method", "path",
"status", "duration_ms"} per request.

State lives in one process on one asyncio loop; each control or market-data step that touches it
runs without awaiting, so concurrent requests never see half-applied changes.
"""
