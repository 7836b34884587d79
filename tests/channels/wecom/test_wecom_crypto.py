"""WeCom's callback encryption, checked against the values WeCom publishes with its sample code
and by round trips with random keys."""

from __future__ import annotations

import base64
import os
import random
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wecom_fakes import (
    MESSAGE_CHECK,
    MESSAGE_ENCRYPT,
    SAMPLE_AES_KEY,
    SAMPLE_CORP_ID,
    SAMPLE_TOKEN,
    URL_CHECK,
    URL_CHECK_PLAINTEXT,
    sample_crypto,
)

from hrbot.channels.wecom.crypto import WeComCrypto, pkcs7_pad, pkcs7_unpad, signature
from hrbot.channels.wecom.errors import InvalidSignature, MalformedCallback, WrongReceiver
from hrbot.channels.wecom.inbound import read_message
from hrbot.channels.wecom.settings import aes_key_of


def random_encoding_aes_key() -> str:
    """An EncodingAESKey as WeCom's console makes them: 32 random bytes, base64 without '='."""
    return base64.b64encode(os.urandom(32)).decode()[:43]


def raw_decrypt(encrypted: str, encoding_aes_key: str) -> bytes:
    key = aes_key_of(encoding_aes_key)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    return decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()


def raw_encrypt(plain: bytes, encoding_aes_key: str) -> str:
    key = aes_key_of(encoding_aes_key)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


# ------------------------------------------------------------------------------ published vectors


def test_the_published_url_check_signature_verifies_and_its_echostr_decrypts_to_the_sample() -> None:
    crypto = sample_crypto()

    crypto.verify(URL_CHECK["msg_signature"], URL_CHECK["timestamp"], URL_CHECK["nonce"],
                  URL_CHECK["echostr"])

    assert crypto.decrypt(URL_CHECK["echostr"]) == URL_CHECK_PLAINTEXT


def test_the_published_message_decrypts_to_chen_jia_shuns_text_hello() -> None:
    crypto = sample_crypto()

    crypto.verify(MESSAGE_CHECK["msg_signature"], MESSAGE_CHECK["timestamp"], MESSAGE_CHECK["nonce"],
                  MESSAGE_ENCRYPT)
    message = read_message(crypto.decrypt(MESSAGE_ENCRYPT))

    assert (message.from_user, message.msg_type, message.content) == ("ChenJiaShun", "text", "你好")
    assert (message.msg_id, message.agent_id, message.to_user) == ("1456453720", "1000002", SAMPLE_CORP_ID)
    assert message.create_time == 1476422779


def test_the_published_message_is_padded_to_32_byte_blocks_with_22_bytes_of_padding() -> None:
    plain = raw_decrypt(MESSAGE_ENCRYPT, SAMPLE_AES_KEY)

    assert plain[-1] == 22 and plain[-22:] == bytes([22]) * 22  # not a valid 16-byte-block padding
    assert len(plain) % 32 == 0
    assert pkcs7_unpad(plain).endswith(SAMPLE_CORP_ID.encode())


def test_the_signature_is_the_sha1_of_the_four_parts_sorted_whatever_order_they_are_given_in() -> None:
    expected = URL_CHECK["msg_signature"]
    parts = [SAMPLE_TOKEN, URL_CHECK["timestamp"], URL_CHECK["nonce"], URL_CHECK["echostr"]]

    assert signature(*parts) == expected
    assert signature(parts[3], parts[2], parts[1], parts[0]) == expected


@pytest.mark.parametrize("change", ["msg_signature", "timestamp", "nonce", "encrypted", "token"])
def test_a_callback_differing_in_any_signed_part_fails_verification(change: str) -> None:
    values = {"msg_signature": MESSAGE_CHECK["msg_signature"], "timestamp": MESSAGE_CHECK["timestamp"],
              "nonce": MESSAGE_CHECK["nonce"], "encrypted": MESSAGE_ENCRYPT}
    crypto = sample_crypto()
    if change == "token":
        crypto = WeComCrypto("another-token", SAMPLE_AES_KEY, SAMPLE_CORP_ID)
    else:
        original = values[change]
        values[change] = original[:-1] + ("0" if original[-1] != "0" else "1")

    with pytest.raises(InvalidSignature, match="token differs"):
        crypto.verify(values["msg_signature"], values["timestamp"], values["nonce"], values["encrypted"])


def test_a_signature_in_upper_case_hex_is_the_same_signature() -> None:
    sample_crypto().verify(URL_CHECK["msg_signature"].upper(), URL_CHECK["timestamp"], URL_CHECK["nonce"],
                           URL_CHECK["echostr"])


def test_a_signature_with_characters_that_are_not_hex_is_refused_not_crashed_on() -> None:
    with pytest.raises(InvalidSignature):
        sample_crypto().verify("签名" * 20, URL_CHECK["timestamp"], URL_CHECK["nonce"], URL_CHECK["echostr"])


# ------------------------------------------------------------------------------ round trips


def test_encrypt_then_decrypt_gives_back_every_message_with_random_keys_and_prefixes() -> None:
    chooser = random.Random(20261121)
    alphabet = "年假还剩几天abcXYZ019 <>&\n\"'工资💰"
    for length in [0, 1, 11, 12, 27, 28, 31, 32, 33, 100, 700, 2048]:
        encoding_aes_key = random_encoding_aes_key()
        corp_id = "ww" + os.urandom(8).hex()
        crypto = WeComCrypto("token", encoding_aes_key, corp_id)
        message = "".join(chooser.choice(alphabet) for _ in range(length))

        encrypted = crypto.encrypt(message)

        assert len(base64.b64decode(encrypted)) % 32 == 0
        assert crypto.decrypt(encrypted) == message
        assert crypto.encrypt(message) != encrypted  # a fresh random prefix each time


def test_the_random_prefix_and_big_endian_length_are_where_wecom_puts_them() -> None:
    encoding_aes_key = random_encoding_aes_key()
    crypto = WeComCrypto("token", encoding_aes_key, "ww-corp")
    prefix = bytes(range(16))

    plain = pkcs7_unpad(raw_decrypt(crypto.encrypt("你好", random_prefix=prefix), encoding_aes_key))

    assert plain == prefix + struct.pack(">I", len("你好".encode())) + "你好".encode() + b"ww-corp"


def test_padding_always_adds_between_1_and_32_bytes() -> None:
    for length in range(0, 70):
        padded = pkcs7_pad(b"x" * length)

        assert len(padded) % 32 == 0 and 1 <= len(padded) - length <= 32
        assert pkcs7_unpad(padded) == b"x" * length


# ------------------------------------------------------------------------------ refusals


def test_a_payload_encrypted_for_another_corp_is_refused_naming_both_ids() -> None:
    encrypted = WeComCrypto(SAMPLE_TOKEN, SAMPLE_AES_KEY, "ww-other-corp").encrypt("<xml/>")

    with pytest.raises(WrongReceiver, match="'ww-other-corp', not this app's CorpID 'ww1436e0e65a779aee'"):
        sample_crypto().decrypt(encrypted)


def test_the_sample_message_under_another_encoding_aes_key_is_refused_and_the_key_is_named() -> None:
    crypto = WeComCrypto(SAMPLE_TOKEN, "a" * 43, SAMPLE_CORP_ID)

    with pytest.raises(MalformedCallback, match="the EncodingAESKey differs from the one set in WeCom"):
        crypto.decrypt(MESSAGE_ENCRYPT)


@pytest.mark.parametrize(("encrypted", "reason"), [
    ("not base64 at all!", "not base64"),
    (base64.b64encode(b"0123456789").decode(), "not a whole number of AES blocks"),
    ("", "not a whole number of AES blocks"),
])
def test_payloads_that_cannot_be_ciphertext_are_refused_saying_why(encrypted: str, reason: str) -> None:
    with pytest.raises(MalformedCallback, match=reason):
        sample_crypto().decrypt(encrypted)


def test_a_payload_with_broken_padding_is_refused() -> None:
    head = os.urandom(16) + struct.pack(">I", 2) + b"hi" + SAMPLE_CORP_ID.encode()
    broken_padding = bytes([5, 5, 9, 5, 5])  # the last byte says five, but not all five say so
    plain = head + b"x" * (-(len(head) + len(broken_padding)) % 32) + broken_padding

    with pytest.raises(MalformedCallback, match="padding is wrong"):
        sample_crypto().decrypt(raw_encrypt(plain, SAMPLE_AES_KEY))


def test_a_payload_announcing_more_bytes_than_it_holds_is_refused() -> None:
    plain = pkcs7_pad(os.urandom(16) + struct.pack(">I", 5000) + b"short" + SAMPLE_CORP_ID.encode())

    with pytest.raises(MalformedCallback, match="announces a 5000-byte message"):
        sample_crypto().decrypt(raw_encrypt(plain, SAMPLE_AES_KEY))
