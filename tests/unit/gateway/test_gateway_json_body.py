import time

import pytest

from services.gateway.adapters.json_body import JsonLimits, nesting_depth, read_documents
from services.gateway.exceptions import BodyLimitError, MalformedBodyError

LIMITS = JsonLimits(max_depth=8, max_number_chars=20)


def read(body: bytes, content_type: str = "application/json"):
    return read_documents(body, content_type, LIMITS)


class TestNestingDepth:
    @pytest.mark.parametrize(
        ("text", "depth"),
        [("1", 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ('["[[[[", "]]"]', 1)],
    )
    def test_counts_arrays_and_objects_not_brackets_in_strings(self, text, depth):
        """Depth is the deepest nesting of arrays and objects; brackets in strings do not count."""
        assert nesting_depth(text, 100) == depth

    def test_escaped_quotes_do_not_end_a_string(self):
        """An escaped quote stays inside its string."""
        assert nesting_depth('["\\"[[[[", 1]', 100) == 1

    def test_an_unterminated_string_is_read_in_linear_time(self):
        """A hostile run of escaped quotes is consumed once, not once per quote."""
        text = '"' + '\\"' * 200_000
        began = time.monotonic()
        assert nesting_depth(text, 100) == 0
        assert time.monotonic() - began < 2


class TestLimits:
    def test_deep_nesting_is_refused_before_parsing(self):
        """Nesting past the limit is a BodyLimitError naming it, never a RecursionError."""
        with pytest.raises(BodyLimitError, match="nested deeper than 8 levels"):
            read(b"[" * 200_000 + b"]" * 200_000)

    def test_nesting_at_the_limit_is_read(self):
        """Exactly the limit is accepted."""
        assert read(b"[" * 8 + b"]" * 8) == [[[[[[[[]]]]]]]]

    @pytest.mark.parametrize(
        "number", ["9" * 5000, "-" + "1" * 21, "1." + "0" * 30, "1e" + "9" * 25]
    )
    def test_long_numbers_are_refused(self, number):
        """A number longer than the limit is refused naming its size, never converted."""
        with pytest.raises(BodyLimitError, match=f"number of {len(number)} characters"):
            read(f'{{"minutes_late": {number}}}'.encode())

    def test_numbers_out_of_float_range_are_refused(self):
        """1e999 would become infinity: refused."""
        with pytest.raises(BodyLimitError, match="out of range"):
            read(b'{"x": 1e999}')

    def test_a_repeated_key_is_refused(self):
        """A key twice in one object would drop one value silently: refused naming the key."""
        with pytest.raises(BodyLimitError, match="'code' twice"):
            read(b'{"code": "N", "code": "L"}')

    def test_an_ndjson_line_names_its_line_and_event(self):
        """The problem of an NDJSON line names the line; the error keeps the event's index."""
        with pytest.raises(BodyLimitError, match="body line 3") as caught:
            read(b'{"a": 1}\n\n{"b": ' + b"9" * 50 + b"}\n", "application/x-ndjson")
        assert caught.value.index == 1


class TestNdjson:
    def test_lines_end_at_newlines_only(self):
        """A line separator character inside a string does not cut the line."""
        body = '{"note": "a\u2028b"}\r\n{"note": "c"}\n'.encode()
        assert read(body, "application/x-ndjson") == [{"note": "a\u2028b"}, {"note": "c"}]


class TestMalformed:
    @pytest.mark.parametrize(
        ("body", "words"),
        [
            (b'{"system": "\\ud800"}', "unpaired surrogate"),
            (b'["\\udfff"]', "unpaired surrogate"),
            (b'{"x": NaN}', "NaN is not a JSON number"),
            (b'{"x": -Infinity}', "not a JSON number"),
            (b"\xef\xbb\xbf{}", "not valid JSON"),
        ],
    )
    def test_text_that_is_not_json_is_malformed(self, body, words):
        """Lone surrogates, NaN and Infinity, a byte order mark: 400 naming the problem."""
        with pytest.raises(MalformedBodyError, match=words):
            read(body)

    def test_a_surrogate_pair_is_unicode_text(self):
        """A properly paired escape is one character, and accepted."""
        assert read(b'{"name": "\\ud83d\\ude00"}') == [{"name": "\U0001f600"}]

    def test_an_escaped_backslash_before_u_is_not_a_surrogate(self):
        """The text \\ud800 written with an escaped backslash is plain text."""
        assert read(b'{"name": "\\\\ud800"}') == [{"name": "\\ud800"}]
