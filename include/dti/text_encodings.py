"""Vietnamese text files in whatever encoding the sender's computer saved them.

Agencies still run machines that save CSV in Windows-1258 (which writes tone marks as separate
combining characters) or in TCVN3, the 8-bit "ABC" encoding of the .VnTime fonts that Python has
no codec for. ``decode_text`` tries UTF-8 first, which is never valid by accident for Vietnamese
text, then keeps whichever legacy decoding reads as Vietnamese words.

Importing this module registers a ``tcvn3`` codec, so ``b"...".decode("tcvn3")`` and
``"...".encode("tcvn3")`` work like any other encoding.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# TCVN 5712:1993, table VN3: byte -> character for the bytes above ASCII. VN3 is the layout of
# the 8-bit fonts: every lower-case letter with a diacritic, but only the seven upper-case
# letters without a tone (a tone-marked capital was typed as its lower-case byte in a capitals
# font such as .VnTimeH, so it decodes to the lower-case letter). Bytes not listed are unused.
TCVN3_HIGH_BYTES = {
    0xA0: "\u00a0",
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ",
    0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
# charmap codecs mark an unused byte with U+FFFE.
_TCVN3_DECODING = "".join(chr(byte) if byte < 0x80 else TCVN3_HIGH_BYTES.get(byte, "\ufffe") for byte in range(256))
_TCVN3_ENCODING = codecs.charmap_build(_TCVN3_DECODING)


def _tcvn3_codec(name: str) -> codecs.CodecInfo | None:
    if name != "tcvn3":
        return None
    return codecs.CodecInfo(
        name="tcvn3",
        encode=lambda text, errors="strict": codecs.charmap_encode(text, errors, _TCVN3_ENCODING),
        decode=lambda data, errors="strict": codecs.charmap_decode(data, errors, _TCVN3_DECODING),
    )


codecs.register(_tcvn3_codec)

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = "aăâeêioôơuưy"
VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", vowel + tone)
    for vowel in _VOWELS + _VOWELS.upper()
    for tone in ("", *TONE_MARKS)
) | frozenset("đĐabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# A word is what lies between spaces, digits and ASCII punctuation; a stray non-letter such as
# "µ" or "×" (what TCVN3 bytes look like in Windows-1258) stays inside the word and spoils it.
_WORD = re.compile(r"[^\s0-9!-/:-@\[-`{-~]+")
LEGACY_ENCODINGS = ("cp1258", "tcvn3")


class UnrecognisedEncoding(ValueError):
    """No supported encoding reads the bytes as Vietnamese text."""


def decode_text(content: bytes, file_name: str) -> tuple[str, str]:
    """The text of ``content`` in NFC and the name of the encoding it was read with.

    UTF-8 (with or without a byte-order mark) is taken as soon as it is valid; otherwise the
    Windows-1258 and TCVN3 readings are compared by how many of their words are Vietnamese.
    ``file_name`` only names the file in the error.
    """
    if content.startswith(codecs.BOM_UTF8):
        return unicodedata.normalize("NFC", content[len(codecs.BOM_UTF8):].decode("utf-8", "replace")), "utf-8-sig"
    try:
        return unicodedata.normalize("NFC", content.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    readings = []
    for encoding in LEGACY_ENCODINGS:
        try:
            text = unicodedata.normalize("NFC", content.decode(encoding))
        except UnicodeDecodeError:
            continue
        readings.append((vietnamese_score(text), text, encoding))
    if readings:
        score, text, encoding = max(readings, key=lambda reading: reading[0])
        if score > 0:
            return text, encoding
    raise UnrecognisedEncoding(
        f"{file_name}: không nhận ra bảng mã của tệp (đã thử UTF-8, Windows-1258, TCVN3); hãy lưu lại tệp dạng "
        f"CSV UTF-8 / {file_name}: the file's character encoding is not recognised (tried UTF-8, Windows-1258 and "
        f"TCVN3); save it again as CSV UTF-8"
    )


def vietnamese_score(text: str) -> int:
    """Words that read as Vietnamese minus words that cannot, counting only words with a non-ASCII letter.

    A Vietnamese word is made of Vietnamese letters and carries at most one tone mark; a wrong
    decoding turns letters into symbols or splits one toned vowel into two.
    """
    score = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        tones = sum(1 for char in unicodedata.normalize("NFD", word) if char in TONE_MARKS)
        plausible = tones <= 1 and all(char in VIETNAMESE_LETTERS for char in word)
        score += 1 if plausible else -1
    return score
