"""Topics as organisers write them in their files."""
from __future__ import annotations

import pytest

from quiz.topics import TopicNames

TOPICS = TopicNames({"vneid": {"vi": "Định danh điện tử (VNeID)", "en": "Electronic identification"},
                     "dvc": {"vi": "Dịch vụ công trực tuyến", "en": "Online public services"},
                     "an-toan": {"vi": "An toàn thông tin", "en": "Online safety"}})


@pytest.mark.parametrize(("written", "code"), [
    ("vneid", "vneid"), ("VNeID", "vneid"), ("dvc", "dvc"),  # the code, in any case
    ("Dịch vụ công trực tuyến", "dvc"), ("dich vu cong truc tuyen", "dvc"),  # the label, accents or not
    ("Online safety", "an-toan"),  # the English label
    ("Dịch vụ công", "dvc"), ("an toàn", "an-toan"), ("định danh", "vneid"),  # part of a label
    ("Dich vu cong truc tuyn", "dvc"), ("An toan thong tim", "an-toan"),  # a slip of the keyboard
])
def test_a_topic_is_found_by_its_code_its_label_part_of_it_or_a_near_spelling(written: str, code: str) -> None:
    assert TOPICS.resolve(written) == code


@pytest.mark.parametrize("written", ["", "Thể thao", "trực tuyến và an toàn", "n"])
def test_a_name_that_fits_no_topic_or_several_names_none(written: str) -> None:
    assert TOPICS.resolve(written) is None


def test_the_accepted_names_are_listed_for_the_error_message() -> None:
    assert TOPICS.listing({"vneid": {"vi": "Định danh điện tử (VNeID)"}, "dvc": {"vi": "Dịch vụ công"}}) == \
        "vneid (Định danh điện tử (VNeID)), dvc (Dịch vụ công)"
