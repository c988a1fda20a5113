-- The persons behind one terugval_5j cell (docs/audit.md); same result as `ddas trace`.
-- Run from the folder that holds output/, after choosing the cell:
--   SET VARIABLE regio = 'GM0518';   -- or 'NL'
--   SET VARIABLE jaar = 2023;        -- year of aanmelding
-- One row per person in the noemer; in_teller = counted in the teller.
WITH traject AS (      -- trajectories that count: not Informatie en Advies only
    SELECT * FROM read_parquet('output/model/trajecten.parquet')
    WHERE NOT coalesce(is_informatie_advies, false) AND aanmelddatum IS NOT NULL
),
paar AS (              -- (trajectory, client) with the trajectory's fields
    SELECT DISTINCT t.traject_id, c.persoon_id, t.gemeentecode, t.aanmelddatum, t.einddatum, t.uitstroomreden
    FROM traject t JOIN read_parquet('output/model/trajectclienten.parquet') c USING (traject_id)
),
aanmelding AS (        -- each person's trajectories t in the cell; NL: every gemeente and Onbekend
    SELECT * FROM paar
    WHERE year(aanmelddatum) = getvariable('jaar')
      AND (getvariable('regio') = 'NL' OR gemeentecode = getvariable('regio'))
),
terugval AS (          -- (t, p) with another trajectory s of p, ended Afgerond in the 5 years before t
    SELECT a.traject_id, a.persoon_id,
           first(s.traject_id ORDER BY s.einddatum DESC, s.traject_id) AS s_id,  -- most recent end
           max(s.einddatum) AS s_eind
    FROM aanmelding a
    JOIN paar s
      ON s.persoon_id = a.persoon_id AND s.traject_id <> a.traject_id
     AND s.uitstroomreden = 'Afgerond' AND s.einddatum IS NOT NULL
     AND s.einddatum >= CAST(a.aanmelddatum - INTERVAL 5 YEAR AS DATE)  -- 29-02 becomes 28-02
     AND s.einddatum < a.aanmelddatum
    GROUP BY a.traject_id, a.persoon_id
),
gekozen AS (           -- one t per person: a relapsing one first, then the earliest aanmelding
    SELECT a.*, r.s_id, r.s_eind,
           bool_or(r.s_id IS NOT NULL) OVER (PARTITION BY a.persoon_id) AS in_teller,
           count(*) OVER (PARTITION BY a.persoon_id) AS aantal_trajecten,
           row_number() OVER (PARTITION BY a.persoon_id
                              ORDER BY r.s_id IS NULL, a.aanmelddatum, a.traject_id) AS rang
    FROM aanmelding a LEFT JOIN terugval r USING (traject_id, persoon_id)
)
SELECT persoon_id, in_teller, traject_id, gemeentecode, aanmelddatum, aantal_trajecten,
       s_id AS terugval_traject_id, s_eind AS terugval_einddatum
FROM gekozen
WHERE rang = 1
ORDER BY in_teller DESC, persoon_id;
