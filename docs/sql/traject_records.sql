-- The delivered records of one trajectory (docs/audit.md); same result as `ddas trace --traject`.
-- Run from the folder that holds output/, after choosing the trajectory:
--   SET VARIABLE traject_id = '40bd151ae6a0f73d';
-- Authoritative record first (gezag_rang 0: its einddatum and uitstroomreden are the
-- trajectory's), then the others, then older legacy exports of its dossiers that a later
-- export superseded (vervangen_door), each with the sha256 of its file from the ledger.
WITH herkomst AS (
    SELECT * FROM read_parquet('output/model/traject_herkomst.parquet')
),
eigen AS (
    SELECT * FROM herkomst WHERE traject_id = getvariable('traject_id')
),
vervangen AS (         -- superseding is per (gemeentecode, dossiernr) of legacy rows
    SELECT h.* FROM herkomst h
    WHERE h.vervangen_door IS NOT NULL
      AND EXISTS (SELECT 1 FROM eigen e
                  WHERE e.bron = 'shv_csv' AND e.dossiernr = h.dossiernr
                    AND e.gemeentecode IS NOT DISTINCT FROM h.gemeentecode)
),
ledger AS (
    SELECT bestand, any_value(sha256) AS sha256
    FROM read_parquet('output/kwaliteit/leveringen.parquet') GROUP BY bestand
)
SELECT r.bron, r.bestand, r.locatie, r.aanlevertijdstip, r.gemeentecode, r.dossiernr, r.aanmelddatum,
       r.startdatum, r.einddatum, r.koppel_einde, r.uitstroomreden, r.is_gezaghebbend, r.gezag_rang,
       r.vervangen_door, l.sha256
FROM (SELECT * FROM eigen UNION ALL SELECT * FROM vervangen) r
LEFT JOIN ledger l ON l.bestand = r.bestand
ORDER BY r.gezag_rang NULLS LAST, r.aanlevertijdstip DESC, r.bestand, r.levering_index, r.record_index;
