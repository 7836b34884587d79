"""Reading WeCom's callback XML: the envelope, the decrypted message or event, and what makes two
deliveries the same message."""

from __future__ import annotations

import pytest
from wecom_fakes import MESSAGE_ENCRYPT, click_xml, envelope, text_xml

from hrbot.channels.wecom.errors import MalformedCallback
from hrbot.channels.wecom.inbound import read_envelope, read_message


def test_the_envelope_gives_the_encrypted_payload_and_its_addressee() -> None:
    found = read_envelope(envelope(MESSAGE_ENCRYPT))

    assert found.encrypted == MESSAGE_ENCRYPT
    assert (found.to_user, found.agent_id) == ("ww1436e0e65a779aee", "1000002")


@pytest.mark.parametrize(("body", "reason"), [
    (b"<xml><ToUserName>x</ToUserName>", "not well-formed XML"),
    (b"", "not well-formed XML"),
    (b'{"Encrypt": "abc"}', "not well-formed XML"),
    (b"<xml><ToUserName>ww</ToUserName></xml>", "no <Encrypt> element"),
    (b"<xml><Encrypt>   </Encrypt></xml>", "no <Encrypt> element"),
    (b"<envelope><Encrypt>abc</Encrypt></envelope>", "root element is <envelope>, not <xml>"),
    ("<xml><Encrypt>年</Encrypt></xml>".encode("gbk"), "not UTF-8"),
])
def test_a_body_that_is_not_a_wecom_envelope_is_refused_saying_what_is_wrong(
    body: bytes, reason: str,
) -> None:
    with pytest.raises(MalformedCallback, match=reason):
        read_envelope(body)


def test_entity_declarations_are_refused_before_any_parsing_so_no_entity_is_ever_expanded() -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              b"<xml><Encrypt>&lol2;</Encrypt></xml>")
    external = b'<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>'

    for body in (laughs, external):
        with pytest.raises(MalformedCallback, match="declares a DOCTYPE or entities"):
            read_envelope(body)


def test_a_text_message_is_read_with_its_sender_id_and_content() -> None:
    message = read_message(text_xml("我还有几天年假?", from_user="zhangsan", msg_id="987"))

    assert (message.from_user, message.content, message.msg_id) == ("zhangsan", "我还有几天年假?", "987")
    assert message.is_text and not message.is_card_click and not message.is_media


def test_a_template_card_click_is_read_with_its_key_task_and_response_code() -> None:
    message = read_message(click_xml('/inform{"leave_type": "年假"}', task_id="hrbot-1", response_code="rc"))

    assert message.is_card_click and message.msg_id is None
    assert (message.event_key, message.task_id, message.response_code) == (
        '/inform{"leave_type": "年假"}', "hrbot-1", "rc")
    assert message.card_type == "button_interaction"


@pytest.mark.parametrize(("plaintext", "reason"), [
    (text_xml("hi").replace("ChenJiaShun", ""), "no FromUserName"),
    (text_xml("hi").replace("<CreateTime>1476422779", "<CreateTime>yesterday"),
     "CreateTime must be a Unix time"),
    (text_xml("hi").replace("<MsgType><![CDATA[text]]></MsgType>", ""), "no MsgType"),
    (text_xml("hi").replace("ChenJiaShun", "a" * 300), "FromUserName is not a WeCom userid"),
])
def test_a_decrypted_message_missing_what_the_channel_needs_is_refused(plaintext: str, reason: str) -> None:
    with pytest.raises(MalformedCallback, match=reason):
        read_message(plaintext)


def test_retries_of_a_message_share_its_key_and_other_messages_do_not() -> None:
    first = read_message(text_xml("你好", msg_id="1001"))

    assert first.dedup_key() == read_message(text_xml("你好", msg_id="1001")).dedup_key() == "msg:1001"
    assert first.dedup_key() != read_message(text_xml("你好", msg_id="1002")).dedup_key()


def test_an_event_has_no_msg_id_so_its_sender_time_and_key_identify_it() -> None:
    click = read_message(click_xml("/affirm", create_time=100))

    assert click.dedup_key() == read_message(click_xml("/affirm", create_time=100)).dedup_key()
    assert click.dedup_key().startswith("event:") and len(click.dedup_key()) < 80
    others = [click_xml("/deny", create_time=100), click_xml("/affirm", create_time=101),
              click_xml("/affirm", create_time=100, from_user="lisi"),
              click_xml("/affirm", create_time=100, task_id="another-card")]
    assert all(read_message(other).dedup_key() != click.dedup_key() for other in others)
