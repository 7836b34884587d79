"""WeCom's callback encryption (加解密方案), on the `cryptography` package.

    msg_signature = sha1(''.join(sorted([token, timestamp, nonce, encrypted])))   (hex)
    key           = base64decode(EncodingAESKey + '=')                            (32 bytes)
    encrypted     = base64(AES-256-CBC(key, iv=key[:16], pkcs7_32(plaintext)))
    plaintext     = 16 random bytes + len(message) as 4 bytes big-endian + message + receiver id

PKCS#7 pads to 32-byte blocks (WeCom's choice; AES itself works on 16). For a self-built app the
receiver id is the CorpID, and a payload for any other receiver is refused. Signatures are
compared in constant time, and callers check the signature before decrypting anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import importlib.util
import os
import struct
from typing import TYPE_CHECKING

from hrbot.channels.wecom.errors import InvalidSignature, MalformedCallback, WrongReceiver
from hrbot.channels.wecom.settings import aes_key_of
from hrbot.shared.errors import MissingDependencyError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

PAD_BLOCK_SIZE = 32
AES_BLOCK_SIZE = 16
RANDOM_PREFIX_BYTES = 16
LENGTH_BYTES = 4
KEY_HINT = "the EncodingAESKey differs from the one set in WeCom's admin console, or the payload is damaged"


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """WeCom's msg_signature of a callback: SHA-1 (hex) of the four strings sorted and joined."""
    joined = "".join(sorted([token, timestamp, nonce, encrypted]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def pkcs7_pad(data: bytes, block_size: int = PAD_BLOCK_SIZE) -> bytes:
    """`data` padded to a multiple of `block_size` (1..block_size bytes, each the pad length)."""
    amount = block_size - len(data) % block_size
    return data + bytes([amount]) * amount


def pkcs7_unpad(data: bytes, block_size: int = PAD_BLOCK_SIZE) -> bytes:
    """`data` without its padding; MalformedCallback when the padding is not PKCS#7."""
    if not data:
        raise MalformedCallback(f"the decrypted payload is empty; {KEY_HINT}")
    amount = data[-1]
    if not 1 <= amount <= block_size or data[-amount:] != bytes([amount]) * amount:
        raise MalformedCallback(f"the decrypted payload's padding is wrong; {KEY_HINT}")
    return data[:-amount]


class WeComCrypto:
    """Signs, verifies, encrypts and decrypts the callback payloads of one app."""

    def __init__(self, token: str, encoding_aes_key: str, receiver_id: str) -> None:
        if importlib.util.find_spec("cryptography") is None:  # imported where used: hrbot runs without it
            raise MissingDependencyError("cryptography", "the WeCom channel's message encryption")
        self._token = token
        self._key = aes_key_of(encoding_aes_key)
        self.receiver_id = receiver_id

    def __repr__(self) -> str:
        return f"WeComCrypto(receiver_id={self.receiver_id!r})"

    def sign(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return signature(self._token, timestamp, nonce, encrypted)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        """InvalidSignature unless `msg_signature` is the payload's signature (constant time)."""
        expected = self.sign(timestamp, nonce, encrypted).encode("ascii")
        if not hmac.compare_digest(expected, msg_signature.strip().lower().encode("utf-8")):
            raise InvalidSignature(
                "msg_signature does not match the payload: the token differs from the Token set in "
                "WeCom's admin console, or the request was not sent by WeCom"
            )

    def _cipher(self) -> Cipher[modes.CBC]:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:AES_BLOCK_SIZE]))

    def encrypt(self, message: str, *, random_prefix: bytes | None = None) -> str:
        """`message` encrypted for this app's receiver id, base64 (as WeCom sends it)."""
        prefix = os.urandom(RANDOM_PREFIX_BYTES) if random_prefix is None else random_prefix
        if len(prefix) != RANDOM_PREFIX_BYTES:
            raise ValueError(f"random_prefix must be {RANDOM_PREFIX_BYTES} bytes, got {len(prefix)}")
        body = message.encode("utf-8")
        plain = prefix + struct.pack(">I", len(body)) + body + self.receiver_id.encode("utf-8")
        encryptor = self._cipher().encryptor()
        sealed = encryptor.update(pkcs7_pad(plain)) + encryptor.finalize()
        return base64.b64encode(sealed).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The message inside `encrypted`; MalformedCallback when it cannot be decrypted,
        WrongReceiver when it is addressed to another receiver than this app's CorpID."""
        try:
            sealed = base64.b64decode(encrypted.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise MalformedCallback("the encrypted payload is not base64") from None
        if not sealed or len(sealed) % AES_BLOCK_SIZE:
            raise MalformedCallback(
                f"the encrypted payload is {len(sealed)} bytes long, not a whole number of AES blocks"
            )
        decryptor = self._cipher().decryptor()
        plain = pkcs7_unpad(decryptor.update(sealed) + decryptor.finalize())
        header = RANDOM_PREFIX_BYTES + LENGTH_BYTES
        if len(plain) < header:
            raise MalformedCallback(f"the decrypted payload is too short to hold a message; {KEY_HINT}")
        (length,) = struct.unpack(">I", plain[RANDOM_PREFIX_BYTES:header])
        if length > len(plain) - header:
            raise MalformedCallback(
                f"the decrypted payload announces a {length}-byte message but holds "
                f"{len(plain) - header} bytes; {KEY_HINT}"
            )
        body, receiver = plain[header:header + length], plain[header + length:]
        try:
            message = body.decode("utf-8")
            receiver_id = receiver.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedCallback(f"the decrypted payload is not UTF-8 text; {KEY_HINT}") from None
        if not hmac.compare_digest(receiver_id.encode("utf-8"), self.receiver_id.encode("utf-8")):
            raise WrongReceiver(
                f"the payload is for receiver {receiver_id!r}, not this app's CorpID {self.receiver_id!r}: "
                "check corp_id in credentials.yml"
            )
        return message
