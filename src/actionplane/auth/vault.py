"""The token vault's cipher: AES-256-GCM under rotatable keys.

A sealed value reads ``v1.<key id>.<base64 nonce+ciphertext>``; the key id lets old values open
after a new key is added in front. The row id is bound in as associated data, so a ciphertext
copied onto another connection's row does not open.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from actionplane.errors import ConfigurationError, PlaneError


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def generate_key() -> str:
    """A new random AES-256 key, base64-encoded as ``ACTIONPLANE_ENCRYPTION_KEY`` expects."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


class Vault:
    """Seals and opens secrets. The first key seals; every key opens."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ConfigurationError("the vault needs at least one encryption key")
        for key in keys:
            if len(key) != 32:
                raise ConfigurationError("encryption keys must be 32 bytes (AES-256), base64")
        self._keys = {_key_id(k): AESGCM(k) for k in keys}
        self._current = _key_id(keys[0])

    @classmethod
    def from_setting(cls, setting: str | None, key_file: Path) -> Vault:
        """Keys from ``ACTIONPLANE_ENCRYPTION_KEY``, else the embedded key file (made if absent)."""
        if setting:
            try:
                keys = [
                    base64.b64decode(part.strip(), validate=True) for part in setting.split(",")
                ]
            except ValueError as exc:
                raise ConfigurationError(
                    "ACTIONPLANE_ENCRYPTION_KEY must be comma-separated base64 keys"
                ) from exc
            return cls(keys)
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(generate_key())
            print(
                f"actionplane: no ACTIONPLANE_ENCRYPTION_KEY set; created a key in {key_file} "
                "(readable only by you). Set ACTIONPLANE_ENCRYPTION_KEY in production.",
                file=sys.stderr,
            )
        return cls([base64.b64decode(key_file.read_text().strip())])

    @property
    def current_key_id(self) -> str:
        return self._current

    def is_current(self, sealed: str) -> bool:
        """Whether ``sealed`` is already under the newest key (nothing to rotate)."""
        return sealed.split(".", 2)[1:2] == [self._current]

    def reseal(self, sealed: str, bound_to: str) -> str:
        """The same value sealed under the newest key (for rotation)."""
        return self.seal(self.open(sealed, bound_to), bound_to)

    def seal(self, value: dict[str, Any], bound_to: str) -> str:
        """Encrypt a JSON-able value for the row ``bound_to``."""
        nonce = os.urandom(12)
        plaintext = json.dumps(value, separators=(",", ":")).encode()
        sealed = self._keys[self._current].encrypt(nonce, plaintext, bound_to.encode())
        return f"v1.{self._current}.{base64.b64encode(nonce + sealed).decode()}"

    def open(self, sealed: str, bound_to: str) -> dict[str, Any]:
        """Decrypt a value sealed for ``bound_to``; a wrong key or row is a ``PlaneError``."""
        try:
            version, key_id, payload = sealed.split(".", 2)
            raw = base64.b64decode(payload)
        except ValueError as exc:
            raise PlaneError("a stored secret is malformed") from exc
        cipher = self._keys.get(key_id)
        if version != "v1" or cipher is None:
            raise PlaneError(
                f"a stored secret needs encryption key {key_id}, which is not configured"
            )
        try:
            value: dict[str, Any] = json.loads(
                cipher.decrypt(raw[:12], raw[12:], bound_to.encode())
            )
        except InvalidTag as exc:
            raise PlaneError("a stored secret does not open with the configured key") from exc
        return value
