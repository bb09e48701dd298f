import pytest

from bot.text_input import LineDecoder, UnreadableInput, decoded_lines


def test_ascii_only_input_counts_as_utf8() -> None:
    decoder = LineDecoder("f")
    assert list(decoded_lines([b"hello\n", b"world\n"], decoder)) == ["hello\n", "world\n"]
    assert decoder.encoding_name == "UTF-8"


def test_byte_order_mark_is_dropped_from_the_first_line_only() -> None:
    raw = ["料金\n".encode("utf-8-sig"), "\ufeff料金\n".encode()]
    assert list(decoded_lines(raw, LineDecoder("f"))) == ["料金\n", "\ufeff料金\n"]


def test_cp932_is_chosen_by_the_first_non_ascii_line_and_kept() -> None:
    decoder = LineDecoder("f")
    raw = [b"id?\n", "仮払い～\n".encode("cp932"), "①番\n".encode("cp932")]
    assert list(decoded_lines(raw, decoder)) == ["id?\n", "仮払い～\n", "①番\n"]
    assert decoder.encoding_name == "Shift_JIS (CP932)"


def test_a_line_in_another_encoding_after_the_choice_names_its_line() -> None:
    raw = ["料金\n".encode(), "料金\n".encode("cp932")]
    with pytest.raises(UnreadableInput, match=r"^f: line 2 can't be read: it is not UTF-8 text"):
        list(decoded_lines(raw, LineDecoder("f")))
