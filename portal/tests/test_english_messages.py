"""Messages raised or returned from Python come out in English when English is active."""

from django.core.exceptions import ValidationError
from django.utils import translation

from governance.models import validate_region_code
from governance.tests.base import TerritoryTestCase
from parties.idnumbers import validate_id_number


def _messages(error: ValidationError) -> list[str]:
    """The messages in the active language: they are lazy, so read them inside translation.override."""
    return list(error.messages)


class EnglishMessagesTestCase(TerritoryTestCase):
    def test_a_region_code_with_letters_is_refused_in_english(self):
        with translation.override("en"):
            with self.assertRaises(ValidationError) as caught:
                validate_region_code("21a8")
            self.assertEqual(_messages(caught.exception), ["Code “21a8” may contain digits only."])

    def test_a_region_code_of_the_wrong_length_names_the_lengths_in_english(self):
        with translation.override("en"):
            with self.assertRaises(ValidationError) as caught:
                validate_region_code("21080")
            self.assertIn("has 5 digits", _messages(caught.exception)[0])

    def test_the_same_region_code_is_still_refused_in_chinese_by_default(self):
        with self.assertRaises(ValidationError) as caught:
            validate_region_code("21a8")
        self.assertEqual(_messages(caught.exception), ["编码“21a8”只能由数字组成。"])

    def test_an_id_number_of_the_wrong_length_is_refused_in_english(self):
        with translation.override("en"):
            with self.assertRaises(ValidationError) as caught:
                validate_id_number("2108021990")
            self.assertEqual(_messages(caught.exception), ["An ID number has 18 digits; “2108021990” has 10."])

    def test_an_id_number_with_a_wrong_check_digit_is_refused_in_english(self):
        with translation.override("en"):
            with self.assertRaises(ValidationError) as caught:
                validate_id_number("110101199003074511")
            message = _messages(caught.exception)[0]
        # Reworded in issue 18.9: the number is wrong, and the character that would pass is never named.
        self.assertEqual(message, "ID number “110101199003074511” fails the check and is wrong: compare it digit "
                                  "by digit with the ID card and enter it again.")
        self.assertNotIn("X", message.replace("110101199003074511", ""))

    def test_a_bad_location_on_the_duplicates_fragment_answers_400_in_english(self):
        self.client.force_login(self.carol)
        r = self.client.get(
            f"/cases/duplicates/?category=1&grid={self.grid_a.code}&lat=x&lng=1", HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.content.decode(), "Invalid location format.")

    def test_the_same_bad_location_answers_in_chinese_for_a_chinese_browser(self):
        self.client.force_login(self.carol)
        r = self.client.get(
            f"/cases/duplicates/?category=1&grid={self.grid_a.code}&lat=x&lng=1", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.content.decode(), "位置格式不正确。")
