"""The sign-in and deployment settings of the web app, read once from ``SALESPULSE_*`` variables.

Every default works on a laptop (plain HTTP on 127.0.0.1); behind a reverse proxy with TLS set the
cookie, HSTS and proxy settings (``docs/deploy.md``). A value that cannot be used stops the app
with the variable's name rather than running with a weaker setting than asked for.

===========================================  ===============================================
``SALESPULSE_SESSION_IDLE_MINUTES``          a session ends after this long without a request
                                             (default 30)
``SALESPULSE_SESSION_MAX_HOURS``             ... and this long after signing in, whatever the
                                             activity (default 12)
``SALESPULSE_LOGIN_MAX_FAILURES``            wrong passwords for one e-mail before it is locked
                                             (default 5)
``SALESPULSE_LOGIN_MAX_FAILURES_PER_ADDRESS``  wrong passwords from one client address (an IPv6
                                             /64) before it is locked (default 20)
``SALESPULSE_LOGIN_WINDOW_MINUTES``          failures are counted over this window (default 15)
``SALESPULSE_LOGIN_LOCKOUT_MINUTES``         how long a lockout lasts (default 15)
``SALESPULSE_WEB_SECURE_COOKIES``            ``1``: cookies only over HTTPS (default off)
``SALESPULSE_WEB_HSTS_SECONDS``              ``Strict-Transport-Security`` max-age; 0 sends none
                                             (default 0)
``SALESPULSE_WEB_PROXY_HOPS``                reverse proxies in front of the app whose
                                             ``X-Forwarded-*`` headers are trusted (default 0)
===========================================  ===============================================
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from salespulse.settings import SettingsError, int_setting

#: Seconds since the epoch; the app's only clock, injectable so that tests need not wait.
Clock = Callable[[], float]

IDLE_VAR = "SALESPULSE_SESSION_IDLE_MINUTES"
ABSOLUTE_VAR = "SALESPULSE_SESSION_MAX_HOURS"
MAX_FAILURES_VAR = "SALESPULSE_LOGIN_MAX_FAILURES"
MAX_ADDRESS_FAILURES_VAR = "SALESPULSE_LOGIN_MAX_FAILURES_PER_ADDRESS"
WINDOW_VAR = "SALESPULSE_LOGIN_WINDOW_MINUTES"
LOCKOUT_VAR = "SALESPULSE_LOGIN_LOCKOUT_MINUTES"
SECURE_COOKIES_VAR = "SALESPULSE_WEB_SECURE_COOKIES"
HSTS_VAR = "SALESPULSE_WEB_HSTS_SECONDS"
PROXY_HOPS_VAR = "SALESPULSE_WEB_PROXY_HOPS"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class SecuritySettings:
    idle_seconds: float = 30 * 60
    absolute_seconds: float = 12 * 3600
    max_failures: int = 5
    max_address_failures: int = 20
    window_seconds: float = 15 * 60
    lockout_seconds: float = 15 * 60
    secure_cookies: bool = False
    hsts_seconds: int = 0
    proxy_hops: int = 0


def _number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    number = int_setting(env, name, default, low, high)
    assert number is not None  # a default is given
    return number


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}={value!r}: expected 1 or 0")


def security_settings(environ: Mapping[str, str] | None = None) -> SecuritySettings:
    """The settings from the environment (the defaults of ``SecuritySettings`` when unset)."""
    env = os.environ if environ is None else environ
    return SecuritySettings(
        idle_seconds=60 * _number(env, IDLE_VAR, 30, 1, 7 * 24 * 60),
        absolute_seconds=3600 * _number(env, ABSOLUTE_VAR, 12, 1, 24 * 90),
        max_failures=_number(env, MAX_FAILURES_VAR, 5, 1, 1000),
        max_address_failures=_number(env, MAX_ADDRESS_FAILURES_VAR, 20, 1, 100_000),
        window_seconds=60 * _number(env, WINDOW_VAR, 15, 1, 24 * 60),
        lockout_seconds=60 * _number(env, LOCKOUT_VAR, 15, 1, 24 * 60),
        secure_cookies=_flag(env, SECURE_COOKIES_VAR),
        hsts_seconds=_number(env, HSTS_VAR, 0, 0, 2 * 365 * 24 * 3600),
        proxy_hops=_number(env, PROXY_HOPS_VAR, 0, 0, 5),
    )


def system_clock() -> float:
    return time.time()
