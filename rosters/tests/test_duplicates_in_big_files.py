"""Duplicates are caught across the whole file, also once the keys have moved to disk."""

from rosters.engine import Row, SeenKeys


class KeyRoster:
    def key_hashes(self, row):
        return [row.values["key"]]


def rows(start, keys):
    return [Row(number=start + i, raw=(), values={"key": k}) for i, k in enumerate(keys)]


def duplicates(batch):
    return {r.number: r.reason for r in batch if r.errors}


def test_a_duplicate_far_down_the_file_names_the_first_row_after_the_keys_move_to_disk(monkeypatch):
    monkeypatch.setattr(SeenKeys, "IN_MEMORY", 5)
    seen = SeenKeys()
    first = rows(2, [1, 2, 3, 2**64 - 1, 2**63])  # big keys: SQLite stores signed 64-bit integers
    seen.mark_duplicates(KeyRoster(), first)
    assert duplicates(first) == {}
    second = rows(7, [10, 11, 12, 2**64 - 1, 13, 13])
    seen.mark_duplicates(KeyRoster(), second)
    assert seen.memory is None and seen.disk is not None
    assert duplicates(second) == {10: "与文件第 5 行重复", 12: "与文件第 11 行重复"}
    third = rows(13, [2**63, 3, 99])
    seen.mark_duplicates(KeyRoster(), third)
    assert duplicates(third) == {13: "与文件第 6 行重复", 14: "与文件第 4 行重复"}
    seen.close()


def test_rows_that_already_failed_are_not_remembered():
    seen = SeenKeys()
    batch = rows(2, [1, 1])
    batch[0].fail("bad_phone", "手机号码格式不正确")
    seen.mark_duplicates(KeyRoster(), batch)
    assert duplicates(batch) == {2: "手机号码格式不正确"}

