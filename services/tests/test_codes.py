import pytest

from canghzou_portal import codes


@pytest.mark.parametrize(
    ("code", "level", "prefix"),
    [
        ("130900000000", "city", "1309"),
        ("130902000000", "county", "130902"),
        ("130902001000", "township", "130902001"),
        ("130902001001", "village", "130902001001"),
    ],
)
def test_level_and_prefix(code, level, prefix):
    assert codes.level_of(code) == level
    assert codes.significant_prefix(code) == prefix


def test_subtree_bounds_and_membership():
    assert codes.subtree_bounds("130902000000") == ("130902000000", "130902999999")
    assert codes.in_subtree("130902001001", "130902000000")
    assert not codes.in_subtree("130903001001", "130902000000")
    assert codes.in_subtree("130902001001", "130902001001")
    assert not codes.in_subtree("130902002001", "130902001000")


def test_parents_and_ancestors():
    assert codes.parent_code("130902001001") == "130902001000"
    assert codes.parent_code("130902001000") == "130902000000"
    assert codes.parent_code("130902000000") == "130900000000"
    assert codes.parent_code("130900000000") is None
    assert codes.ancestor_codes("130902001001") == ["130902001000", "130902000000", "130900000000"]
    assert codes.county_code("130902001001") == "130902000000"


@pytest.mark.parametrize("bad", ["", "13090200100", "1309020010011", "13090200100a", "130002001001"])
def test_invalid_codes(bad):
    assert not codes.is_valid_code(bad)
