"""Black-Scholes-Merton prices, greeks and implied volatility, standard library only.

Units follow Tradier's (ORATS) greeks: theta per calendar day, vega per vol point (1%), rho and
phi per 1% change in rate / dividend yield. Volatilities are fractions (0.213 = 21.3%).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def norm_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / _SQRT2))


def norm_pdf(x: float) -> float:
    return _INV_SQRT_2PI * math.exp(-0.5 * x * x)


@dataclass(frozen=True)
class Greeks:
    delta: float
    gamma: float
    theta: float
    vega: float
    rho: float
    phi: float


def _d1_d2(s: float, k: float, t: float, r: float, q: float, sigma: float) -> tuple[float, float]:
    vol_t = sigma * math.sqrt(t)
    d1 = (math.log(s / k) + (r - q + 0.5 * sigma * sigma) * t) / vol_t
    return d1, d1 - vol_t


def price(is_call: bool, s: float, k: float, t: float, r: float, q: float, sigma: float) -> float:
    """Theoretical price of a European option (t in years, t > 0, sigma > 0)."""
    d1, d2 = _d1_d2(s, k, t, r, q, sigma)
    disc_s = s * math.exp(-q * t)
    disc_k = k * math.exp(-r * t)
    if is_call:
        return disc_s * norm_cdf(d1) - disc_k * norm_cdf(d2)
    return disc_k * norm_cdf(-d2) - disc_s * norm_cdf(-d1)


def greeks(is_call: bool, s: float, k: float, t: float, r: float, q: float, sigma: float) -> Greeks:
    d1, d2 = _d1_d2(s, k, t, r, q, sigma)
    eq = math.exp(-q * t)
    er = math.exp(-r * t)
    pdf = norm_pdf(d1)
    gamma = eq * pdf / (s * sigma * math.sqrt(t))
    vega = s * eq * pdf * math.sqrt(t) / 100.0
    decay = -s * eq * pdf * sigma / (2.0 * math.sqrt(t))
    if is_call:
        delta = eq * norm_cdf(d1)
        theta = decay - r * k * er * norm_cdf(d2) + q * s * eq * norm_cdf(d1)
        rho = k * t * er * norm_cdf(d2) / 100.0
        phi = -t * s * eq * norm_cdf(d1) / 100.0
    else:
        delta = -eq * norm_cdf(-d1)
        theta = decay + r * k * er * norm_cdf(-d2) - q * s * eq * norm_cdf(-d1)
        rho = -k * t * er * norm_cdf(-d2) / 100.0
        phi = t * s * eq * norm_cdf(-d1) / 100.0
    return Greeks(delta, gamma, theta / 365.0, vega, rho, phi)


def implied_vol(
    is_call: bool, target: float, s: float, k: float, t: float, r: float, q: float
) -> float | None:
    """The volatility whose price equals ``target``, or None when no volatility in range does."""
    lo, hi = 1e-4, 5.0
    if not price(is_call, s, k, t, r, q, lo) < target < price(is_call, s, k, t, r, q, hi):
        return None
    for _ in range(40):  # bisection: price is monotonic in sigma; 40 halvings reach ~5e-12
        mid = 0.5 * (lo + hi)
        if price(is_call, s, k, t, r, q, mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
