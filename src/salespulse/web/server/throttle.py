"""Sign-in throttling: after too many wrong passwords for one e-mail, or from one client address,
further sign-ins of that e-mail / from that address are refused for a while, right password or not.

Both counters live in the app database (``login_throttle``), so every thread and process serving
the app shares them and a restart does not reset them. The account counter is keyed by the e-mail
as typed (lower-cased), whether or not an account has it: an unknown e-mail is counted and locked
exactly like a real one, so the answer never tells whether an account exists. The address counter
is higher (several people may share an office's address) and is not reset by a successful sign-in,
or one account of an attacker's own would wipe the failures it made against others'. An IPv6
client counts by its /64 network: one machine usually holds a whole /64.

Settings (``salespulse.web.server.security``): ``SALESPULSE_LOGIN_MAX_FAILURES``,
``SALESPULSE_LOGIN_MAX_FAILURES_PER_ADDRESS``, ``SALESPULSE_LOGIN_WINDOW_MINUTES``,
``SALESPULSE_LOGIN_LOCKOUT_MINUTES``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from salespulse.web.server.appdb import AppDB
from salespulse.web.server.security import Clock, SecuritySettings

ACCOUNT = "account"
ADDRESS = "address"


def account_key(email: str) -> str:
    return (email or "").strip().lower()[:254]


def address_key(address: str) -> str:
    """The client address as counted: an IPv4 address, or the /64 network of an IPv6 one."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return (address or "").strip().lower()[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


@dataclass(frozen=True)
class Throttle:
    db: AppDB
    settings: SecuritySettings
    clock: Clock

    def _keys(self, email: str, address: str) -> list[tuple[str, str]]:
        return [(ACCOUNT, account_key(email)), (ADDRESS, address_key(address))]

    def retry_after(self, email: str, address: str) -> float:
        """Seconds until ``email`` may try to sign in from ``address`` again; 0: it may now."""
        now = self.clock()
        until = self.db.locked_until(self._keys(email, address), now)
        return max(0.0, until - now)

    def failed(self, email: str, address: str) -> list[str]:
        """Count a wrong password; the counters (``account``, ``address``) it locked."""
        now = self.clock()
        limits = {ACCOUNT: self.settings.max_failures, ADDRESS: self.settings.max_address_failures}
        return [
            kind
            for kind, key in self._keys(email, address)
            if self.db.note_failure(
                kind,
                key,
                now,
                limit=limits[kind],
                window=self.settings.window_seconds,
                lockout=self.settings.lockout_seconds,
            )
        ]

    def succeeded(self, email: str) -> None:
        """A right password: the account's failures are forgiven (the address's are not)."""
        self.db.clear_failures(ACCOUNT, account_key(email))
