import pytest

from kopa.core.ids import LARGEST_KEY, row_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (12, 12), (str(LARGEST_KEY), LARGEST_KEY)]
    + [(bad, None) for bad in ["", None, "abc", "-1", "0", "1.5", "²", "١٢", " 12", "9" * 30]],
)
def test_row_id(value, expected):
    assert row_id(value) == expected
