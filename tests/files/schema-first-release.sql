-- The schema of a database written by nianbao's first storage release (commit bd51023,
-- storage/schema.py) plus the crawler's crawl_state table of its first release (commit cedfdf4,
-- crawler/state.py): what tests/test_migrations.py opens and migrates. Dumped from sqlite_master.
CREATE TABLE [sites] (
  [id] TEXT PRIMARY KEY,
  [name] TEXT,
  [level] TEXT,
  [region_code] TEXT,
  [url] TEXT,
  [province] TEXT,
  [province_code] TEXT,
  [city] TEXT,
  [city_code] TEXT,
  [county] TEXT,
  [county_code] TEXT,
  [township] TEXT,
  [township_code] TEXT,
  [resolved_code] TEXT,
  [body_key] TEXT,
  [body_kind] TEXT,
  [resolved_from] TEXT,
  [added_at] TEXT,
  [updated_at] TEXT
);
CREATE TABLE [blobs] (
  [sha256] TEXT PRIMARY KEY,
  [size] INTEGER,
  [compression] TEXT,
  [data] BLOB
);
CREATE TABLE [pages] (
  [url] TEXT PRIMARY KEY,
  [site_id] TEXT REFERENCES sites(id),
  [kind] TEXT,
  [status] INTEGER,
  [final_url] TEXT,
  [etag] TEXT,
  [last_modified] TEXT,
  [content_type] TEXT,
  [size] INTEGER,
  [content_sha256] TEXT REFERENCES blobs(sha256),
  [error] TEXT,
  [fetched_at] TEXT,
  [first_fetched_at] TEXT,
  [fetch_count] INTEGER
);
CREATE TABLE [reports] (
  [id] INTEGER PRIMARY KEY,
  [url] TEXT NOT NULL UNIQUE,
  [page_url] TEXT,
  [site_id] TEXT REFERENCES sites(id),
  [title] TEXT,
  [organ] TEXT,
  [year] INTEGER,
  [format] TEXT,
  [publish_date] TEXT,
  [source_type] TEXT,
  [status] TEXT,
  [reason] TEXT,
  [checks_ok] INTEGER,
  [checks_failed] INTEGER,
  [province] TEXT,
  [province_code] TEXT,
  [city] TEXT,
  [city_code] TEXT,
  [county] TEXT,
  [county_code] TEXT,
  [township] TEXT,
  [township_code] TEXT,
  [region_code] TEXT,
  [body_key] TEXT,
  [body_kind] TEXT,
  [deadline] TEXT,
  [days_late] INTEGER,
  [text] TEXT,
  [section_overview] TEXT,
  [section_active_disclosure] TEXT,
  [section_applications] TEXT,
  [section_review_litigation] TEXT,
  [section_problems] TEXT,
  [section_other_matters] TEXT,
  [metadata] TEXT,
  [attachments] TEXT,
  [images] TEXT,
  [legacy_figures] TEXT,
  [content_sha256] TEXT REFERENCES blobs(sha256),
  [size] INTEGER,
  [fetched_at] TEXT,
  [first_seen_at] TEXT,
  [updated_at] TEXT,
  [version] INTEGER
);
CREATE TABLE [report_versions] (
  [id] INTEGER PRIMARY KEY,
  [report_id] INTEGER REFERENCES reports(id),
  [version] INTEGER,
  [superseded_at] TEXT,
  [url] TEXT,
  [title] TEXT,
  [organ] TEXT,
  [year] INTEGER,
  [format] TEXT,
  [publish_date] TEXT,
  [source_type] TEXT,
  [status] TEXT,
  [checks_ok] INTEGER,
  [content_sha256] TEXT REFERENCES blobs(sha256),
  [fetched_at] TEXT,
  [text] TEXT,
  [metadata] TEXT,
  [cells] TEXT,
  [checks] TEXT
);
CREATE TABLE [cells] (
  [report_id] INTEGER NOT NULL REFERENCES reports(id),
  [table_key] TEXT NOT NULL,
  [row_key] TEXT NOT NULL,
  [col_key] TEXT NOT NULL,
  [value] NUMERIC,
  [raw] TEXT,
  [inferred] INTEGER,
  PRIMARY KEY (report_id, table_key, row_key, col_key)
) WITHOUT ROWID;
CREATE TABLE [checks] (
  [id] INTEGER PRIMARY KEY,
  [report_id] INTEGER NOT NULL REFERENCES reports(id),
  [rule] TEXT,
  [ok] INTEGER,
  [detail] TEXT
);
CREATE TABLE [figures] (
  [report_id] INTEGER PRIMARY KEY REFERENCES reports(id),
  [applications_received] NUMERIC,
  [carried_over] NUMERIC,
  [granted] NUMERIC,
  [partially_granted] NUMERIC,
  [withheld] NUMERIC,
  [unavailable] NUMERIC,
  [rejected] NUMERIC,
  [other_handling] NUMERIC,
  [processed] NUMERIC,
  [carried_forward] NUMERIC,
  [review_total] NUMERIC,
  [review_corrected] NUMERIC,
  [litigation_total] NUMERIC,
  [litigation_corrected] NUMERIC,
  [licensing_decisions] NUMERIC,
  [penalty_decisions] NUMERIC,
  [coercion_decisions] NUMERIC,
  [fees_wan_yuan] NUMERIC,
  [normative_issued] NUMERIC,
  [normative_repealed] NUMERIC,
  [normative_in_force] NUMERIC
);
CREATE TABLE [labels] (
  [table_key] TEXT NOT NULL,
  [axis] TEXT NOT NULL,
  [key] TEXT NOT NULL,
  [label] TEXT,
  [group_label] TEXT,
  [formats] TEXT,
  [aliases] TEXT,
  PRIMARY KEY (table_key, axis, key)
);
CREATE TABLE [failures] (
  [id] INTEGER PRIMARY KEY,
  [url] TEXT,
  [site_id] TEXT REFERENCES sites(id),
  [status] TEXT,
  [reason] TEXT,
  [at] TEXT
);
CREATE TABLE [runs] (
  [id] INTEGER PRIMARY KEY,
  [mode] TEXT,
  [status] TEXT,
  [started_at] TEXT,
  [finished_at] TEXT
);
CREATE INDEX [idx_reports_site_id_year] ON [reports] ([site_id], [year]);
CREATE INDEX [idx_reports_body_key_year] ON [reports] ([body_key], [year]);
CREATE INDEX [idx_reports_year] ON [reports] ([year]);
CREATE INDEX [idx_reports_province] ON [reports] ([province]);
CREATE INDEX [idx_reports_status] ON [reports] ([status]);
CREATE INDEX [idx_reports_content_sha256] ON [reports] ([content_sha256]);
CREATE INDEX [idx_checks_report_id] ON [checks] ([report_id]);
CREATE INDEX [idx_pages_site_id] ON [pages] ([site_id]);
CREATE INDEX [idx_pages_content_sha256] ON [pages] ([content_sha256]);
CREATE INDEX [idx_report_versions_report_id] ON [report_versions] ([report_id]);
CREATE INDEX [idx_failures_url] ON [failures] ([url]);
CREATE INDEX [idx_sites_body_key] ON [sites] ([body_key]);
CREATE INDEX [idx_cells_table_key_row_key_col_key] ON [cells] ([table_key], [row_key], [col_key]);
CREATE VIEW [reports_wide] AS SELECT r.id AS report_id, r.year, r.organ, r.title, r.province, r.city, r.county, r.township,
       r.body_kind, s.name AS site, s.level, r.format, r.status, r.checks_ok, r.publish_date,
       r.days_late, f.applications_received, f.carried_over, f.granted, f.partially_granted, f.withheld, f.unavailable, f.rejected, f.other_handling, f.processed, f.carried_forward, f.review_total, f.review_corrected, f.litigation_total, f.litigation_corrected, f.licensing_decisions, f.penalty_decisions, f.coercion_decisions, f.fees_wan_yuan, f.normative_issued, f.normative_repealed, f.normative_in_force, r.url
FROM reports r
LEFT JOIN figures f ON f.report_id = r.id
LEFT JOIN sites s ON s.id = r.site_id;
CREATE VIEW [cells_labeled] AS SELECT c.report_id, c.table_key, c.row_key, rl.label AS row_label, rl.group_label AS row_group,
       c.col_key, cl.label AS col_label, c.value, c.raw, c.inferred
FROM cells c
LEFT JOIN labels rl ON rl.table_key = c.table_key AND rl.axis = 'row' AND rl.key = c.row_key
LEFT JOIN labels cl ON cl.table_key = c.table_key AND cl.axis = 'col' AND cl.key = c.col_key;
CREATE VIEW [year_over_year] AS SELECT cur.body_key, cur.organ, cur.year, cur.id AS report_id, prev.id AS previous_report_id,
       fp.carried_forward AS previous_carried_forward, fc.carried_over,
       CASE WHEN fc.carried_over IS NULL OR fp.carried_forward IS NULL THEN NULL
            ELSE fc.carried_over = fp.carried_forward END AS carry_over_ok,
       fp.normative_in_force AS previous_in_force, fc.normative_issued, fc.normative_repealed,
       fc.normative_in_force,
       CASE WHEN fp.normative_in_force IS NULL OR fc.normative_issued IS NULL
                 OR fc.normative_repealed IS NULL OR fc.normative_in_force IS NULL THEN NULL
            ELSE fp.normative_in_force + fc.normative_issued - fc.normative_repealed = fc.normative_in_force
       END AS in_force_ok,
       cur.province, cur.city, cur.county
FROM reports cur
JOIN reports prev ON prev.body_key = cur.body_key AND prev.year = cur.year - 1
LEFT JOIN figures fc ON fc.report_id = cur.id
LEFT JOIN figures fp ON fp.report_id = prev.id
WHERE cur.body_key IS NOT NULL;
CREATE VIEW [late_reports] AS SELECT r.id AS report_id, r.organ, r.year, r.body_kind, r.publish_date, r.deadline, r.days_late,
       r.province, r.city, r.county, r.title, r.url
FROM reports r
WHERE r.days_late > 0;
CREATE VIEW [missing_reports] AS WITH years AS (SELECT DISTINCT year FROM reports WHERE year IS NOT NULL)
SELECT s.id AS site_id, s.name, s.level, s.province, s.city, s.county, s.township, y.year, s.url
FROM sites s CROSS JOIN years y
WHERE CASE WHEN s.body_key IS NOT NULL
           THEN NOT EXISTS (SELECT 1 FROM reports r WHERE r.body_key = s.body_key AND r.year = y.year)
           ELSE NOT EXISTS (SELECT 1 FROM reports r WHERE r.site_id = s.id AND r.year = y.year) END;
CREATE VIRTUAL TABLE "reports_fts" USING FTS5 (
    "title", "text",
    tokenize='trigram',
    content="reports"
);
CREATE TRIGGER "reports_ai" AFTER INSERT ON "reports" BEGIN
  INSERT INTO "reports_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END;
CREATE TRIGGER "reports_ad" AFTER DELETE ON "reports" BEGIN
  INSERT INTO "reports_fts" ("reports_fts", rowid, "title", "text") VALUES('delete', old.rowid, old."title", old."text");
END;
CREATE TRIGGER "reports_au" AFTER UPDATE ON "reports" BEGIN
  INSERT INTO "reports_fts" ("reports_fts", rowid, "title", "text") VALUES('delete', old.rowid, old."title", old."text");
  INSERT INTO "reports_fts" (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
END;
CREATE TABLE IF NOT EXISTS crawl_state (
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    what TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (site_id, url, what)
);
PRAGMA user_version = 2;
