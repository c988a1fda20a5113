-- The trajectories behind one nazorgcontact_6m cell (docs/audit.md); same result as `ddas trace`.
-- Run from the folder that holds output/, after choosing the cell:
--   SET VARIABLE regio = 'GM0518';   -- or 'NL'
--   SET VARIABLE jaar = 2023;        -- year of the successful end
-- One row per trajectory in the noemer; in_teller = a client had a contact within 6 months.
WITH traject AS (      -- trajectories that count: not Informatie en Advies only
    SELECT * FROM read_parquet('output/model/trajecten.parquet')
    WHERE NOT coalesce(is_informatie_advies, false) AND aanmelddatum IS NOT NULL
),
cohort AS (            -- C(g, y): ended Afgerond in year y; NL: every gemeente and Onbekend
    SELECT traject_id, gemeentecode, startdatum, einddatum, nazorg_startdatum
    FROM traject
    WHERE uitstroomreden = 'Afgerond' AND einddatum IS NOT NULL
      AND year(einddatum) = getvariable('jaar')
      AND (getvariable('regio') = 'NL' OR gemeentecode = getvariable('regio'))
),
client AS (
    SELECT DISTINCT c.traject_id, c.persoon_id
    FROM cohort k JOIN read_parquet('output/model/trajectclienten.parquet') c USING (traject_id)
),
bewijs AS (            -- contacts of any client with einddatum < datum <= einddatum + 6 months
    SELECT k.traject_id, list(DISTINCT g.datum ORDER BY g.datum) AS bewijs_datums
    FROM cohort k
    JOIN client c USING (traject_id)
    JOIN read_parquet('output/model/nazorg_gebeurtenissen.parquet') g ON g.persoon_id = c.persoon_id
    WHERE g.soort = 'contact'
      AND g.datum > k.einddatum
      AND g.datum <= CAST(k.einddatum + INTERVAL 6 MONTH AS DATE)  -- 31-08 + 6 months = end of February
    GROUP BY k.traject_id
)
SELECT k.traject_id,
       (SELECT list(c.persoon_id ORDER BY c.persoon_id) FROM client c WHERE c.traject_id = k.traject_id) AS persoon_ids,
       b.traject_id IS NOT NULL AS in_teller,
       k.gemeentecode, k.startdatum, k.einddatum, k.nazorg_startdatum,
       coalesce(b.bewijs_datums, []) AS bewijs_datums
FROM cohort k LEFT JOIN bewijs b USING (traject_id)
ORDER BY in_teller DESC, k.traject_id;
