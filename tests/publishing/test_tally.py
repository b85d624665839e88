"""A publish run's tally: each listing counted once, by its last outcome, and the unchanged ones by
why nothing was sent, in the counts the flow returns, its summary table and its last log line."""

from publishing.plan import Reason
from publishing.publisher import ListingOutcome
from publishing.tally import RunTally, summary_line, summary_rows


def _tally() -> RunTally:
    tally = RunTally(["shopee-dong-thap", "lazada-dong-thap"])
    shopee = tally.listener("shopee-dong-thap")
    shopee(1, ListingOutcome.FAILED, None)
    shopee(1, ListingOutcome.UNCHANGED, Reason.REFUSED)   # round 2: another run's attempt was refused meanwhile
    shopee(2, ListingOutcome.UNCHANGED, Reason.UNCHANGED)
    shopee(3, ListingOutcome.UNCHANGED, Reason.UNCHANGED)
    shopee(4, ListingOutcome.DONE, None)
    return tally


def test_unchanged_listings_are_counted_by_why_nothing_was_sent():
    assert _tally().counts() == {
        "shopee-dong-thap": {"not_sent:refused": 1, "not_sent:unchanged": 2},
        "lazada-dong-thap": {},
    }


def test_the_summary_table_has_a_column_per_reason_and_zeros_where_a_shop_had_none():
    rows = summary_rows(_tally().counts())
    assert [(row["shop"], row["not_sent:unchanged"], row["not_sent:refused"]) for row in rows] == [
        ("shopee-dong-thap", 2, 1), ("lazada-dong-thap", 0, 0)]


def test_the_summary_line_names_each_reason_in_words():
    assert summary_line(_tally().counts()) == (
        "shopee-dong-thap: 1 not sent (refused until the content changes), 2 not sent (unchanged since last push); "
        "lazada-dong-thap: nothing to do")


def test_retried_calls_are_summed_up_per_shop_and_error_code_with_how_many_then_succeeded():
    tally = _tally()
    tally.add_retries("lazada-dong-thap", {"http_503": (12, 11), "read_timeout": (2, 2)})
    assert tally.counts()["lazada-dong-thap"] == {"retried:http_503": 12, "retried:read_timeout": 2,
                                                  "retried_ok:http_503": 11, "retried_ok:read_timeout": 2}
    assert summary_line(tally.counts()).split("; ")[1] == (
        "lazada-dong-thap: 12 calls retried after http_503 (11 then answered), "
        "2 calls retried after read_timeout (2 then answered)")


def test_listings_pushed_with_an_estimated_package_are_counted_once_each():
    from publishing.publisher import BatchResult

    tally = _tally()
    tally.add(BatchResult("lazada-dong-thap", estimated={7, 8}))
    tally.add(BatchResult("lazada-dong-thap", estimated={8, 9}))     # listing 8 again, in a later round
    assert tally.counts()["lazada-dong-thap"] == {"with_estimated_package": 3}
    assert summary_line(tally.counts()).endswith("lazada-dong-thap: 3 with estimated package")
