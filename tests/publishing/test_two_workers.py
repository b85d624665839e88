"""Two workers publishing to the same shop at once, on PostgreSQL, never push one listing twice."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest

from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from connectors.by_channel import connector_for
from ocop.channels import Channel
from ocop.store import make_engine
from publishing import candidates
from publishing.publisher import publish_batch
from publishing.run import batches
from rendering.profiles import load_profile
from sandboxes.fleet import running_sandboxes

TODAY = dt.date.today()
SHOP = "shopee-dong-thap"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_on_one_shop_split_the_work_and_create_each_listing_once(database_url, tmp_path):
    engine = make_engine(database_url)
    ingest_rows(engine, sample_rows("Đồng Tháp", products=60, seed=11, today=TODAY), today=TODAY)
    products = candidates.load_products(engine)
    listable = {p.product.seller_sku for p in products.values() if p.is_listable(TODAY)}
    with running_sandboxes(tmp_path / "sandboxes") as fleet:
        shop = fleet.shop(SHOP)
        fingerprints = candidates.fingerprints(products, load_profile(Channel.SHOPEE), today=TODAY)
        plan = candidates.plan_for_shop(engine, shop, products, fingerprints, today=TODAY)
        start = threading.Barrier(2)
        results = {}

        def worker(name: str) -> None:
            worker_engine, connector = make_engine(database_url), connector_for(shop)
            start.wait()
            try:
                for batch in batches(plan, 10):   # both walk the same batches in the same order
                    result = publish_batch(worker_engine, connector, batch.items, run_id=name, today=TODAY)
                    results.setdefault(name, Counter()).update(result.calls)
                    results[name]["claimed elsewhere"] += result.skipped_claimed_elsewhere
                    results[name]["already done"] += result.skipped_already_done
            finally:
                connector.close()
                worker_engine.dispose()

        threads = [threading.Thread(target=worker, args=(name,)) for name in ("worker-a", "worker-b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        items = Counter(item.seller_sku for item in fleet.admin(Channel.SHOPEE).items(SHOP, include_deleted=False))
        calls_received = fleet.write_calls(Channel.SHOPEE)
    engine.dispose()

    assert set(items) == listable
    assert max(items.values()) == 1, "a listing was created twice"
    creates = results["worker-a"]["create"] + results["worker-b"]["create"]
    assert creates == len(listable)
    # one cover upload and one create per listing (Shopee's badge is on the cover): nothing sent twice
    assert calls_received == 2 * len(listable)
    assert results["worker-a"]["create"] > 0 and results["worker-b"]["create"] > 0, results
    skipped = sum(results[name]["claimed elsewhere"] + results[name]["already done"] for name in results)
    assert skipped == len(plan.candidates), results
