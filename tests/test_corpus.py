"""Loading corpora: the example corpus, file corpora, page furniture and bad input."""
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import CorpusError, load_corpus, read_corpus
from analysis.corpus import CorpusWarning

MANIFEST_HEADER = "doc_id,file,outlet,event,title,published\n"

# Every line of the seed files that is page furniture, by file, with the rule that removes it.
EXPECTED_FURNITURE = {
    "latimes": {2: "lead_caption"},
    "castanet": {2: "photo_credit", 26: "comment_notice"},
    "reuters": {2: "photo_caption", 40: "comment_notice"},
    "commondreams": {1: "headline", 3: "photo_credit", 5: "headline", 23: "licence_footer"},
    "cnn": {27: "related_headlines", 28: "related_headlines", 29: "related_headlines"},
}


def test_example_corpus_has_five_articles_from_five_outlets(articles):
    assert len(articles) == 5
    assert articles["outlet"].nunique() == 5
    assert set(articles["outlet"]) == {"Los Angeles Times", "Castanet", "Reuters",
                                       "Common Dreams", "CNN"}
    assert list(articles.columns[:9]) == ["doc_id", "outlet", "event", "title", "published",
                                          "source_path", "n_words", "n_sentences", "text"]
    assert set(articles["event"]) == {"putin-orders-troops-back-2014-05-19"}
    assert articles["published"].eq("2014-05-19").all()


def test_furniture_removed_exactly_and_recorded(example_corpus):
    removed = example_corpus.removed
    got = {d: dict(zip(g["line"], g["rule"])) for d, g in removed.groupby("doc_id")}
    assert got == EXPECTED_FURNITURE
    text = dict(zip(example_corpus.articles["doc_id"], example_corpus.articles["text"]))
    for row in removed.itertuples():
        assert row.text not in text[row.doc_id], (row.doc_id, row.line)


def test_every_body_line_of_every_seed_file_is_kept(example_corpus, example_path):
    arts = example_corpus.articles.set_index("doc_id")
    for doc_id, furniture in EXPECTED_FURNITURE.items():
        raw = (example_path / arts.loc[doc_id, "source_path"]).read_text(encoding="utf-8")
        body = [ln.strip() for i, ln in enumerate(raw.split("\n"), start=1)
                if ln.strip() and i not in furniture]
        assert arts.loc[doc_id, "text"] == "\n\n".join(body)


def test_headline_found_in_text_becomes_title(articles):
    titles = dict(zip(articles["doc_id"], articles["title"]))
    assert titles["commondreams"] == "Putin Orders Troop Withdrawal from Ukraine Border"
    text = dict(zip(articles["doc_id"], articles["text"]))
    assert text["commondreams"].startswith("NATO says no evidence of movement")
    assert "Tensions in the east" in text["cnn"]  # a section subhead is body, not furniture


def test_counts(articles):
    n = dict(zip(articles["doc_id"], articles["n_words"]))
    assert n == {"castanet": 433, "cnn": 735, "commondreams": 354, "latimes": 584, "reuters": 638}
    assert dict(zip(articles["doc_id"], articles["n_sentences"])) == {
        "castanet": 17, "cnn": 37, "commondreams": 11, "latimes": 19, "reuters": 24}


def _write(path: Path, text: str, encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def _corpus(tmp_path, rows, files):
    for name, content in files.items():
        _write(tmp_path / name, content)
    _write(tmp_path / "manifest.csv", MANIFEST_HEADER + "".join(r + "\n" for r in rows))
    return tmp_path


BODY = "NATO said on Monday it had seen no sign of a withdrawal of Russian troops.\n"


def test_missing_manifest(tmp_path):
    _write(tmp_path / "a.txt", BODY)
    with pytest.raises(CorpusError, match=r"no manifest\.csv in this folder \(article files seen: a\.txt\)"):
        load_corpus(tmp_path)


def test_manifest_row_pointing_at_missing_file(tmp_path):
    _corpus(tmp_path, ["a,a.txt,X,e,,", "b,b.txt,Y,e,,"], {"a.txt": BODY})
    with pytest.raises(CorpusError, match=r"manifest\.csv, line 3, field 'file': file 'b\.txt' not found"):
        load_corpus(tmp_path)
    res = read_corpus(tmp_path, lenient=True)
    assert list(res.articles["doc_id"]) == ["a"]
    assert res.skipped["record"].tolist() == ["3"]
    assert "not found" in res.skipped["reason"][0]
    assert res.n_records == len(res.articles) + len(res.skipped) == 2


def test_manifest_path_escaping_the_corpus_folder(tmp_path):
    corpus = tmp_path / "corpus"
    _write(tmp_path / "secret.txt", BODY)
    _corpus(corpus, ["a,../secret.txt,X,e,,"], {})
    with pytest.raises(CorpusError, match=r"manifest\.csv, line 2, field 'file': file '\.\./secret\.txt' lies outside the corpus folder"):
        load_corpus(corpus)


def test_duplicate_doc_id(tmp_path):
    _corpus(tmp_path, ["a,a.txt,X,e,,", "a,b.txt,Y,e,,"], {"a.txt": BODY, "b.txt": BODY})
    with pytest.raises(CorpusError, match=r"line 3, field 'doc_id': duplicate doc_id 'a' \(first used on line 2\)"):
        load_corpus(tmp_path)
    res = read_corpus(tmp_path, lenient=True)
    assert len(res.articles) == 1 and len(res.skipped) == 1


def test_empty_text(tmp_path):
    _corpus(tmp_path, ["a,a.txt,X,e,,", "b,b.txt,Y,e,,"], {"a.txt": BODY, "b.txt": "  \n\n"})
    with pytest.raises(CorpusError, match=r"b\.txt: empty text"):
        load_corpus(tmp_path)


def test_binary_file(tmp_path):
    _corpus(tmp_path, ["a,a.txt,X,e,,", "b,b.pdf,Y,e,,"], {"a.txt": BODY})
    _write(tmp_path / "b.pdf", b"%PDF-1.4\x00\x01\x02binary")
    with pytest.raises(CorpusError, match=r"b\.pdf: binary data \(NUL bytes\)"):
        load_corpus(tmp_path)
    res = read_corpus(tmp_path, lenient=True)
    assert "manifest.csv line 3" in res.skipped["reason"][0]


def test_cp1252_falls_back_with_warning_naming_the_file(tmp_path):
    _corpus(tmp_path, ["a,a.txt,X,e,,"], {})
    _write(tmp_path / "a.txt", "Kiev\u2019s \u201cpunitive operation\u201d, NATO said.", "cp1252")
    with pytest.warns(CorpusWarning, match=r"a\.txt: not valid UTF-8 .*decoded as cp1252"):
        arts = load_corpus(tmp_path)
    assert arts["text"][0] == "Kiev\u2019s \u201cpunitive operation\u201d, NATO said."
    assert arts["encoding"][0] == "cp1252"


def test_jsonl_malformed_line(tmp_path):
    good = json.dumps({"doc_id": "a", "outlet": "X", "text": BODY})
    path = _write(tmp_path / "c.jsonl", good + "\n" + '{"doc_id": "b", "text": "truncat' + "\n")
    with pytest.raises(CorpusError, match=r"c\.jsonl, line 2: malformed JSON"):
        load_corpus(path)
    res = read_corpus(path, lenient=True)
    assert len(res.articles) == 1 and res.skipped["record"].tolist() == ["2"]


def test_csv_with_quoted_embedded_newlines_loads(tmp_path):
    path = _write(tmp_path / "c.csv", 'doc_id,outlet,text\na,X,"First paragraph.\n\nSecond, with comma."\n'
                  'b,Y,"One line."\n')
    arts = load_corpus(path)
    assert arts["text"].tolist() == ["First paragraph.\n\nSecond, with comma.", "One line."]


def test_csv_with_unquoted_embedded_newline(tmp_path):
    path = _write(tmp_path / "c.csv", "doc_id,outlet,event,text\na,X,e,First line\nsecond line\nb,Y,e,ok.\n")
    # the first half of the broken record is refused too: loading it would cut the text silently
    with pytest.raises(CorpusError, match=r"c\.csv, line 2: record probably cut short: line 3 continues it"):
        load_corpus(path)
    res = read_corpus(path, lenient=True)
    assert res.articles["doc_id"].tolist() == ["b"]
    assert res.skipped["record"].tolist() == ["2", "3"]
    assert "expected 4 fields (header: doc_id, outlet, event, text), found 1" in res.skipped["reason"][1]
    assert res.n_records == 3 == len(res.articles) + len(res.skipped)


def test_non_string_text_and_words_free_text_are_refused(tmp_path):
    import json as _json
    path = _write(tmp_path / "c.jsonl", "\n".join(_json.dumps(r) for r in [
        {"doc_id": "a", "text": ["para one.", "para two."]},
        {"doc_id": "b", "text": "\u200b\u200b ..."},
        {"doc_id": "c", "text": "Rebels left the town."}]) + "\n")
    with pytest.raises(CorpusError, match=r"c\.jsonl, line 1, field 'text': the text must be a string, found list"):
        load_corpus(path)
    res = read_corpus(path, lenient=True)
    assert res.articles["doc_id"].tolist() == ["c"]
    assert "c.jsonl, line 2, field 'text': no words in the text" in res.skipped["reason"][1]


def test_file_corpus_defaults_and_mediacloud_preset(tmp_path):
    path = _write(tmp_path / "mc.csv", "stories_id,publish_date,title,url,media_name,text\n"
                  f"101,2014-05-19 10:15:00,T1,http://x/1,Reuters,\"{BODY.strip()}\"\n"
                  f"102,2014-05-20,T2,http://x/2,CNN,\"{BODY.strip()}\"\n")
    arts = load_corpus(path, preset="mediacloud")
    assert arts["doc_id"].tolist() == ["101", "102"]
    assert arts["outlet"].tolist() == ["Reuters", "CNN"]
    assert arts["published"].tolist() == ["2014-05-19T10:15:00", "2014-05-20"]
    assert arts["event"].tolist() == ["unknown", "unknown"]
    plain = _write(tmp_path / "p.csv", f"text\n\"{BODY.strip()}\"\n")
    assert load_corpus(plain)["doc_id"].tolist() == ["1"]


def test_missing_text_column_says_how_to_map(tmp_path):
    path = _write(tmp_path / "c.csv", "key,story\n1,hello there.\n")
    with pytest.raises(CorpusError, match=r"c\.csv, field 'text': no 'text' column \(columns: key, story\); map"):
        load_corpus(path)
    assert load_corpus(path, columns={"story": "text", "key": "doc_id"})["doc_id"].tolist() == ["1"]


def _load_warned(path, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = read_corpus(path, **kw)
    msgs = [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]
    assert msgs == res.warnings
    return res, msgs


def test_media_cloud_export_read_without_preset_says_which_columns(tmp_path):
    path = _write(tmp_path / "mc.csv", "stories_id,publish_date,title,url,media_name,text\n"
                  f"101,2014-05-19 10:15:00,T1,http://x/1,Reuters,\"{BODY.strip()}\"\n"
                  f"102,2014-05-20,T2,http://x/2,CNN,\"{BODY.strip()}\"\n")
    res, msgs = _load_warned(path)
    arts = res.articles
    assert arts["doc_id"].tolist() == ["101", "102"]
    assert arts["outlet"].tolist() == ["Reuters", "CNN"]
    assert arts["published"].tolist() == ["2014-05-19T10:15:00", "2014-05-20"]
    assert msgs == ["mc.csv: read column 'media_name' as outlet, 'publish_date' as published, "
                    "'stories_id' as doc_id (no column of the kit's name); to read another, map "
                    "it with --column NAME=TARGET (columns= in Python)"]
    # the preset maps the same columns and so leaves nothing to detect
    assert _load_warned(path, preset="mediacloud")[1] == []


def test_capitalised_and_common_export_names_are_recognised(tmp_path):
    path = _write(tmp_path / "c.csv", "Title,Body,Source,Date\n"
                  f"Troops,\"{BODY.strip()}\",Kyiv Post,2014-05-19\n")
    res, msgs = _load_warned(path)
    row = res.articles.iloc[0]
    assert (row["title"], row["outlet"], row["published"], row["n_words"]) == (
        "Troops", "Kyiv Post", "2014-05-19", 15)
    assert msgs[0].startswith("c.csv: read column 'Body' as text, 'Source' as outlet, 'Date' as "
                              "published, 'Title' as title")
    # a column mapped elsewhere is left alone: the outlet is then missing, and the loader says so
    res, msgs = _load_warned(path, columns={"Source": "source_label"})
    assert res.articles["outlet"].tolist() == ["unknown"]
    assert res.articles["source_label"].tolist() == ["Kyiv Post"]
    assert msgs[1] == ("c.csv: no outlet column (columns: Title, Body, Source, Date): every "
                       "article's outlet is 'unknown', so outlets cannot be compared; map the "
                       "column naming the outlet with --column NAME=outlet")
    # detect=False reads only the kit's names (and still warns about the outlet)
    with pytest.warns(CorpusWarning, match=r"c\.csv: no outlet column \(columns: Title, Body"), \
            pytest.raises(CorpusError, match="no 'text' column"):
        read_corpus(path, detect=False)


def test_media_name_is_preferred_to_source_and_nested_objects_become_columns(tmp_path):
    rows = [{"source": {"id": None, "name": "Reuters"}, "title": "A", "content": BODY,
             "publishedAt": "2014-05-19T10:00:00Z"}]
    path = _write(tmp_path / "newsapi.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    res, msgs = _load_warned(path)
    assert res.articles["outlet"].tolist() == ["Reuters"]
    assert res.articles["published"].tolist() == ["2014-05-19T10:00:00"]
    assert "source.id" in res.articles.columns
    assert msgs == ["newsapi.jsonl: read column 'content' as text, 'source.name' as outlet, "
                    "'publishedAt' as published (no column of the kit's name); to read "
                    "another, map it with --column NAME=TARGET (columns= in Python)"]
    both = _write(tmp_path / "b.csv", f"source,media_name,text\nwire,CNN,\"{BODY.strip()}\"\n")
    assert _load_warned(both)[0].articles["outlet"].tolist() == ["CNN"]


def test_parquet_corpus(tmp_path):
    frame = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "event": ["e1", "e2"],
                          "text": [BODY, "Rebels seized the building, witnesses said."]})
    frame.to_parquet(tmp_path / "c.parquet")
    arts = load_corpus(tmp_path / "c.parquet")
    assert arts["event"].tolist() == ["e1", "e2"] and arts["n_words"].tolist() == [15, 6]


def test_html_article_extracted_with_trafilatura(tmp_path):
    html = ("<html><head><title>Putin orders troops back</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
            "<h1>Putin orders troops back</h1>"
            "<p>Russian President Vladimir Putin on Monday ordered troops near the Ukrainian "
            "border back to their bases, the Kremlin said in a statement.</p>"
            "<p>NATO said it had seen no sign of a withdrawal of the estimated 40,000 troops.</p>"
            "</article><footer>Copyright 2014 Example News. All rights reserved.</footer>"
            "</body></html>")
    _corpus(tmp_path, ["a,a.html,X,e,,"], {"a.html": html})
    arts = load_corpus(tmp_path)
    text = arts["text"][0]
    assert "NATO said it had seen no sign of a withdrawal" in text
    assert "Home" not in text and "All rights reserved" not in text
    assert arts["title"][0] == "Putin orders troops back"


def test_manifest_drop_and_keep_lines(tmp_path):
    raw = "Photo: Agency\n\nFirst body paragraph of reasonable length here.\n\nSecond paragraph.\n"
    (tmp_path / "a.txt").write_text(raw)
    (tmp_path / "manifest.csv").write_text("doc_id,file,keep_lines,drop_lines\na,a.txt,1,5\n")
    res = read_corpus(tmp_path)
    assert res.articles["text"][0] == "Photo: Agency\n\nFirst body paragraph of reasonable length here."
    assert res.removed[["line", "rule"]].values.tolist() == [[5, "manifest_drop_lines"]]


def test_unparseable_date_names_field(tmp_path):
    _corpus(tmp_path, ["a,a.txt,X,e,,19/5/2014?"], {"a.txt": BODY})
    with pytest.raises(CorpusError, match=r"manifest\.csv, line 2, field 'published': 'published' value '19/5/2014\?' is not a date"):
        load_corpus(tmp_path)


def test_no_silent_drop_in_lenient_mode_many_problems(tmp_path):
    rows = ["a,a.txt,X,e,,", "a,a.txt,X,e,,", "c,,X,e,,", "d,../x.txt,X,e,,", "e,e.txt,X,e,,"]
    _corpus(tmp_path, rows, {"a.txt": BODY, "e.txt": ""})
    res = read_corpus(tmp_path, lenient=True)
    assert res.n_records == 5
    assert len(res.articles) == 1 and len(res.skipped) == 4


def _whole_file_lines(path: Path) -> list[str]:
    """The lines as the loader read them before streaming: whole file, normalised, split."""
    from analysis.corpus import _normalise_newlines

    return _normalise_newlines(path.read_bytes().decode("utf-8-sig")).split("\n")


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
def test_streamed_lines_equal_whole_file_lines_at_any_block_size(tmp_path, monkeypatch, block):
    """Corpus files are read block by block; a CR LF split across blocks is still one break."""
    import analysis.corpus as corpus

    monkeypatch.setattr(corpus, "READ_BLOCK", block)
    texts = ["", "\n", "\r", "\r\n", "a\r\nb\rc\nd", "\ufeffbom\r\n", "x\r\r\n\ny\r",
             "ünï\r\ncödé “curly”\r\rend", '{"text": "one"}\r\n{"text": "two"}\r\n']
    for n, text in enumerate(texts):
        path = tmp_path / f"t{n}.txt"
        path.write_bytes(text.encode("utf-8"))
        assert list(corpus._text_lines(path, [])) == _whole_file_lines(path), repr(text)


def test_streamed_csv_and_jsonl_load_the_same_records_at_any_block_size(tmp_path, monkeypatch):
    import analysis.corpus as corpus

    csv_path = tmp_path / "c.csv"
    csv_path.write_bytes('doc_id,text,outlet\r\n1,"Hello there.\r\nSecond para.",A\r\n'
                         '2,Plain words here.,B\r\n'.encode("utf-8"))
    jsonl_path = tmp_path / "j.jsonl"
    jsonl_path.write_bytes(b'{"doc_id": "1", "text": "One two."}\r\n\r\n'
                           b'{"doc_id": "2", "text": "Three four."}\r\n')
    expected = {p: read_corpus(p).articles for p in (csv_path, jsonl_path)}
    monkeypatch.setattr(corpus, "READ_BLOCK", 3)
    for path, frame in expected.items():
        got = read_corpus(path).articles
        pd.testing.assert_frame_equal(got, frame)
    assert list(expected[csv_path]["text"]) == ["Hello there.\n\nSecond para.",
                                                "Plain words here."]
    assert list(expected[jsonl_path]["record"]) == ["1", "3"]


def test_rows_built_in_batches_give_the_same_frame(tmp_path, monkeypatch):
    """The loader turns rows into frames batch by batch; any batch size gives the same frame,
    also when records carry different fields (a column some batches lack)."""
    import analysis.corpus as corpus

    path = tmp_path / "het.jsonl"
    records = [{"doc_id": "z", "text": "Alpha beta.", "url": "http://x", "extra1": "e"},
               {"doc_id": "b", "text": "Gamma delta."},
               {"doc_id": "m", "text": "Eps zeta.", "outlet": "O", "extra2": "f"},
               {"doc_id": "a", "text": "Eta theta.", "extra1": ""}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    whole = read_corpus(path).articles
    assert list(whole["doc_id"]) == ["a", "b", "m", "z"]
    assert list(whole.columns[-2:]) == ["extra1", "extra2"]
    assert whole["extra2"].isna().sum() == 3 and whole.loc[2, "extra2"] == "f"
    for batch in (1, 2, 3):
        monkeypatch.setattr(corpus, "ROW_BATCH", batch)
        got = read_corpus(path).articles
        pd.testing.assert_frame_equal(got, whole)
        assert list(got.dtypes) == list(whole.dtypes)


def _dup_corpus(tmp_path):
    rows = [{"doc_id": "a", "outlet": "X", "text": "Photo: Reuters\nRebels left the town on Monday."},
            {"doc_id": "b", "outlet": "X", "text": "Photo: AP\nRebels left  the town\non Monday."},
            {"doc_id": "c", "outlet": "Y", "text": "Rebels left the town on Monday."},
            {"doc_id": "d", "outlet": "X", "event": "e2", "text": "Rebels left the town on Monday."},
            {"doc_id": "e", "outlet": "X", "text": "Rebels stayed in the town."}]
    return _write(tmp_path / "dup.jsonl", "".join(json.dumps(r) + "\n" for r in rows))


def test_repeated_texts_of_an_outlet_are_marked_and_counted(tmp_path):
    res, msgs = _load_warned(_dup_corpus(tmp_path))
    arts = res.articles.set_index("doc_id")
    # b repeats a once the caption is removed and whitespace is set aside; c is another
    # outlet's copy (a shared passage, not a repeat) and d another event's
    assert arts["duplicate_of"].to_dict() == {"a": "", "b": "a", "c": "", "d": "", "e": ""}
    assert msgs[-1] == ("dup.jsonl: 1 article(s) repeat the text of an earlier article of the "
                        "same outlet and event (articles.csv column duplicate_of names it); they "
                        "are analysed like the others: pass --drop-duplicates "
                        "(drop_duplicates=True) to leave them out")
    assert res.removed["doc_id"].tolist() == ["a", "b"]


def test_drop_duplicates_moves_repeats_to_skipped_even_in_strict_mode(tmp_path):
    res, msgs = _load_warned(_dup_corpus(tmp_path), drop_duplicates=True)
    assert res.articles["doc_id"].tolist() == ["a", "c", "d", "e"]
    assert res.skipped["record"].tolist() == ["2"]
    assert res.skipped["reason"][0].endswith("dup.jsonl, line 2, field 'text': same text as "
                                             "doc_id 'a' of the same outlet and event, left out "
                                             "(drop_duplicates / --drop-duplicates)")
    assert res.n_records == len(res.articles) + len(res.skipped) == 5
    assert res.removed["doc_id"].tolist() == ["a"]  # the left-out article's caption goes too
    assert msgs[-1].endswith("left out (--drop-duplicates) and listed in skipped.csv")


# ---------------------------------------------------------------------------------------------
# reading ahead: the furniture splits of the next records run in worker processes

def _messy_jsonl(path: Path, duplicate: bool = True) -> Path:
    """40 records with page furniture, and problems of every kind spread among them."""
    lines = []
    for i in range(1, 41):
        body = (f"Photo: Agency {i}\n\nKiev said on Monday that {i} convoys had left the border "
                f"area near Donetsk.\n\n(Reporting by Reporter {i}; Editing by Editor)")
        rec = {"doc_id": f"d{i:02d}", "outlet": "AB"[i % 2], "event": "e", "title": f"T{i}",
               "text": body}
        if i == 7 and duplicate:
            rec["doc_id"] = "d03"                 # a duplicate doc_id
        if i == 12:
            rec["keep_lines"] = "x"               # a bad field
        if i == 15:
            rec["text"] = ["a", "list"]           # not a string
        if i == 18:
            rec["text"] = "Photo: Agency only"    # nothing left after the furniture
        if i == 21:
            rec["text"] = "Kiev \u0000 said"      # NUL bytes
        if i == 30:
            rec["text"] = json.loads(lines[0])["text"]  # the text of d01, of the same outlet
            rec["outlet"] = json.loads(lines[0])["outlet"]
        lines.append(json.dumps(rec))
        if i == 9:
            lines.append('{"doc_id": "broken", "text": "cut')   # malformed JSON
        if i == 25:
            lines.append('["not", "an", "object"]')
    lines.append('{"doc_id": "last", "text": "truncated')          # a truncated last line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class _NeverStarts:
    """An executor whose tasks never start: the read-ahead must do each one itself."""

    def __init__(self):
        self.cancelled = 0

    def submit(self, fn, arg):
        outer = self

        class Pending:
            def done(self):
                return False

            def cancel(self):
                outer.cancelled += 1
                return True

            def result(self):
                raise AssertionError("a task that never started was waited for")
        return Pending()


def _loaded(res):
    return (res.articles, res.removed, res.skipped, res.n_records, res.warnings)


def test_reading_ahead_in_workers_loads_the_same_corpus(tmp_path, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    import analysis.corpus as corpus_mod

    path = _messy_jsonl(tmp_path / "c.jsonl")
    expected = read_corpus(path, lenient=True)
    # the values the read-ahead must keep: 40 + 2 + 1 records, 7 skipped in record order
    assert expected.n_records == 43
    assert expected.skipped["record"].tolist() == ["7", "10", "13", "16", "19", "22", "27", "43"]
    assert expected.articles["text"].str.startswith("Kiev said on Monday that ").all()
    assert set(expected.removed["rule"]) == {"photo_credit", "wire_trailer"}
    assert expected.articles.set_index("doc_id").loc["d30", "duplicate_of"] == "d01"
    monkeypatch.setattr(corpus_mod, "READ_AHEAD_SERIAL", 0)
    monkeypatch.setattr(corpus_mod, "READ_AHEAD_TASK", 3)
    monkeypatch.setattr(corpus_mod, "READ_AHEAD_TASKS", 4)
    never = _NeverStarts()
    with ThreadPoolExecutor(2) as threads, ProcessPoolExecutor(2) as processes:
        for executor in (threads, processes, never):
            got = read_corpus(path, lenient=True, executor=executor)
            for a, b in zip(_loaded(got), _loaded(expected)):
                if isinstance(a, pd.DataFrame):
                    pd.testing.assert_frame_equal(a, b)
                else:
                    assert a == b
    assert never.cancelled == 14  # ceil(40 records / 3): every task was done here


@pytest.mark.parametrize("duplicate,error", [
    (True, r"line 7, field 'doc_id': duplicate doc_id 'd03'"),
    (False, r"line 10: malformed JSON"),
])
def test_reading_ahead_raises_the_first_problem_in_record_order(tmp_path, monkeypatch, duplicate,
                                                                error):
    """Strict mode: the records read ahead (here the malformed line 10) must not raise before
    the problem of an earlier record (the duplicate doc_id of line 7) is found."""
    from concurrent.futures import ThreadPoolExecutor

    import analysis.corpus as corpus_mod

    path = _messy_jsonl(tmp_path / "c.jsonl", duplicate)  # without it, line 10 comes first
    monkeypatch.setattr(corpus_mod, "READ_AHEAD_SERIAL", 0)
    monkeypatch.setattr(corpus_mod, "READ_AHEAD_TASK", 16)
    with ThreadPoolExecutor(2) as threads:
        for executor in (None, threads):
            with pytest.raises(CorpusError, match=error):
                read_corpus(path, executor=executor)
