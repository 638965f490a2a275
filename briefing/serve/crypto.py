"""Which algorithms the server speaks, and which client keys it accepts.

Only what OpenSSH 9 offers by default, minus SHA-1: key exchange by
ML-KEM/curve25519 hybrids or curve25519 alone; ed25519, ECDSA and RSA keys
signed with SHA-2 (``rsa-sha2-256/512``, never ``ssh-rsa``); ciphers
chacha20-poly1305, AES-GCM and AES-CTR, the last only with encrypt-then-MAC
SHA-2 MACs. RSA keys under :data:`MIN_RSA_BITS` and DSA keys are refused, at
``briefing users add`` and at login.
"""

from __future__ import annotations

import struct

import asyncssh
from asyncssh.encryption import get_encryption_algs
from asyncssh.kex import get_kex_algs
from asyncssh.mac import get_mac_algs
from asyncssh.public_key import get_public_key_algs

MIN_RSA_BITS = 2048

_KEX = (
    "mlkem768x25519-sha256",
    "sntrup761x25519-sha512@openssh.com",
    "sntrup761x25519-sha512",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
)
_CIPHERS = (
    "chacha20-poly1305@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes128-ctr",
)
_MACS = (
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "umac-128-etm@openssh.com",
)
_SIGNATURES = (
    "ssh-ed25519",
    "sk-ssh-ed25519@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "rsa-sha2-512",
    "rsa-sha2-256",
)


def _available(wanted: tuple[str, ...], known: list[bytes]) -> list[str]:
    """``wanted`` in order, without what this asyncssh build cannot do (sntrup needs liboqs)."""
    have = {name.decode("ascii") for name in known}
    return [name for name in wanted if name in have]


KEX_ALGS = _available(_KEX, get_kex_algs())
ENCRYPTION_ALGS = _available(_CIPHERS, get_encryption_algs())
MAC_ALGS = _available(_MACS, get_mac_algs())
SIGNATURE_ALGS = _available(_SIGNATURES, get_public_key_algs())
#: Key types a user may register: what these signatures sign with.
KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "sk-ssh-ed25519@openssh.com",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ecdsa-sha2-nistp256@openssh.com",
        "ssh-rsa",
    }
)


def server_options() -> dict[str, list[str]]:
    """The algorithm lists for :func:`asyncssh.create_server`."""
    return {
        "kex_algs": KEX_ALGS,
        "encryption_algs": ENCRYPTION_ALGS,
        "mac_algs": MAC_ALGS,
        "signature_algs": SIGNATURE_ALGS,
        "compression_algs": ["none"],
    }


def key_problem(key: asyncssh.SSHKey) -> str | None:
    """Why this client key is refused (weak or unsupported type), or ``None``."""
    algorithm = key.get_algorithm()
    if algorithm not in KEY_TYPES:
        return (
            f"{algorithm} keys are not accepted (use ed25519, ECDSA or RSA of {MIN_RSA_BITS}+ bits)"
        )
    if algorithm == "ssh-rsa":
        bits = getattr(key.pyca_key, "key_size", 0)
        if bits < MIN_RSA_BITS:
            return f"RSA key of {bits} bits is too weak; at least {MIN_RSA_BITS} bits are needed"
    return None


def signature_algorithm(signature: bytes) -> str:
    """The algorithm name a public-key signature blob starts with (``string alg, string sig``)."""
    if len(signature) < 4:
        return ""
    (length,) = struct.unpack(">I", signature[:4])
    return signature[4 : 4 + min(length, 64)].decode("ascii", errors="replace")


def signature_allowed(signature: bytes) -> bool:
    """Whether a client's login signature uses an accepted algorithm (never SHA-1 ``ssh-rsa``)."""
    return signature_algorithm(signature) in SIGNATURE_ALGS
