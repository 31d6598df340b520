"""The scan's on-disk store of documents and matching texts."""

from __future__ import annotations

import pickle
import tempfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neardup import WorkspaceError, scan
from neardup.local.spill import SpilledDocuments, SpilledTexts
from neardup.models import Block, Document


@given(st.lists(st.text(), max_size=30))
def test_texts_come_back_exactly(items: list[str]) -> None:
    store = SpilledTexts()
    store.extend(items[:10])
    store.extend(items[10:])
    assert len(store) == len(items)
    assert list(store) == items
    assert store == items and store[1:4] == items[1:4]
    if items:
        assert store[-1] == items[-1]


def test_lone_surrogates_and_empty_texts_survive() -> None:
    store = SpilledTexts()
    store.extend(["", "a\ud800b", "克拉玛依"])
    assert list(store) == ["", "a\ud800b", "克拉玛依"]
    with pytest.raises(IndexError):
        store[3]


def test_documents_round_trip_and_pickle_as_a_tuple() -> None:
    docs = [Document(f"{i}.txt", "正文" * i, "text", "utf-8", (Block(0, 2 * i, "paragraph"),)) for i in range(100)]
    store = SpilledDocuments()
    store.extend(docs)
    assert store[57] == docs[57] and store[57] is store[57]  # recently read ones are kept
    assert store == docs
    assert pickle.loads(pickle.dumps(store)) == tuple(docs)


def test_an_unwritable_temporary_folder_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with pytest.raises(WorkspaceError, match="TMPDIR"):
        scan([tmp_path])


def test_a_scan_report_reads_its_documents_back(tmp_path) -> None:
    story = "克拉玛依高新区深入实施创新驱动发展战略，在全疆率先提出科技陪伴式服务理念。" * 4
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(story, encoding="utf-8")
    report = scan([tmp_path])
    assert [d.text for d in report.documents] == [story, story]
    assert pickle.loads(pickle.dumps(report)).documents == report.documents


def test_row_blocks_come_back_as_one_array() -> None:
    import numpy as np

    from neardup.local.spill import SpilledRows

    rng = np.random.default_rng(5)
    blocks = [rng.integers(0, 2**32, size=(n, 16), dtype=np.uint32) for n in (3, 0, 200, 1)]
    rows = SpilledRows(16, np.uint32)
    for block in blocks:
        rows.append(block)
    assert (rows.load() == np.concatenate(blocks)).all()
    assert SpilledRows(16, np.uint32).load().shape == (0, 16)


def test_every_record_pickles_to_an_equal_record_without_a_dict() -> None:
    import pickle

    from neardup.models import Block, Cluster, DiffSummary, Document, Edit, Member, Pair, Passage, SpanRef

    block = Block(1, 9, "heading", 2, (Edit(2, 4, "&"), Edit(5, 6, "")))
    member = Member("a.txt", 1, 9, "题", 0.5, 0.75, (3, 4), DiffSummary({"ocr": 1}, 0.1, "minor", None))
    records = [
        block,
        Document("a.txt", "x" * 12, "html", "gb18030", (block,), "replace", "题", "2024-05-01", None, True, ("n",)),
        Passage(0, "a.txt", 1, 9, None, "both"),
        Pair(1, 2, 0.5, 0.9, (1, 4), (2, 8)),
        Cluster("c0001", SpanRef("a.txt", 1, 9), (member, member)),
    ]
    for record in records:
        copy = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == record and type(copy) is type(record) and not hasattr(copy, "__dict__")
