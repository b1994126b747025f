"""Engine replies as Zalo messages: limits kept, choices past five typed as numbers, questions whole."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.zalo.render import BUTTON_TEXT_LIMIT, MAX_BUTTONS, TEXT_LIMIT, Renderer, split_text
from bot.i18n import Translator
from quiz.conversation.actions import Faq, Menu, MenuItem, WebPage
from quiz.conversation.messages import Button, Msg, Outcome, Reply

LOCALES = Path(__file__).resolve().parents[2] / "locales"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(Translator(LOCALES), info_image_url="https://example.vn/phone.png")


def buttons(n: int) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(Msg("faq.suggestion", question=f"Lựa chọn {i}"), Faq(f"q{i}")),) for i in range(1, n + 1))


def test_text_is_cut_between_paragraphs_within_the_limit() -> None:
    text = "\n\n".join(f"Đoạn {i}: " + "chữ " * 150 for i in range(8))
    pieces = split_text(text)
    assert all(len(p) <= TEXT_LIMIT for p in pieces) and len(pieces) > 1
    assert all(p.startswith("Đoạn") for p in pieces)
    assert split_text("x" * 4500) == ["x" * 2000, "x" * 2000, "x" * 500]


def test_five_choices_are_buttons_and_the_rest_are_numbers_to_type(renderer: Renderer) -> None:
    rendered = renderer.render(Outcome((Reply((Msg("menu.title"),), buttons(8)),)), "vi")
    [message] = rendered.messages
    titles = [b["title"] for b in message["attachment"]["payload"]["buttons"]]
    assert titles == [f"Lựa chọn {i}" for i in range(1, MAX_BUTTONS + 1)]
    assert "Hoặc gõ số để chọn:\n6. Lựa chọn 6\n7. Lựa chọn 7\n8. Lựa chọn 8" in message["text"]
    assert rendered.offer is not None and rendered.offer.numbered
    assert [c.action for c in rendered.offer.choices] == [Faq(f"q{i}") for i in range(1, 9)]


def test_a_long_reply_goes_first_as_text_and_the_buttons_follow_under_a_caption(renderer: Renderer) -> None:
    body = Msg("faq.answer", question="Hỏi?", answer="Đáp " * 300)
    rendered = renderer.render(Outcome((Reply((body,), buttons(2)),)), "vi")
    first, second = rendered.messages
    assert "attachment" not in first and first["text"].startswith("❓ Hỏi?")
    assert second["text"] == "Mời bạn chọn:" and len(second["attachment"]["payload"]["buttons"]) == 2
    assert all(len(m["text"]) <= TEXT_LIMIT for m in rendered.messages)


def test_a_reply_that_fits_keeps_its_buttons_under_it(renderer: Renderer) -> None:
    rendered = renderer.render(Outcome((Reply((Msg("menu.title"),), buttons(2)),), Msg("toast.saved")), "vi")
    [message] = rendered.messages
    assert message["text"] == "✓ Đã ghi nhận\n\nBạn muốn làm gì tiếp theo?"
    assert len(message["text"]) <= BUTTON_TEXT_LIMIT


def test_a_toast_alone_is_a_short_message_and_keeps_the_earlier_choices(renderer: Renderer) -> None:
    rendered = renderer.render(Outcome((), Msg("toast.already_answered")), "vi")
    assert rendered.messages == ({"text": "✓ Câu này đã được trả lời"},) and rendered.offer is None


def test_repeated_labels_send_back_different_texts(renderer: Renderer) -> None:
    rows = ((Button(Msg("menu.back"), Menu()), Button(Msg("menu.back"), Menu(MenuItem.RULES))),)
    rendered = renderer.render(Outcome((Reply((Msg("menu.title"),), rows),)), "vi")
    assert rendered.offer is not None
    assert [c.payload for c in rendered.offer.choices] == ["⬅️ Menu", "⬅️ Menu (2)"]


def test_a_phone_request_adds_the_shared_information_form(renderer: Renderer) -> None:
    rendered = renderer.render(Outcome((Reply((Msg("reg.ask_phone"),), request_contact=True),)), "en")
    ask, form = rendered.messages
    assert ask["text"].startswith("Step 3/4")
    element = form["attachment"]["payload"]["elements"][0]
    assert form["attachment"]["payload"]["template_type"] == "request_user_info"
    assert element["title"] == "Share your phone number" and element["image_url"] == "https://example.vn/phone.png"


def test_a_link_becomes_a_button_that_opens_it(renderer: Renderer) -> None:
    rows = ((Button(Msg("menu.rules"), WebPage("https://thi.example.vn/the-le")), Button(Msg("menu.back"), Menu())),)
    rendered = renderer.render(Outcome((Reply((Msg("menu.title"),), rows),)), "vi")
    link = rendered.messages[0]["attachment"]["payload"]["buttons"][0]
    assert link == {"title": "📜 Thể lệ", "type": "oa.open.url", "payload": {"url": "https://thi.example.vn/the-le"}}
    assert rendered.offer is not None and [c.action for c in rendered.offer.choices] == [Menu()]


def test_long_labels_are_shortened_on_the_button_but_sent_back_whole(renderer: Renderer) -> None:
    label = "Một câu hỏi rất dài " * 10
    rendered = renderer.render(Outcome((Reply((Msg("menu.title"),),
                                              ((Button(Msg("faq.suggestion", question=label), Faq("x")),),)),)), "vi")
    button = rendered.messages[0]["attachment"]["payload"]["buttons"][0]
    assert len(button["title"]) == 100 and button["title"].endswith("…")
    assert button["payload"] == label
