"""Vietnamese text is read right whatever encoding the sender's computer saved it in."""

import codecs
import unicodedata

import pytest

from dti.text_encodings import TCVN3_HIGH_BYTES, TONE_MARKS, UnrecognisedEncoding, decode_text
from tests.helpers import windows_1258

VOWELS = "aăâeêioôơuưy"
# Every lower-case letter of the Vietnamese alphabet that is not ASCII: the 12 vowels with each
# of the five tones, the 5 toneless vowels with a diacritic, and đ.
LOWER_CASE = sorted({unicodedata.normalize("NFC", vowel + tone) for vowel in VOWELS for tone in ("", *TONE_MARKS)}
                    - set("aeiouy") | {"đ"})
CAPITALS_WITHOUT_TONE = "ĂÂÊÔƠƯĐ"
SAMPLE = ("Mã đơn vị,Tên đơn vị,Kỳ đánh giá,Tử số,Mẫu số\r\n"
          "X07246,Xã Xuân Lương,2026-Q3,60,100\r\n"
          "SNV,Sở Nội vụ,2026-Q3,Tỷ lệ cán bộ được đào tạo kỹ năng số,Người trưởng thành dùng chữ ký số\r\n")


def test_tcvn3_round_trips_every_vietnamese_letter_through_one_byte_each():
    assert len(LOWER_CASE) == 67
    letters = LOWER_CASE + list(CAPITALS_WITHOUT_TONE)
    encoded = {letter: letter.encode("tcvn3") for letter in letters}
    assert all(len(byte) == 1 and byte[0] >= 0xA1 for byte in encoded.values())
    assert len(set(encoded.values())) == len(letters)
    assert all(byte.decode("tcvn3") == letter for letter, byte in encoded.items())
    # The table holds exactly these letters and the no-break space, nothing else.
    assert sorted(TCVN3_HIGH_BYTES.values()) == sorted([*letters, "\u00a0"])


def test_tcvn3_bytes_of_the_standard_decode_to_the_words_they_spell():
    # Positions from TCVN 5712:1993 VN3, as the .VnTime fonts draw them.
    assert b"Vi\xd6t Nam".decode("tcvn3") == "Việt Nam"
    assert b"S\xeb N\xe9i v\xf4".decode("tcvn3") == "Sở Nội vụ"
    assert b"\xa7\xb8nh gi\xb8".decode("tcvn3") == "Đánh giá"


def test_tcvn3_has_no_byte_for_a_capital_with_a_tone():
    # VN3 fonts drew such capitals from their lower-case byte in a capitals font.
    with pytest.raises(UnicodeEncodeError):
        "Ủy ban".encode("tcvn3")


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("utf-8"), "utf-8"),
        (windows_1258(SAMPLE), "cp1258"),
        (SAMPLE.encode("tcvn3"), "tcvn3"),
    ],
    ids=["utf-8 with BOM", "utf-8", "windows-1258", "tcvn3"],
)
def test_each_supported_encoding_is_recognised_and_read_back_exactly(content, encoding):
    assert decode_text(content, "SNV.csv") == (SAMPLE, encoding)


def test_windows_1258_combining_tone_marks_come_back_composed():
    content = windows_1258("Phường Chũ, Việt Yên")
    assert "\u0303".encode("cp1258") in content  # ũ has no byte of its own: u + combining tilde
    text, _ = decode_text(content, "P07525.csv")
    assert text == "Phường Chũ, Việt Yên"
    assert not any(unicodedata.combining(char) for char in text)


def test_decomposed_utf8_is_composed_so_it_compares_equal_to_the_catalog():
    text, encoding = decode_text(unicodedata.normalize("NFD", "Kỳ đánh giá").encode("utf-8"), "SNV.csv")
    assert (text, encoding) == ("Kỳ đánh giá", "utf-8")


def test_bytes_that_no_encoding_reads_as_vietnamese_are_refused_naming_the_file():
    japanese = "東京都,サービス".encode("shift_jis")
    with pytest.raises(UnrecognisedEncoding) as refused:
        decode_text(japanese, "bao-cao.csv")
    message = str(refused.value)
    assert message.startswith("bao-cao.csv: không nhận ra bảng mã")
    assert "/ bao-cao.csv: the file's character encoding is not recognised" in message
