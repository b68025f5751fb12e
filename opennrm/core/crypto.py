"""Envelope encryption of personal data at rest.

A data key (AES-256-GCM) encrypts the fields; the master key from the environment wraps the data
key. Each ciphertext is bound to its row by associated data (for example the person's code), so a
database writer cannot swap one person's identity blob onto another row undetected.

Exact-match search uses a keyed hash (HMAC-SHA256) of the normalised value with a key derived from
the master key, so the lookup table reveals nothing without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opennrm.core.models import DataKey

NONCE_BYTES = 12
_cache: dict[tuple[str, int], bytes] = {}
_lock = threading.Lock()


def _decode_key(raw: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("OPENNRM_MASTER_KEY must be 32 bytes, url-safe base64 encoded") from exc
    if len(key) != 32:
        raise ValueError("OPENNRM_MASTER_KEY must be 32 bytes, url-safe base64 encoded")
    return key


def master_key() -> bytes:
    return _decode_key(settings.MASTER_KEY)


def _derive(purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"opennrm:" + purpose).derive(master_key())


def _blind_index_key() -> bytes:
    cache_key = (settings.MASTER_KEY, -1)  # -1: not a data key id
    with _lock:
        cached = _cache.get(cache_key)
    if cached is None:
        cached = _derive(b"blind-index")
        with _lock:
            _cache[cache_key] = cached
    return cached


def blind_index(kind: str, normalised: str) -> str:
    key = _blind_index_key()
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def _wrap(data_key: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master_key()).encrypt(nonce, data_key, b"opennrm:data-key")


def _unwrap(wrapped: bytes) -> bytes:
    return AESGCM(master_key()).decrypt(
        bytes(wrapped[:NONCE_BYTES]), bytes(wrapped[NONCE_BYTES:]), b"opennrm:data-key"
    )


def active_key() -> DataKey:
    key = DataKey.objects.filter(is_active=True).order_by("-id").first()
    if key is None:
        with transaction.atomic():
            key = DataKey.objects.select_for_update().filter(is_active=True).order_by("-id").first()
            if key is None:
                key = DataKey.objects.create(wrapped=_wrap(AESGCM.generate_key(bit_length=256)))
    return key


def _key_bytes(key_id: int) -> bytes:
    cache_key = (settings.MASTER_KEY, key_id)
    with _lock:
        if cache_key in _cache:
            return _cache[cache_key]
    raw = _unwrap(bytes(DataKey.objects.values_list("wrapped", flat=True).get(pk=key_id)))
    with _lock:
        _cache[cache_key] = raw
    return raw


def encrypt(value: Any, *, aad: str, key: DataKey | None = None) -> tuple[int, bytes]:
    key = key or active_key()
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return key.pk, nonce + AESGCM(_key_bytes(key.pk)).encrypt(nonce, plaintext, aad.encode())


def decrypt(key_id: int, blob: bytes | memoryview, *, aad: str) -> Any:
    blob = bytes(blob)
    plaintext = AESGCM(_key_bytes(key_id)).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad.encode())
    return json.loads(plaintext)


def new_active_key() -> DataKey:
    """Create a fresh data key and make it the only active one. Old keys stay until nothing uses them."""
    with transaction.atomic():
        DataKey.objects.filter(is_active=True).update(is_active=False, retired_at=timezone.now())
        return DataKey.objects.create(wrapped=_wrap(AESGCM.generate_key(bit_length=256)))
