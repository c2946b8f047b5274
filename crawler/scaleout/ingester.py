"""The ingester: the one writer of a shared crawl. Stores what the workers ship, through the
same StorePipeline a single-process crawl uses, and writes the run row and the sites' outcome
once the run is complete."""
from __future__ import annotations

import logging
import time

from crawler.pipelines import StorePipeline
from crawler.runtime import EXIT_FAILED, EXIT_OK, error, format_summary
from crawler.scaleout import redis_state as rs
from crawler.scaleout.ledger import RedisLedger
from crawler.scaleout.wire import decode_item
from crawler.runtime import parse_years
from parsers.vocabulary import SHARED_COUNT_KEYS, run_mode

log = logging.getLogger(__name__)


BATCH_ITEMS = 200   # items stored in one transaction: what is queued, up to this many


class Ingester:
    """Stores what the workers ship, through StorePipeline, in batches (one transaction each);
    an item leaves Redis only after its batch's commit (a killed ingester stores it again:
    storing is idempotent)."""

    def __init__(self, server, db: str, url: str = "URL") -> None:
        self.server, self.url = server, url
        self.shared = rs.Shared(server)
        self.db = db
        self.pipeline = StorePipeline(crawler=None)
        self.pipeline.open_store(db)
        self.store = self.pipeline.store
        self.run: dict | None = None
        self.summary: dict | None = None
        self.stored = 0

    def close(self) -> None:
        self.pipeline.close_store()

    def bind(self) -> dict | None:
        """Follow the current run: its sites rows and its runs row are written once."""
        run_id = rs.text(self.server.hget(rs.RUN, "id"))
        if not run_id:
            return None
        if self.run is None or self.run["id"] != run_id:
            run = rs.read_run(self.server)
            if run is None:
                return None
            self.store.upsert_sites([{k: v for k, v in s.items() if k not in ("id", "netloc")} for s in run["sites"]])
            if not run.get("db_run_id"):
                db_run_id = self.store.start_run(run["mode"], sites=len(run["sites"]), years=run.get("years") or None,
                                                 revalidate=bool(run["revalidate"]))
                if not self.server.hsetnx(rs.RUN, "db_run_id", db_run_id):
                    log.warning("run %s already had a runs row", run_id)
                run["db_run_id"] = rs.text(self.server.hget(rs.RUN, "db_run_id"))
            self.pipeline.years = parse_years(run.get("years") or None)
            self.run = run
            log.info("ingesting run %s (runs row %s)", run_id, run["db_run_id"])
        return self.run

    def store_batch(self, first: bytes) -> None:
        """Store `first` and the items queued behind it (at most BATCH_ITEMS) in one transaction
        (Store.batch), then acknowledge them: counters and the removal from the in-flight list in
        one Redis transaction, only after the commit. A killed ingester leaves them in flight, and
        the next one stores them again (storing is idempotent). An item that cannot be stored is
        kept in `…:failed` and does not stop the others (its savepoint is rolled back alone)."""
        raws = [first]
        while len(raws) < BATCH_ITEMS:
            raw = self.server.lmove(rs.ITEMS, rs.INGESTING, "RIGHT", "LEFT")
            if raw is None:
                break
            raws.append(raw)
        before = dict(self.pipeline.counts)
        failed: list[bytes] = []
        try:
            with self.store.batch():
                for raw in raws:
                    try:
                        item, report = decode_item(raw)
                        self.pipeline.store_item(item, report)
                    except Exception:  # noqa: BLE001 - one bad item must not stop the writer (nor come back forever)
                        log.exception("cannot store an item; kept in %s", rs.INGESTING + ":failed")
                        failed.append(raw)
        except Exception as e:  # noqa: BLE001 - the commit failed (disk full …): nothing of the batch is stored
            log.error("cannot commit a batch of %d items (%s); they go back to the queue", len(raws), e)
            self.pipeline.counts = before
            tx = self.server.pipeline()
            for raw in raws:
                tx.lrem(rs.INGESTING, 1, raw)
                tx.rpush(rs.ITEMS, raw)
            tx.execute()
            time.sleep(1.0)
            return
        tx = self.server.pipeline()   # counters and the acks in one transaction
        for k, v in self.pipeline.counts.items():
            if v != before.get(k, 0):
                tx.hincrby(rs.COUNTS, k, v - before.get(k, 0))
        for raw in raws:
            if raw in failed:
                tx.lpush(rs.INGESTING + ":failed", raw)
            tx.lrem(rs.INGESTING, 1, raw)
        tx.execute()
        self.stored += len(raws) - len(failed)

    def finish(self) -> dict:
        """The run is complete: the sites' outcome and the runs row, as a single-process crawl writes them."""
        run = self.run
        ledger = RedisLedger(self.server, run)
        ledger.read_outcomes()     # a site without one list page has failed, as in one process
        counts = {rs.text(k): int(v) for k, v in self.server.hgetall(rs.COUNTS).items()}
        stats = {rs.text(k): int(v) for k, v in self.server.hgetall(rs.STATS).items()}
        sites = ledger.counts()
        summary = {k: counts.get(k, 0) for k in SHARED_COUNT_KEYS}
        summary.update(sites_ok=sites["sites_ok"], sites_failed=sites["sites_failed"],
                       sites_blocked=sites["sites_blocked"], requests=stats.get("downloader/request_count", 0),
                       bytes=stats.get("downloader/response_bytes", 0), status="finished")
        summary["unchanged"] += stats.get("nianbao/revalidated_unchanged", 0)
        self.pipeline.settle_years(run.get("started_at") or None)
        self.pipeline.record_sites(ledger)
        self.store.finish_run(int(run["db_run_id"]), **summary)
        self.server.hset(rs.RUN, "finished", "1")
        years = run.get("years")
        summary["mode"] = run_mode(run["mode"], years, bool(run["revalidate"]))
        log.info("run %s finished", run["id"])
        return summary

    def loop(self, idle_timeout: float) -> int:
        while self.server.lmove(rs.INGESTING, rs.ITEMS, "LEFT", "RIGHT"):
            pass   # a killed ingester's unfinished items go first, in their order
        last = time.monotonic()
        while True:
            run = self.bind()
            raw = self.server.blmove(rs.ITEMS, rs.INGESTING, 1, "RIGHT", "LEFT") if run else None
            if raw is not None:
                self.store_batch(raw)
                last = time.monotonic()
                continue
            if run is None:
                time.sleep(0.5)
            p = self.shared.progress()
            complete = (run is not None and not p["seeding"] and not (p["queued"] or p["in_flight"] or p["items"])
                        and not p["workers"])
            if complete and not p["finished"]:
                self.summary = self.finish()
                print(format_summary(self.summary))
            if time.monotonic() - last >= idle_timeout and not p["workers"] and not p["items"]:
                break
        if run is not None and not (complete or p["finished"]):
            error(f"run {run['id']} is unfinished ({p['queued']} requests queued, {p['in_flight']} in flight) "
                 f"and no worker is alive: start workers (nianbao crawl --redis {self.url}) and ingest again", "ingest")
            return EXIT_FAILED
        if run is None:
            print("nianbao ingest: nothing was seeded; nothing to store")
        return EXIT_OK
